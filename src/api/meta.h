// The Kubernetes metadata and shared field types the certplane kinds use. The metadata
// is kube's own trimmed ObjectMeta (see DESIGN.md, "Cache typed, trimmed objects": no
// managedFields, no kubectl last-applied-configuration copy, RFC 3339 timestamps kept as
// the strings the server sent), so the certplane kinds can be cached by kube::Informer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/enums.h"
#include "api/time.h"
#include "kube/object_meta.h"

namespace certplane::api {

// One metadata type in the whole codebase: kube's. A timestamp that a caller needs as a
// Time goes through ParseTime; "being deleted" is !metadata.deletion_timestamp.empty().
using StringMap = kube::StringMap;
using OwnerReference = kube::OwnerReference;
using ObjectMeta = kube::ObjectMeta;

// A standard condition (metav1.Condition).
struct Condition {
  std::string type;
  ConditionStatus status = ConditionStatus::kUnknown;
  std::string reason;
  std::string message;
  std::int64_t observed_generation = 0;
  std::optional<Time> last_transition_time;

  bool operator==(const Condition&) const = default;
};

// A reference by name to an object of a known kind (cluster-scoped, or in the same
// namespace as the referrer).
struct LocalObjectReference {
  std::string name;

  bool operator==(const LocalObjectReference&) const = default;
};

// One key of a Secret.
struct SecretKeySelector {
  std::string name;
  std::string key;

  bool operator==(const SecretKeySelector&) const = default;
};

struct LabelSelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;

  bool operator==(const LabelSelectorRequirement&) const = default;
};

// metav1.LabelSelector. The empty selector selects everything.
struct LabelSelector {
  StringMap match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;

  bool operator==(const LabelSelector&) const = default;
};

}  // namespace certplane::api

// The Kubernetes metadata and shared field types the certplane kinds use, trimmed to
// what the controllers read (see DESIGN.md, "Cache typed, trimmed objects"): no
// managedFields, no kubectl last-applied-configuration copy, plain strings and vectors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/enums.h"
#include "api/time.h"

namespace certplane::api {

using StringMap = std::map<std::string, std::string>;

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool block_owner_deletion = false;

  bool operator==(const OwnerReference&) const = default;
};

struct ObjectMeta {
  std::string name;
  std::string namespace_;  // empty for cluster-scoped kinds
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  std::optional<Time> creation_timestamp;
  std::optional<Time> deletion_timestamp;
  StringMap labels;
  StringMap annotations;  // without kubectl.kubernetes.io/last-applied-configuration
  std::vector<std::string> finalizers;
  std::vector<OwnerReference> owner_references;

  bool operator==(const ObjectMeta&) const = default;
};

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

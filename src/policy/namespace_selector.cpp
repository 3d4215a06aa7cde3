#include "policy/namespace_selector.h"

#include <algorithm>

namespace certplane::policy {
namespace {

bool Holds(const api::LabelSelectorRequirement& r, const api::StringMap& labels) {
  const std::string* value = labels.Find(r.key);
  const bool present = value != nullptr;
  const auto in_values = [&] {
    return present && std::find(r.values.begin(), r.values.end(), *value) != r.values.end();
  };
  switch (r.op) {
    case api::SelectorOperator::kIn: return in_values();
    case api::SelectorOperator::kNotIn: return !in_values();
    case api::SelectorOperator::kExists: return present;
    case api::SelectorOperator::kDoesNotExist: return !present;
  }
  return false;
}

}  // namespace

bool SelectorMatches(const api::LabelSelector& selector, const api::StringMap& labels) {
  for (const auto& [key, value] : selector.match_labels) {
    const std::string* have = labels.Find(key);
    if (have == nullptr || *have != value) return false;
  }
  return std::all_of(selector.match_expressions.begin(), selector.match_expressions.end(),
                     [&](const api::LabelSelectorRequirement& r) { return Holds(r, labels); });
}

std::string FormatSelector(const api::LabelSelector& selector) {
  std::string out;
  auto add = [&](const std::string& s) {
    if (!out.empty()) out += ", ";
    out += s;
  };
  for (const auto& [key, value] : selector.match_labels) add(key + "=" + value);
  for (const api::LabelSelectorRequirement& r : selector.match_expressions) {
    std::string values;
    for (const std::string& v : r.values) values += (values.empty() ? "" : ", ") + v;
    switch (r.op) {
      case api::SelectorOperator::kIn: add(r.key + " in (" + values + ")"); break;
      case api::SelectorOperator::kNotIn: add(r.key + " notin (" + values + ")"); break;
      case api::SelectorOperator::kExists: add(r.key); break;
      case api::SelectorOperator::kDoesNotExist: add("!" + r.key); break;
    }
  }
  return out.empty() ? "everything" : out;
}

std::optional<PolicyViolation> CheckNamespace(const api::CertificateProfile& profile, std::string_view namespace_name,
                                              const api::StringMap& namespace_labels) {
  if (SelectorMatches(profile.spec.namespace_selector, namespace_labels)) return std::nullopt;
  return PolicyViolation{"metadata.namespace", "namespace " + std::string(namespace_name) +
                                                   " is not selected by the namespaceSelector of profile " +
                                                   profile.metadata.name + " (" +
                                                   FormatSelector(profile.spec.namespace_selector) + ")"};
}

}  // namespace certplane::policy

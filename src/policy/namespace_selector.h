// May a Certificate in this namespace use this profile? The profile's namespaceSelector
// (a standard label selector) evaluated against the Namespace's labels.
//
//   if (auto v = CheckNamespace(profile, cert.metadata.ns, ns_labels)) {
//     // Ready=False, reason kPolicyViolation, message v->message; issue nothing.
//   }
//
// Semantics are those of metav1.LabelSelector: every matchLabels entry and every
// matchExpressions requirement must hold; In needs the label with one of the values,
// NotIn holds when the label is absent or has none of them, Exists / DoesNotExist test
// presence. The empty selector selects every namespace.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/certificate_profile.h"
#include "api/meta.h"
#include "policy/violation.h"

namespace certplane::policy {

bool SelectorMatches(const api::LabelSelector& selector, const api::StringMap& labels);

// "team=web, env in (prod, staging), !legacy": the selector as kubectl prints one.
std::string FormatSelector(const api::LabelSelector& selector);

// A violation on metadata.namespace when the profile's selector does not select it.
std::optional<PolicyViolation> CheckNamespace(const api::CertificateProfile& profile, std::string_view namespace_name,
                                              const api::StringMap& namespace_labels);

}  // namespace certplane::policy

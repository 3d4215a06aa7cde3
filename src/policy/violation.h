// A broken policy rule, reported on the Certificate as Ready=False, reason
// PolicyViolation (reasons.h), with the messages of every violation found.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/reasons.h"

namespace certplane::policy {

struct PolicyViolation {
  // The field at fault, as a path in the Certificate: "spec.dnsNames[1]".
  std::string field;
  // One sentence naming the field, the value and the rule:
  // `spec.dnsNames[1] "evil.com" is not allowed by template web-server (allowed: *.example.com, *.svc)`.
  std::string message;
  // The condition reason for it; every policy violation is a PolicyViolation.
  std::string_view reason = kPolicyViolation;

  bool operator==(const PolicyViolation&) const = default;
};

// The messages joined with "; ", for a condition message.
std::string FormatViolations(const std::vector<PolicyViolation>& violations);

}  // namespace certplane::policy

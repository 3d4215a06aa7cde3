#include "policy/violation.h"

namespace certplane::policy {

std::string FormatViolations(const std::vector<PolicyViolation>& violations) {
  std::string out;
  for (const PolicyViolation& v : violations) {
    if (!out.empty()) out += "; ";
    out += v.message;
  }
  return out;
}

}  // namespace certplane::policy

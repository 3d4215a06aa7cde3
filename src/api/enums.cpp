#include "api/enums.h"

namespace certplane::api {

int Rfc5280Code(RevocationReason reason) {
  switch (reason) {
    case RevocationReason::kUnspecified: return 0;
    case RevocationReason::kKeyCompromise: return 1;
    case RevocationReason::kCaCompromise: return 2;
    case RevocationReason::kAffiliationChanged: return 3;
    case RevocationReason::kSuperseded: return 4;
    case RevocationReason::kCessationOfOperation: return 5;
    case RevocationReason::kCertificateHold: return 6;
    case RevocationReason::kPrivilegeWithdrawn: return 9;
    case RevocationReason::kAaCompromise: return 10;
  }
  return 0;
}

}  // namespace certplane::api

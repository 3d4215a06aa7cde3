// What a CertificateSync pushes, read from the Certificate's Secret: the leaf, the chain
// (intermediates, then the root when the sync includes it), the CA, and the key as
// PKCS#8 whatever encoding the Secret holds. Pure: the Secret's data in, material out.
//
//   Result<sync::CertificateMaterial> m = MaterialFromSecret(data, "0af3...", false);
//   if (!m.ok()) ...  // kFailedPrecondition: the Secret does not hold that serial yet
#pragma once

#include <map>
#include <string>

#include "base/result.h"
#include "sync/destination.h"

namespace certplane::reconcile {

// `data`: the Secret's data, base64-decoded (tls.crt, tls.key, ca.crt). Fails with
// kFailedPrecondition when tls.crt's leaf is not `serial_hex` (the Secret is being
// rewritten: wait for the Certificate to settle), kInvalidArgument when the Secret is
// not a usable key pair.
Result<sync::CertificateMaterial> MaterialFromSecret(const std::map<std::string, std::string>& data,
                                                     const std::string& serial_hex, bool include_root);

}  // namespace certplane::reconcile

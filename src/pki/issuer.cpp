#include "pki/issuer.h"

#include <algorithm>

#include "pki/internal/signing.h"

namespace certplane::pki {

Result<Issuer> Issuer::Create(Certificate certificate, PrivateKey key) {
  std::string who = "issuer " + certificate.subject_text();
  if (Status s = CheckKeyMatchesCertificate(key, certificate); !s.ok()) return s.WithContext(who);
  if (!certificate.is_ca()) return FailedPrecondition(who + " is not a CA (BasicConstraints cA is not TRUE)");
  if (certificate.has_key_usage_extension()) {
    std::vector<KeyUsage> usages = certificate.key_usages();
    if (std::find(usages.begin(), usages.end(), KeyUsage::kKeyCertSign) == usages.end()) {
      return FailedPrecondition(who + " may not sign certificates (its KeyUsage lacks cert sign)");
    }
  }
  Result<std::shared_ptr<const internal::PreparedSigner>> signer = internal::PreparedSigner::Create(key);
  if (!signer.ok()) return signer.status().WithContext(who);
  return Issuer(std::move(certificate), std::move(key), std::move(*signer));
}

}  // namespace certplane::pki

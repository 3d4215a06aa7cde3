// issuer.h: a CA certificate together with its private key, checked to belong together
// and to be allowed to sign.
//
//   Result<Issuer> ca = Issuer::Create(*ca_cert, *ca_key);
//   if (!ca.ok()) return ca.status().WithContext("CertificateAuthority " + name);
//   Result<Certificate> leaf = IssueCertificate(spec, subject_key, *ca, clock.Now());
//   Result<Crl> crl = BuildCrl(crl_spec, *ca);
//
// An Issuer is immutable and cheap to copy (it shares the certificate and the key).
#pragma once

#include <memory>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace certplane::pki {

namespace internal {
class PreparedSigner;
}  // namespace internal

class Issuer {
 public:
  // FailedPrecondition if `key` does not match `certificate`, if the certificate is not
  // a CA (BasicConstraints cA), or if it has a KeyUsage without keyCertSign; Internal
  // if OpenSSL cannot set up signing with the key.
  static Result<Issuer> Create(Certificate certificate, PrivateKey key);

  const Certificate& certificate() const { return certificate_; }
  const PrivateKey& key() const { return key_; }
  // The key's signing context, set up once (internal/signing.h); for issue.cpp and
  // crl.cpp.
  const internal::PreparedSigner& signer() const { return *signer_; }

 private:
  Issuer(Certificate certificate, PrivateKey key, std::shared_ptr<const internal::PreparedSigner> signer)
      : certificate_(std::move(certificate)), key_(std::move(key)), signer_(std::move(signer)) {}
  Certificate certificate_;
  PrivateKey key_;
  std::shared_ptr<const internal::PreparedSigner> signer_;  // never null; shared by copies
};

}  // namespace certplane::pki

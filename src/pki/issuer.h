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

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace certplane::pki {

class Issuer {
 public:
  // FailedPrecondition if `key` does not match `certificate`, if the certificate is not
  // a CA (BasicConstraints cA), or if it has a KeyUsage without keyCertSign.
  static Result<Issuer> Create(Certificate certificate, PrivateKey key);

  const Certificate& certificate() const { return certificate_; }
  const PrivateKey& key() const { return key_; }

 private:
  Issuer(Certificate certificate, PrivateKey key) : certificate_(std::move(certificate)), key_(std::move(key)) {}
  Certificate certificate_;
  PrivateKey key_;
};

}  // namespace certplane::pki

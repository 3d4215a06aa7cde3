// internal/signing.h: the signature algorithm certplane uses for a signing key, and
// the signing calls for certificates, CSRs and CRLs (an Issuer signs through its
// PreparedSigner). Not part of the public API.
//
// ECDSA P-256 -> ecdsa-with-SHA256, P-384 -> ecdsa-with-SHA384, RSA -> sha256WithRSA
// (PKCS#1 v1.5), Ed25519 -> Ed25519 (no separate digest).
#pragma once

#include <memory>
#include <mutex>

#include "base/result.h"
#include "base/status.h"
#include "pki/key.h"

namespace certplane::pki::internal {

// The digest to pass to X509_sign and friends; nullptr for Ed25519.
const EVP_MD* DigestFor(KeyAlgorithm algorithm);

// Each returns Internal with OpenSSL's reason if signing fails.
Status SignCertificate(X509* x509, const PrivateKey& key);
Status SignRequest(X509_REQ* req, const PrivateKey& key);

// A signing context set up once for a key (an Issuer's): EVP_DigestSignInit's
// fetches of the signature and digest implementations happen at Create, and each
// signature starts from a copy of the prepared context (EVP_MD_CTX_copy_ex), which is
// about 3 us cheaper than X509_sign's fresh EVP_MD_CTX and init per call.
//
// Thread-safe: the prepared context is only ever read, and copies of it are taken under
// a mutex all the same, as OpenSSL does not document concurrent copies from one
// context as safe (a copy takes about a microsecond).
class PreparedSigner {
 public:
  // Internal if OpenSSL cannot set up signing with `key`.
  static Result<std::shared_ptr<const PreparedSigner>> Create(const PrivateKey& key);

  // Internal with OpenSSL's reason if signing fails.
  Status SignCertificate(X509* x509) const;
  Status SignCrl(X509_CRL* crl) const;

 private:
  explicit PreparedSigner(EvpMdCtxPtr prepared) : prepared_(std::move(prepared)) {}
  // A fresh context to sign one object with; Internal on allocation failure.
  Result<EvpMdCtxPtr> Copy() const;

  mutable std::mutex mu_;  // guards copying from prepared_
  EvpMdCtxPtr prepared_;   // initialised for signing; never used to sign itself
};

}  // namespace certplane::pki::internal

// internal/signing.h: the signature algorithm certplane uses for a signing key, and
// the signing calls for certificates, CSRs and CRLs. Not part of the public API.
//
// ECDSA P-256 -> ecdsa-with-SHA256, P-384 -> ecdsa-with-SHA384, RSA -> sha256WithRSA
// (PKCS#1 v1.5), Ed25519 -> Ed25519 (no separate digest).
#pragma once

#include "base/status.h"
#include "pki/key.h"

namespace certplane::pki::internal {

// The digest to pass to X509_sign and friends; nullptr for Ed25519.
const EVP_MD* DigestFor(KeyAlgorithm algorithm);

// Each returns Internal with OpenSSL's reason if signing fails.
Status SignCertificate(X509* x509, const PrivateKey& key);
Status SignRequest(X509_REQ* req, const PrivateKey& key);
Status SignCrl(X509_CRL* crl, const PrivateKey& key);

}  // namespace certplane::pki::internal

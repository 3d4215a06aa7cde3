#include "pki/internal/signing.h"

#include "pki/errors.h"

namespace certplane::pki::internal {

const EVP_MD* DigestFor(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kEcdsaP384: return EVP_sha384();
    case KeyAlgorithm::kEd25519: return nullptr;
    default: return EVP_sha256();
  }
}

Status SignCertificate(X509* x509, const PrivateKey& key) {
  if (X509_sign(x509, key.get(), DigestFor(key.algorithm())) <= 0) {
    return OpenSslError(StatusCode::kInternal, "signing the certificate");
  }
  return Status::Ok();
}

Status SignRequest(X509_REQ* req, const PrivateKey& key) {
  if (X509_REQ_sign(req, key.get(), DigestFor(key.algorithm())) <= 0) {
    return OpenSslError(StatusCode::kInternal, "signing the certificate request");
  }
  return Status::Ok();
}

Status SignCrl(X509_CRL* crl, const PrivateKey& key) {
  if (X509_CRL_sign(crl, key.get(), DigestFor(key.algorithm())) <= 0) {
    return OpenSslError(StatusCode::kInternal, "signing the CRL");
  }
  return Status::Ok();
}

}  // namespace certplane::pki::internal

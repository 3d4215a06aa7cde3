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

Result<std::shared_ptr<const PreparedSigner>> PreparedSigner::Create(const PrivateKey& key) {
  ClearOpenSslErrors();
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(key.algorithm()), nullptr, key.get()) != 1) {
    return OpenSslError(StatusCode::kInternal,
                        "preparing to sign with the " + std::string(KeyAlgorithmName(key.algorithm())) + " key");
  }
  return std::shared_ptr<const PreparedSigner>(new PreparedSigner(std::move(ctx)));
}

Result<EvpMdCtxPtr> PreparedSigner::Copy() const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError(StatusCode::kInternal, "allocating a signing context");
  std::lock_guard<std::mutex> lock(mu_);
  if (EVP_MD_CTX_copy_ex(ctx.get(), prepared_.get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "copying the signing context");
  }
  // The copy signs once, so EVP_DigestSignFinal may finish it in place instead of
  // duplicating it first (EVP_MD_CTX_set_flags(3)).
  EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
  return ctx;
}

Status PreparedSigner::SignCertificate(X509* x509) const {
  Result<EvpMdCtxPtr> ctx = Copy();
  if (!ctx.ok()) return ctx.status();
  if (X509_sign_ctx(x509, ctx->get()) <= 0) return OpenSslError(StatusCode::kInternal, "signing the certificate");
  return Status::Ok();
}

Status PreparedSigner::SignCrl(X509_CRL* crl) const {
  Result<EvpMdCtxPtr> ctx = Copy();
  if (!ctx.ok()) return ctx.status();
  if (X509_CRL_sign_ctx(crl, ctx->get()) <= 0) return OpenSslError(StatusCode::kInternal, "signing the CRL");
  return Status::Ok();
}

}  // namespace certplane::pki::internal

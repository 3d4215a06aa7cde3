#include "pki/verify.h"

#include <chrono>

#include "pki/errors.h"

namespace certplane::pki {
namespace {

int PurposeFor(ExtendedKeyUsage usage) {
  switch (usage) {
    case ExtendedKeyUsage::kServerAuth: return X509_PURPOSE_SSL_SERVER;
    case ExtendedKeyUsage::kClientAuth: return X509_PURPOSE_SSL_CLIENT;
    case ExtendedKeyUsage::kCodeSigning: return -1;  // OpenSSL 3.0 has no code-signing purpose
    case ExtendedKeyUsage::kEmailProtection: return X509_PURPOSE_SMIME_SIGN;
    case ExtendedKeyUsage::kTimeStamping: return X509_PURPOSE_TIMESTAMP_SIGN;
    case ExtendedKeyUsage::kOcspSigning: return X509_PURPOSE_OCSP_HELPER;
  }
  return X509_PURPOSE_ANY;
}

Result<X509StackPtr> ToStack(const std::vector<Certificate>& certs) {
  X509StackPtr stack(sk_X509_new_null());
  if (!stack) return OpenSslError(StatusCode::kInternal, "allocating a certificate stack");
  for (const Certificate& c : certs) {
    X509Ptr shared = ShareX509(c.get());
    if (sk_X509_push(stack.get(), shared.get()) <= 0)
      return OpenSslError(StatusCode::kInternal, "allocating a certificate stack");
    (void)shared.release();  // the stack owns this reference now
  }
  return stack;
}

}  // namespace

Result<std::vector<Certificate>> VerifyChain(const Certificate& leaf, const VerifyOptions& options) {
  ClearOpenSslErrors();
  if (options.roots.empty()) return InvalidArgument("verifying a chain needs at least one trusted root");
  X509StorePtr store(X509_STORE_new());
  if (!store) return OpenSslError(StatusCode::kInternal, "allocating a trust store");
  for (const Certificate& root : options.roots) {
    if (X509_STORE_add_cert(store.get(), root.get()) != 1) {  // takes its own reference
      return OpenSslError(StatusCode::kInternal, "adding a trusted root");
    }
  }
  for (const Crl& crl : options.crls) {
    if (X509_STORE_add_crl(store.get(), crl.get()) != 1) {  // takes its own reference
      return OpenSslError(StatusCode::kInternal, "adding a CRL");
    }
  }
  Result<X509StackPtr> untrusted = ToStack(options.intermediates);
  if (!untrusted.ok()) return untrusted.status();

  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted->get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "preparing to verify");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());  // owned by ctx
  unsigned long flags = X509_V_FLAG_X509_STRICT;
  if (options.revocation == RevocationCheck::kLeaf) flags |= X509_V_FLAG_CRL_CHECK;
  if (options.revocation == RevocationCheck::kFullChain) flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  X509_VERIFY_PARAM_set_flags(param, flags);
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(options.at));
  if (options.purpose.has_value()) {
    int purpose = PurposeFor(*options.purpose);
    if (purpose < 0) {
      return InvalidArgument("verifying for \"" + std::string(ExtendedKeyUsageName(*options.purpose)) +
                             "\" is not supported by this OpenSSL");
    }
    if (X509_STORE_CTX_set_purpose(ctx.get(), purpose) != 1) {
      return OpenSslError(StatusCode::kInternal, "setting the verification purpose");
    }
  }

  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* at_fault = X509_STORE_CTX_get_current_cert(ctx.get());  // owned by ctx
    std::string who;
    if (at_fault != nullptr) {
      Result<Certificate> c = Certificate::Adopt(ShareX509(at_fault));
      if (c.ok()) who = " (" + c->subject_text() + ")";
    }
    ClearOpenSslErrors();
    return InvalidArgument(std::string(X509_verify_cert_error_string(err)) + " at depth " + std::to_string(depth) +
                           who);
  }
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());  // owned by ctx
  std::vector<Certificate> chain;
  for (int i = 0; i < sk_X509_num(built); ++i) {
    Result<Certificate> c = Certificate::Adopt(ShareX509(sk_X509_value(built, i)));
    if (!c.ok()) return c.status();
    chain.push_back(std::move(*c));
  }
  return chain;
}

Result<std::optional<RevokedCertificate>> FindRevocation(const Certificate& certificate, const Crl& crl,
                                                         const Certificate& issuer, TimePoint at) {
  CERTPLANE_RETURN_IF_ERROR(crl.VerifySignature(issuer));
  if (Status s = certificate.VerifySignedBy(issuer); !s.ok()) {
    return InvalidArgument("the CRL's issuer did not issue " + certificate.subject_text());
  }
  if (at < crl.this_update()) return FailedPrecondition("the CRL is not valid yet (thisUpdate is later)");
  if (at >= crl.next_update()) return FailedPrecondition("the CRL is stale (past its nextUpdate)");
  if (const auto& idp = crl.distribution_point(); idp.has_value()) {
    if (idp->only_user_certs && certificate.is_ca()) {
      return InvalidArgument("the CRL covers only end-entity certificates; " + certificate.subject_text() + " is a CA");
    }
    if (idp->only_ca_certs && !certificate.is_ca()) {
      return InvalidArgument("the CRL covers only CA certificates; " + certificate.subject_text() + " is not one");
    }
    if (!idp->uris.empty()) {
      // A sharded CRL answers only for certificates that point at it.
      bool listed = false;
      for (const std::string& uri : certificate.crl_distribution_points()) {
        for (const std::string& mine : idp->uris) listed = listed || uri == mine;
      }
      if (!listed) {
        return InvalidArgument(
            "the CRL's distribution point is not one the certificate names; it is another shard's CRL");
      }
    }
  }
  return crl.Find(certificate.serial());
}

}  // namespace certplane::pki

// CaReconciler: makes a CertificateAuthority's key Secret (in the controller's
// namespace) hold a working CA pair, and its status say so.
//
//   Root          a key is generated and the certificate self-signed.
//   Intermediate  once the parent is Ready, a key is generated and the parent signs it;
//                 when the parent's certificate changes, it is signed again.
//   Imported      tls.crt/tls.key (and ca.crt) are copied from the Secret spec.secretRef
//                 names, and again whenever that Secret changes.
//
// Renewed (new key, new certificate) at notAfter - renewBefore. Every change of the CA's
// certificate changes status.fingerprintSHA256, which is how the certificates it issued
// learn to reissue (policy reason CAChanged) and its child CAs to re-sign.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/certificate_authority.h"
#include "kube/clock.h"
#include "kube/controller.h"
#include "kube/event_recorder.h"
#include "kube/rest_client.h"
#include "policy/ca_issuance.h"
#include "reconcile/ca_signers.h"
#include "reconcile/caches.h"
#include "reconcile/expectations.h"

namespace certplane::reconcile {

struct CaReconcilerDeps {
  std::shared_ptr<kube::Client> client;
  const Caches* caches = nullptr;
  CaSigners* signers = nullptr;
  kube::EventRecorder* events = nullptr;
  std::shared_ptr<kube::Clock> clock;
  std::string field_manager = "certplane";
};

class CaReconciler {
 public:
  explicit CaReconciler(CaReconcilerDeps deps);

  kube::ReconcileResult Reconcile(const kube::Request& request);

 private:
  // The parent's readiness (Intermediate) or the source Secret's (Imported).
  policy::CaParentFacts ParentFacts(const api::CertificateAuthority& ca, nlohmann::json* source_secret);
  // The key Secret for a new key and certificate, or for the imported pair.
  Result<nlohmann::json> MakeKeySecret(const api::CertificateAuthority& ca);
  Result<nlohmann::json> ImportKeySecret(const api::CertificateAuthority& ca, const nlohmann::json& source);
  // Copies into `next` (the key Secret about to replace the current one) the key the
  // current Secret holds and the keys it retired before, each while its certificates
  // may be in use: they still sign the CRLs those certificates name.
  Status CarryRetiredKeys(const api::CertificateAuthority& ca, nlohmann::json& next, api::Time now);
  // Removes from the key Secret the retired keys whose certificates have all expired;
  // the earliest notAfter of those kept, when to look again.
  Result<std::optional<api::Time>> DropExpiredRetiredKeys(const api::CertificateAuthority& ca,
                                                          const policy::CaSecretFacts& facts, api::Time now);
  Status WriteStatus(const api::CertificateAuthority& ca, const api::CertificateAuthorityStatus& desired);
  void Event(const api::CertificateAuthority& ca, kube::EventType type, std::string_view reason, std::string note);

  CaReconcilerDeps deps_;
  Expectations expectations_;  // key Secret fingerprints written but not yet seen in the cache
};

}  // namespace certplane::reconcile

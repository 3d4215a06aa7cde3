// CertificateReconciler: makes one Certificate's Secret hold a valid certificate that
// matches its spec, and its status say so.
//
//   observe  everything from the caches (the Certificate, its profile, template and CA,
//            the namespace's labels, the facts of its Secret);
//   decide   with policy::Decide (template, namespace selector, trigger and readiness
//            chains, renewal time);
//   act      with as few writes as possible: an issuance is one server-side apply of
//            the Secret and one status update (plus an Event); a certificate that needs
//            nothing costs no write at all.
//
// Idempotent across conflicts and restarts: the Secret records the revision it holds,
// so a controller that dies after writing the Secret but before the status finds a
// valid Secret on its next look and records it instead of signing again; and within
// one process, a revision just written is waited for (expectations.h) rather than
// judged missing from a cache that has not caught up.
//
// The result says when to look again: at the renewal time (delayed requeue, never
// polling), after a backoff on failure, or not until something changes.
//
// CSR enrollment (spec.csr, which the ACME server uses too): no Secret is read or
// written; the CSR's public key is signed once and the chain goes to
// status.certificate in the one status write. Status writes are merge patches, so the
// chain (which the informer cache does not hold) survives later ones.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/certificate.h"
#include "api/certificate_profile.h"
#include "api/certificate_template.h"
#include "kube/clock.h"
#include "kube/controller.h"
#include "kube/event_recorder.h"
#include "kube/rest_client.h"
#include "policy/backoff.h"
#include "policy/issuance.h"
#include "policy/secret_owner.h"
#include "reconcile/ca_signers.h"
#include "reconcile/caches.h"
#include "reconcile/crl_publisher.h"
#include "reconcile/expectations.h"
#include "reconcile/operator_metrics.h"
#include "reconcile/referenced_secrets.h"

namespace certplane::reconcile {

// Reasons this reconciler adds to those of policy/reasons.h.
// The profile named by spec.profileRef does not exist.
inline constexpr std::string_view kProfileNotFound = "ProfileNotFound";
// The profile's template does not exist.
inline constexpr std::string_view kTemplateNotFound = "TemplateNotFound";

// How many earlier serials status.history keeps.
inline constexpr size_t kHistoryLimit = 10;

struct CertificateReconcilerDeps {
  std::shared_ptr<kube::Client> client;
  const Caches* caches = nullptr;
  CaSigners* signers = nullptr;
  CrlPublisher* crl = nullptr;
  kube::EventRecorder* events = nullptr;
  OperatorMetrics* metrics = nullptr;
  std::shared_ptr<kube::Clock> clock;
  std::string field_manager = "certplane";
  // Watches the Secrets a failed issuance waits for; may be null (then only the backoff
  // retries).
  ReferencedSecrets* referenced_secrets = nullptr;
  policy::BackoffPolicy backoff;
};

class CertificateReconciler {
 public:
  explicit CertificateReconciler(CertificateReconcilerDeps deps);

  kube::ReconcileResult Reconcile(const kube::Request& request);

 private:
  struct Issued;
  struct SigningCa;
  // Everything one decision reads, from the caches: the objects, and the policy input.
  struct Gathered {
    std::shared_ptr<const api::Certificate> cert;
    std::shared_ptr<const api::CertificateProfile> profile;
    std::shared_ptr<const api::CertificateTemplate> tmpl;
    std::shared_ptr<const CertificateSecret> secret;  // only one certplane wrote for this Certificate
    bool csr_enrollment = false;
    policy::IssuanceInput input;
  };

  // Gather: nullopt (and `blocked` set) when the profile or template is missing.
  std::optional<Gathered> Gather(std::shared_ptr<const api::Certificate> cert, const std::string& key,
                                 kube::ReconcileResult& blocked);
  // Every Certificate naming this one's Secret (not being deleted), for policy::SecretOwner.
  std::vector<policy::SecretClaimant> SecretClaimants(const api::Certificate& cert) const;
  // After a failure for want of a referenced Secret: whether all exist now (watching
  // them meanwhile). Otherwise stops watching for this Certificate and says false.
  bool ReferencedSecretsExist(const api::Certificate& cert, const api::CertificateProfile& profile,
                              const std::string& key);

  // Act, one per policy::Action.
  kube::ReconcileResult ActIssue(const Gathered& g, const policy::Decision& d, const std::string& key);
  kube::ReconcileResult ActBackoff(const Gathered& g, const policy::Decision& d);
  kube::ReconcileResult ActObserve(const Gathered& g, const policy::Decision& d);
  // A failed issuance: counts it, says when the next attempt is, waits until then.
  kube::ReconcileResult ActFailed(const Gathered& g, const policy::Decision& d, std::string_view reason,
                                  const Status& err);

  Result<SigningCa> PrepareSigning(const api::Certificate& cert, const api::CertificateProfile& profile);
  Result<Issued> Issue(const api::Certificate& cert, const api::CertificateProfile& profile,
                       const api::CertificateTemplate& tmpl, std::int64_t revision,
                       const std::map<std::string, std::string>& passwords);
  // CSR enrollment: signs spec.csr's key for `spec` (policy::EffectiveSpec); no Secret.
  Result<Issued> IssueFromCsr(const api::Certificate& cert, const api::CertificateSpec& spec,
                              const api::CertificateProfile& profile, const api::CertificateTemplate& tmpl);
  Result<std::map<std::string, std::string>> ReadPasswords(const api::Certificate& cert,
                                                           const std::vector<api::OutputFormat>& formats);
  Status WriteStatus(const api::Certificate& cert, const api::CertificateStatus& desired);
  void Event(const api::Certificate& cert, kube::EventType type, std::string_view reason, std::string note);
  kube::ReconcileResult Blocked(const api::Certificate& cert, std::string_view reason, const std::string& message,
                                bool warn);

  // A serial that may be in use: status's, and the Secret's when a crash left it newer.
  struct LiveSerial {
    std::string serial;
    std::string ca;
    std::int32_t shard = 0;
    std::optional<api::Time> not_after;
    std::int64_t revision = 0;
  };
  std::vector<LiveSerial> LiveSerials(const api::Certificate& cert) const;

  // Revocation (certificate_revocation.cpp). Each returns nullopt when it has nothing
  // to do and the reconcile goes on.
  // spec.revocation set: put the current serial on the CRL, then report Revoked.
  std::optional<kube::ReconcileResult> ReconcileRevocation(const api::Certificate& cert, const std::string& key);
  // A certificateHold lifted: take the serial off the CRL, then clear the status.
  std::optional<kube::ReconcileResult> ReconcileLiftedHold(const api::Certificate& cert, const std::string& key);
  // Being deleted: under the revoke-on-delete finalizer, revoke, then let it go.
  kube::ReconcileResult ReconcileDeletion(const api::Certificate& cert, const std::string& key);
  // Adds or keeps the revoke-on-delete finalizer as the profile asks.
  Status EnsureFinalizer(const api::Certificate& cert, const api::CertificateProfile& profile);
  // The serial the last renewal replaced (status.history[0]), revoked as superseded
  // when the profile says so; records it in history once it is on the CRL. Returns
  // whether `status` changed.
  bool ReconcileSuperseded(const api::CertificateProfile& profile, api::CertificateStatus& status,
                           const std::string& key);
  Status SetFinalizers(const api::Certificate& cert, std::vector<std::string> finalizers);

  CertificateReconcilerDeps deps_;
  Expectations expectations_;  // Secret revisions written but not yet seen in the cache
};

}  // namespace certplane::reconcile

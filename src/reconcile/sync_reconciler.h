// SyncReconciler: makes a CertificateSync's destination hold the current serial of every
// Certificate it selects, and its status say so.
//
//   gather  the sync and the Certificates it selects, from the caches;
//   decide  with policy::PlanSync (push, remove, report, wait out a backoff);
//   act     one push or removal per certificate that needs one (reading the Secret and
//           the credentials only then), one status write when anything changed, one
//           event per push or failure. A sync whose certificates are all synced costs
//           no request at all.
//
// Only the leader runs it (the Operator starts it when leading). Failures back off per
// certificate, from failedAttempts and nextAttemptTime in status (policy/backoff.h), and
// honour a destination's Retry-After; an authentication or permission error is reported
// with the destination's own message and waits out the same backoff.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "api/certificate_sync.h"
#include "kube/clock.h"
#include "kube/controller.h"
#include "kube/event_recorder.h"
#include "kube/rest_client.h"
#include "policy/backoff.h"
#include "policy/sync_plan.h"
#include "reconcile/caches.h"
#include "reconcile/operator_metrics.h"
#include "reconcile/sync_destinations.h"

namespace certplane::reconcile {

// Reasons of a sync's Ready condition and of its entries, beside policy/sync_plan.h's.
inline constexpr std::string_view kSyncFailedReason = "SyncFailed";                // a push failed (entry says why)
inline constexpr std::string_view kSyncInvalidReason = "InvalidSpec";              // a name template that collides, say
inline constexpr std::string_view kSyncCredentialsReason = "CredentialsNotFound";  // the Secret or a key is missing
inline constexpr std::string_view kSyncThrottledReason = "Throttled";
inline constexpr std::string_view kSyncUnavailableReason = "DestinationUnavailable";
inline constexpr std::string_view kSyncUnauthenticatedReason = "Unauthenticated";
inline constexpr std::string_view kSyncPermissionDeniedReason = "PermissionDenied";
inline constexpr std::string_view kSyncRefusedReason = "Refused";  // the destination refused the request

// "awsCertificateManager", "awsSecretsManager" or "azureKeyVault": the label of the metrics.
std::string DestinationKind(const api::CertificateSync& sync);

// The entry reason for a failed call, from its Status code.
std::string_view SyncFailureReason(const sync::SyncError& error);

struct SyncReconcilerDeps {
  std::shared_ptr<kube::Client> client;
  const Caches* caches = nullptr;
  DestinationFactory* destinations = nullptr;
  kube::EventRecorder* events = nullptr;
  OperatorMetrics* metrics = nullptr;  // may be null
  std::shared_ptr<kube::Clock> clock;
  std::string field_manager = "certplane";
  policy::BackoffPolicy backoff;
};

class SyncReconciler {
 public:
  explicit SyncReconciler(SyncReconcilerDeps deps);

  kube::ReconcileResult Reconcile(const kube::Request& request);

 private:
  std::vector<policy::SyncCandidate> Select(const api::CertificateSync& sync) const;
  // The sync's destination, made once per generation and credentials Secret version, so
  // tokens and connections are reused.
  Result<std::shared_ptr<sync::Destination>> DestinationFor(const api::CertificateSync& sync);
  Result<SyncCredentials> ReadCredentials(const api::CertificateSync& sync);
  // Pushes one certificate; updates its entry either way.
  void Push(const api::CertificateSync& sync, sync::Destination& dest, const policy::SyncCandidate& cert,
            api::SyncedCertificate& entry, api::Time now);
  // Removes what was pushed for one entry; true when it is gone.
  bool Remove(const api::CertificateSync& sync, sync::Destination& dest, api::SyncedCertificate& entry, api::Time now);
  Status WriteStatus(const api::CertificateSync& sync, const api::CertificateSyncStatus& desired);
  Status SetFinalizers(const api::CertificateSync& sync, std::vector<std::string> finalizers);
  void Event(const api::CertificateSync& sync, kube::EventType type, std::string_view reason, std::string note);

  SyncReconcilerDeps deps_;
  std::mutex mu_;
  struct CachedDestination {
    std::string made_for;  // "<generation>/<credentials Secret resourceVersion>"
    std::shared_ptr<sync::Destination> destination;
  };
  std::map<std::string, CachedDestination> destinations_;  // by the sync's uid; guarded by mu_
};

}  // namespace certplane::reconcile

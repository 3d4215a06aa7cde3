// PlanSync: what a CertificateSync must do for each certificate, as a pure function of
// what the caches and its status say. The reconciler (reconcile/sync_reconciler.h)
// gathers the input, carries out the steps against the destination, and writes status.
//
//   SyncPlan plan = PlanSync(input);
//   for (const SyncStep& step : plan.steps) switch (step.action) { ... }
//   requeue after plan.wake_at, if set
//
// Rules:
//   - push when a selected certificate is Ready with a serial the destination lacks
//     (after issuance, every renewal and reissue), and push every one again when the
//     sync's spec changed (a new generation);
//   - never push a revoked or expired certificate; remove it from the destination
//     when the deletion policy is Remove;
//   - a certificate without a Secret (CSR-enrolled: certplane never held its key) is
//     reported, not pushed;
//   - a failed push waits out its backoff (from failedAttempts and nextAttemptTime in
//     status), so a destination that keeps refusing costs one attempt per backoff step;
//   - what was pushed for a certificate that is gone or no longer selected is removed
//     (policy Remove) or forgotten (Retain); a sync being deleted removes everything.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/certificate_sync.h"
#include "api/time.h"
#include "policy/backoff.h"

namespace certplane::policy {

// Reasons on a certificate's entry in a CertificateSync's status.
inline constexpr std::string_view kSyncedReason = "Synced";                     // the current serial is there
inline constexpr std::string_view kSyncPendingReason = "Pending";               // not issued yet, or not Ready
inline constexpr std::string_view kSyncNoPrivateKeyReason = "NoPrivateKey";     // CSR-enrolled: no key to push
inline constexpr std::string_view kSyncRevokedReason = "Revoked";               // revoked: not pushed (removed)
inline constexpr std::string_view kSyncExpiredReason = "Expired";               // expired: not pushed
inline constexpr std::string_view kSyncNotFoundReason = "CertificateNotFound";  // named, but does not exist

// One Certificate of the sync's namespace that its selection names or matches.
struct SyncCandidate {
  std::string name;
  std::string uid;
  bool exists = true;      // false: named in spec.certificates.names but absent
  bool has_secret = true;  // spec.secretName set (server-side key)
  bool ready = false;      // Ready=True
  std::string serial;      // status.serialNumber
  bool revoked = false;    // status.revokedAt set
  std::optional<api::Time> not_after;
};

struct SyncPlanInput {
  std::vector<SyncCandidate> selected;
  api::CertificateSyncStatus status;  // what was pushed, and failures
  std::int64_t generation = 0;        // metadata.generation of the sync
  bool remove_on_delete = true;       // deletionPolicy Remove
  bool sync_being_deleted = false;
  api::Time now;
};

enum class SyncAction {
  kPush,    // push the certificate's current serial
  kRemove,  // remove what was pushed (destination_id in the entry)
  kForget,  // drop the entry; nothing to do at the destination
  kReport,  // nothing to do now; the entry takes reason/message
  kWait,    // a failed push is backing off until wake_at
};

struct SyncStep {
  std::string name;
  SyncAction action = SyncAction::kReport;
  std::string reason;   // for kReport
  std::string message;  // for kReport
};

struct SyncPlan {
  std::vector<SyncStep> steps;       // one per selected certificate and per stale entry, by name
  std::optional<api::Time> wake_at;  // the earliest backoff that ends
};

SyncPlan PlanSync(const SyncPlanInput& input);

// The entry after a failed push: attempts counted and the next attempt scheduled by
// `backoff` (at least `retry_after` when the destination advised it).
void RecordSyncFailure(api::SyncedCertificate& entry, std::string_view reason, std::string message, api::Time now,
                       const BackoffPolicy& backoff, std::optional<std::chrono::seconds> retry_after);

}  // namespace certplane::policy

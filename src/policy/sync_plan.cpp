#include "policy/sync_plan.h"

#include <algorithm>
#include <map>

namespace certplane::policy {
namespace {

const api::SyncedCertificate* EntryOf(const api::CertificateSyncStatus& status, const std::string& name) {
  for (const auto& e : status.certificates) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

bool Pushed(const api::SyncedCertificate* entry) { return entry && !entry->destination_id.empty(); }

// Whether a failed push of this entry is still waiting out its backoff.
bool BackingOff(const api::SyncedCertificate* entry, const api::Time& now) {
  return entry && entry->failed_attempts > 0 && entry->next_attempt_time && now < *entry->next_attempt_time;
}

}  // namespace

SyncPlan PlanSync(const SyncPlanInput& in) {
  SyncPlan plan;
  const bool spec_changed = in.generation != in.status.observed_generation;
  auto wait_for = [&](const api::SyncedCertificate* entry) {
    if (!plan.wake_at || *entry->next_attempt_time < *plan.wake_at) plan.wake_at = *entry->next_attempt_time;
  };
  // Removal first when an entry points at the destination and must not (a retry of a
  // failed removal waits out its backoff like a push).
  auto remove_or = [&](const std::string& name, const api::SyncedCertificate* entry, SyncAction otherwise,
                       std::string_view reason, std::string message) {
    if (Pushed(entry) && in.remove_on_delete) {
      if (BackingOff(entry, in.now)) {
        wait_for(entry);
        plan.steps.push_back({name, SyncAction::kWait, {}, {}});
      } else {
        plan.steps.push_back({name, SyncAction::kRemove, std::string(reason), std::move(message)});
      }
      return;
    }
    plan.steps.push_back({name, otherwise, std::string(reason), std::move(message)});
  };

  std::map<std::string, const SyncCandidate*> selected;
  for (const SyncCandidate& c : in.selected) selected[c.name] = &c;

  if (in.sync_being_deleted) {
    for (const auto& e : in.status.certificates) {
      remove_or(e.name, &e, SyncAction::kForget, {}, {});
    }
    return plan;
  }

  for (const auto& [name, c] : selected) {
    const api::SyncedCertificate* entry = EntryOf(in.status, name);
    if (!c->exists) {
      remove_or(name, entry, SyncAction::kReport, kSyncNotFoundReason,
                "Certificate " + name + " does not exist in this namespace");
      continue;
    }
    if (!c->has_secret) {
      plan.steps.push_back({name, SyncAction::kReport, std::string(kSyncNoPrivateKeyReason),
                            "CSR-enrolled: certplane never held its private key, so there is nothing to push"});
      continue;
    }
    if (c->revoked) {
      remove_or(name, entry, SyncAction::kReport, kSyncRevokedReason,
                "serial " + c->serial + " is revoked; it is not pushed" +
                    (in.remove_on_delete ? "" : " (deletionPolicy Retain leaves what was pushed)"));
      continue;
    }
    if (c->not_after && !(in.now < *c->not_after)) {
      plan.steps.push_back({name, SyncAction::kReport, std::string(kSyncExpiredReason),
                            "serial " + c->serial + " has expired; it is not pushed"});
      continue;
    }
    if (!c->ready || c->serial.empty()) {
      plan.steps.push_back({name, SyncAction::kReport, std::string(kSyncPendingReason),
                            "waiting for the Certificate to be issued and Ready"});
      continue;
    }
    const bool current =
        entry && entry->serial_number == c->serial && entry->synced == "True" && entry->uid == c->uid && !spec_changed;
    if (current) {
      plan.steps.push_back({name, SyncAction::kReport, std::string(kSyncedReason), {}});
      continue;
    }
    // A failure recorded for this very serial and spec waits out its backoff; a new
    // serial or a changed spec tries at once.
    if (BackingOff(entry, in.now) && !spec_changed) {
      wait_for(entry);
      plan.steps.push_back({name, SyncAction::kWait, {}, {}});
      continue;
    }
    plan.steps.push_back({name, SyncAction::kPush, {}, {}});
  }

  // Entries of certificates no longer selected (deleted, relabelled, dropped from names).
  for (const auto& e : in.status.certificates) {
    if (selected.count(e.name)) continue;
    remove_or(e.name, &e, SyncAction::kForget, {}, {});
  }
  std::sort(plan.steps.begin(), plan.steps.end(), [](const SyncStep& a, const SyncStep& b) { return a.name < b.name; });
  return plan;
}

void RecordSyncFailure(api::SyncedCertificate& entry, std::string_view reason, std::string message, api::Time now,
                       const BackoffPolicy& backoff, std::optional<std::chrono::seconds> retry_after) {
  entry.failed_attempts += 1;
  std::chrono::seconds delay = BackoffDelay(entry.failed_attempts, backoff);
  if (retry_after && *retry_after > delay) delay = std::min(*retry_after, backoff.max);
  entry.next_attempt_time = now + delay;
  entry.synced = "False";
  entry.reason = std::string(reason);
  entry.message = std::move(message);
}

}  // namespace certplane::policy

// The revocation half of CertificateReconciler: spec.revocation, lifted holds, the
// revoke-on-delete finalizer and superseded serials. Each asks the CrlPublisher and
// reports only what the published CRL shows, so "Revoked" in status always means "on
// the CRL": a crash between asking and publishing just asks again.
#include <algorithm>

#include "api/condition.h"
#include "api/well_known.h"
#include "kube/logging.h"
#include "policy/reasons.h"
#include "reconcile/certificate_reconciler.h"
#include "reconcile/certificate_status.h"

namespace certplane::reconcile {
namespace {

using api::Time;

// A safety net: the publisher enqueues the Certificate once its request is on the CRL,
// but a lost leadership drops that promise.
constexpr auto kRevocationRecheck = std::chrono::seconds(30);

bool HasFinalizer(const api::Certificate& cert) {
  const auto& f = cert.metadata.finalizers;
  return std::find(f.begin(), f.end(), api::kRevokeOnDeleteFinalizer) != f.end();
}

// The CA and shard of the current serial (status.caName may be empty on a Certificate
// issued before it was recorded; the profile's CA issued it then).
std::string IssuingCa(const api::Certificate& cert, const Caches& caches) {
  if (!cert.status.ca_name.empty()) return cert.status.ca_name;
  auto profile = caches.profiles.store().Get(cert.spec.profile_ref.name);
  return profile ? profile->spec.ca_ref.name : std::string();
}

// Expired certificates need no revocation: a CRL drops them anyway.
Time NotAfterOr(const std::optional<Time>& not_after, Time now) {
  return not_after ? *not_after : now + std::chrono::days(398);
}

}  // namespace

std::vector<CertificateReconciler::LiveSerial> CertificateReconciler::LiveSerials(const api::Certificate& cert) const {
  std::vector<LiveSerial> out;
  const std::string ca = IssuingCa(cert, *deps_.caches);
  if (!cert.status.serial_number.empty()) {
    out.push_back({cert.status.serial_number, ca, cert.status.crl_shard.value_or(0), cert.status.not_after,
                   cert.status.revision});
  }
  // A crash between writing the Secret and writing status leaves the Secret with a
  // newer serial than status names: the workload serves that one, so it is live too.
  if (cert.spec.secret_name.empty()) return out;
  auto secret = deps_.caches->certificate_secrets.store().Get(cert.metadata.ns + "/" + cert.spec.secret_name);
  if (!secret) return out;
  if (secret->certificate_name != cert.metadata.name) return out;
  const policy::SecretFacts facts = secret->Facts();
  if (facts.serial_number.empty() || facts.serial_number == cert.status.serial_number) {
    return out;
  }
  out.push_back({facts.serial_number, facts.ca_name.empty() ? ca : facts.ca_name, secret->CrlShard(), facts.not_after,
                 secret->Revision()});
  return out;
}

std::optional<kube::ReconcileResult> CertificateReconciler::ReconcileRevocation(const api::Certificate& cert,
                                                                                const std::string& key) {
  if (!cert.spec.revocation) return std::nullopt;
  const api::RevocationReason reason = cert.spec.revocation->reason;
  const bool hold = !api::IsFinal(reason);
  const std::string_view condition_reason = hold ? policy::kOnHold : policy::kRevoked;
  const std::vector<LiveSerial> live = LiveSerials(cert);
  if (live.empty()) {
    return Blocked(cert, condition_reason, "spec.revocation is set and no certificate was ever issued, so none will be",
                   false);
  }
  const Time now = api::ToTime(deps_.clock->WallNow());

  // Every serial that may be in use goes on the CRL before status says Revoked.
  bool waiting = false;
  std::optional<RevocationRecord> newest_record;
  const LiveSerial* newest = &live.front();
  for (const LiveSerial& s : live) {
    auto published = deps_.crl->Published(s.ca, s.shard, s.serial);
    if (!published.record || published.record->reason != reason) {
      deps_.crl->Revoke(
          s.ca, s.shard,
          {.serial_hex = s.serial, .revoked_at = now, .reason = reason, .not_after = NotAfterOr(s.not_after, now)},
          key);
      waiting = true;
      continue;
    }
    if (s.revision >= newest->revision) {
      newest = &s;
      newest_record = published.record;
    }
  }
  if (waiting) return kube::ReconcileResult::After(kRevocationRecheck);

  // On the CRL: say so. Status names the newest serial (the Secret's, after a crash),
  // the one it replaces kept in history as revoked too.
  api::CertificateStatus status = cert.status;
  if (newest->serial != status.serial_number) {
    const std::optional<Time> revoked_before = status.serial_number.empty() ? std::nullopt : std::optional(now);
    RecordSerial(status, newest->serial, std::nullopt, newest->not_after, newest->revision, newest->ca, newest->shard);
    if (revoked_before && !status.history.empty()) {
      status.history.front().revoked_at = newest_record->revoked_at;
      status.history.front().revocation_reason = reason;
    }
  }
  const RevocationRecord& record = *newest_record;
  const bool newly = !status.revocation_reason || *status.revocation_reason != reason;
  status.revoked_at = record.revoked_at;
  status.revocation_reason = reason;
  status.renewal_time.reset();
  status.observed_generation = cert.metadata.generation;
  std::string serials;
  for (const LiveSerial& s : live) serials += (serials.empty() ? "" : " and ") + s.serial;
  const std::string message = "serial " + serials + " is on the CRL of CertificateAuthority " + newest->ca +
                              " (reason " + std::string(api::ToString(reason)) + ", revoked " +
                              api::FormatTime(record.revoked_at) +
                              (hold ? "); remove spec.revocation to lift the hold" : "); it will not be renewed");
  api::SetCondition(status.conditions,
                    api::MakeCondition(api::kConditionRevoked, api::ConditionStatus::kTrue, condition_reason, message,
                                       cert.metadata.generation),
                    now);
  api::SetCondition(status.conditions,
                    api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, condition_reason, message,
                                       cert.metadata.generation),
                    now);
  api::RemoveCondition(status.conditions, api::kConditionIssuing);
  if (Status s = WriteStatus(cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  if (newly) {
    Event(cert, kube::EventType::kNormal, condition_reason, message);
    kube::Logger("certificates")
        ->info("revoked certificate={} serials={} reason={} ca={}", key, serials, api::ToString(reason), newest->ca);
  }
  return kube::ReconcileResult::Done();
}

std::optional<kube::ReconcileResult> CertificateReconciler::ReconcileLiftedHold(const api::Certificate& cert,
                                                                                const std::string& key) {
  if (cert.spec.revocation || !cert.status.revocation_reason || api::IsFinal(*cert.status.revocation_reason)) {
    return std::nullopt;
  }
  const std::string ca = IssuingCa(cert, *deps_.caches);
  const std::int32_t shard = cert.status.crl_shard.value_or(0);
  auto published = deps_.crl->Published(ca, shard, cert.status.serial_number);
  if (!published.loaded || published.record) {
    deps_.crl->Unrevoke(ca, shard, cert.status.serial_number, key);
    return kube::ReconcileResult::After(kRevocationRecheck);
  }
  api::CertificateStatus status = cert.status;
  status.revoked_at.reset();
  status.revocation_reason.reset();
  api::RemoveCondition(status.conditions, api::kConditionRevoked);
  if (Status s = WriteStatus(cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  Event(cert, kube::EventType::kNormal, "HoldLifted",
        "serial " + cert.status.serial_number + " left the CRL of CertificateAuthority " + ca);
  // The status write enqueues the Certificate again; that pass decides as usual.
  return kube::ReconcileResult::Done();
}

Status CertificateReconciler::SetFinalizers(const api::Certificate& cert, std::vector<std::string> finalizers) {
  // The resourceVersion makes the merge patch conditional, so a finalizer another
  // controller adds meanwhile is never overwritten.
  nlohmann::json patch = {
      {"metadata", {{"finalizers", std::move(finalizers)}, {"resourceVersion", cert.metadata.resource_version}}}};
  auto written = deps_.client->MergePatch(api::kCertificatesResource, cert.metadata.ns, cert.metadata.name, patch,
                                          {.field_manager = deps_.field_manager, .metadata_only = true});
  if (!written.ok()) {
    return written.status().WithContext("updating the finalizers of Certificate " + cert.metadata.ns + "/" +
                                        cert.metadata.name);
  }
  return Status::Ok();
}

Status CertificateReconciler::EnsureFinalizer(const api::Certificate& cert, const api::CertificateProfile& profile) {
  if (!profile.spec.revocation.revoke_on_delete || HasFinalizer(cert)) return Status::Ok();
  auto finalizers = cert.metadata.finalizers;
  finalizers.emplace_back(api::kRevokeOnDeleteFinalizer);
  return SetFinalizers(cert, std::move(finalizers));
}

kube::ReconcileResult CertificateReconciler::ReconcileDeletion(const api::Certificate& cert, const std::string& key) {
  if (!HasFinalizer(cert)) return kube::ReconcileResult::Done();
  const std::string& serial = cert.status.serial_number;
  const bool revoked = cert.status.revocation_reason && api::IsFinal(*cert.status.revocation_reason);
  const auto now = api::ToTime(deps_.clock->WallNow());
  const bool expired = cert.status.not_after && *cert.status.not_after < now;
  if (!serial.empty() && !revoked && !expired) {
    const std::string ca = IssuingCa(cert, *deps_.caches);
    const std::int32_t shard = cert.status.crl_shard.value_or(0);
    auto published = deps_.crl->Published(ca, shard, serial);
    if (!published.record || !api::IsFinal(published.record->reason)) {
      deps_.crl->Revoke(ca, shard,
                        {.serial_hex = serial,
                         .revoked_at = now,
                         .reason = api::RevocationReason::kCessationOfOperation,
                         .not_after = NotAfterOr(cert.status.not_after, now)},
                        key);
      return kube::ReconcileResult::After(kRevocationRecheck);
    }
    kube::Logger("certificates")
        ->info("revoked on delete certificate={} serial={} ca={} shard={}", key, serial, ca, shard);
  }
  auto finalizers = cert.metadata.finalizers;
  std::erase(finalizers, std::string(api::kRevokeOnDeleteFinalizer));
  if (Status s = SetFinalizers(cert, std::move(finalizers)); !s.ok()) return kube::ReconcileResult::Retry(s);
  return kube::ReconcileResult::Done();
}

bool CertificateReconciler::ReconcileSuperseded(const api::CertificateProfile& profile, api::CertificateStatus& status,
                                                const std::string& key) {
  if (!profile.spec.revocation.revoke_superseded_on_renewal || status.history.empty()) return false;
  api::CertificateHistoryEntry& last = status.history.front();
  // Only serials replaced while the profile asked for it carry their CA (older
  // entries, and serials replaced before this release, are left alone).
  if (last.ca_name.empty() || last.revoked_at) return false;
  const Time now = api::ToTime(deps_.clock->WallNow());
  if (last.not_after && *last.not_after < now) return false;
  const std::int32_t shard = last.crl_shard.value_or(0);
  auto published = deps_.crl->Published(last.ca_name, shard, last.serial_number);
  if (!published.record) {
    deps_.crl->Revoke(last.ca_name, shard,
                      {.serial_hex = last.serial_number,
                       .revoked_at = now,
                       .reason = api::RevocationReason::kSuperseded,
                       .not_after = NotAfterOr(last.not_after, now)},
                      key);
    return false;
  }
  last.revoked_at = published.record->revoked_at;
  last.revocation_reason = published.record->reason;
  return true;
}

}  // namespace certplane::reconcile

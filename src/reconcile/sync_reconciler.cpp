#include "reconcile/sync_reconciler.h"

#include <algorithm>

#include <openssl/crypto.h>

#include "api/certificate_sync_json.h"
#include "api/condition.h"
#include "api/merge_patch.h"
#include "api/well_known.h"
#include "kube/base64.h"
#include "kube/resource.h"
#include "policy/namespace_selector.h"
#include "reconcile/sync_material.h"
#include "sync/name_template.h"

namespace certplane::reconcile {
namespace {

using api::Time;

bool HasFinalizer(const api::CertificateSync& s) {
  const auto& f = s.metadata.finalizers;
  return std::find(f.begin(), f.end(), api::kSyncCleanupFinalizer) != f.end();
}

bool RemovesOnDelete(const api::CertificateSync& s) { return s.spec.deletion_policy != "Retain"; }

std::string SyncKey(const api::CertificateSync& s) { return s.metadata.ns + "/" + s.metadata.name; }

// The name template the destination uses; empty for ACM, which names nothing.
std::string NameTemplate(const api::CertificateSync& s) {
  if (s.spec.aws_secrets_manager) return s.spec.aws_secrets_manager->name_template;
  if (s.spec.azure_key_vault) return s.spec.azure_key_vault->name_template;
  return {};
}

// Key Vault's names are letters, digits and '-'; Secrets Manager's also allow /_+=.@.
Status CheckTemplateForDestination(const api::CertificateSync& s) {
  const std::string templ = NameTemplate(s);
  if (templ.empty()) return Status::Ok();
  CERTPLANE_RETURN_IF_ERROR(sync::CheckNamesApart(templ));
  if (s.spec.azure_key_vault && templ.find("{uid}") == std::string::npos) {
    return InvalidArgument("nameTemplate \"" + templ +
                           "\" must contain {uid}: Key Vault names allow only letters, digits and -, and a - may "
                           "occur in a namespace or a name, so only the uid names each certificate apart");
  }
  return Status::Ok();
}

api::SyncedCertificate* EntryOf(api::CertificateSyncStatus& status, const std::string& name) {
  for (auto& e : status.certificates) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

// Where a sync's credentials come from: the Secret it names, or the ServiceAccount whose
// token is exchanged for them (one of the two is set; the CRD requires exactly one).
struct AuthSource {
  std::string secret;
  std::string service_account;
};

AuthSource AuthOf(const api::CertificateSync& s) {
  if (const auto& d = s.spec.aws_certificate_manager) {
    return {d->auth.secret_name, d->auth.web_identity ? d->auth.web_identity->service_account_name : ""};
  }
  if (const auto& d = s.spec.aws_secrets_manager) {
    return {d->auth.secret_name, d->auth.web_identity ? d->auth.web_identity->service_account_name : ""};
  }
  if (const auto& d = s.spec.azure_key_vault) {
    return {d->auth.secret_name, d->auth.workload_identity ? d->auth.workload_identity->service_account_name : ""};
  }
  return {};
}

std::string Describe(const sync::SyncError& e) { return e.status.message(); }

// Overwrites a plain string that held key material or a credential, then empties it.
void Wipe(std::string& s) {
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

std::string DestinationKind(const api::CertificateSync& s) {
  if (s.spec.aws_certificate_manager) return "awsCertificateManager";
  if (s.spec.aws_secrets_manager) return "awsSecretsManager";
  if (s.spec.azure_key_vault) return "azureKeyVault";
  return "unknown";
}

namespace {}  // namespace

std::string_view SyncFailureReason(const sync::SyncError& error) {
  switch (error.status.code()) {
    case StatusCode::kResourceExhausted: return kSyncThrottledReason;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded: return kSyncUnavailableReason;
    case StatusCode::kUnauthenticated: return kSyncUnauthenticatedReason;
    case StatusCode::kPermissionDenied: return kSyncPermissionDeniedReason;
    default: return kSyncRefusedReason;
  }
}

SyncReconciler::SyncReconciler(SyncReconcilerDeps deps) : deps_(std::move(deps)) {}

std::vector<policy::SyncCandidate> SyncReconciler::Select(const api::CertificateSync& s) const {
  std::vector<policy::SyncCandidate> out;
  auto candidate = [&](const api::Certificate& c) {
    policy::SyncCandidate k;
    k.name = c.metadata.name;
    k.uid = c.metadata.uid;
    k.has_secret = !c.spec.secret_name.empty();
    k.ready = api::IsConditionTrue(c.status.conditions, api::kConditionReady);
    k.serial = c.status.serial_number;
    k.revoked = c.status.revoked_at.has_value();
    k.not_after = c.status.not_after;
    return k;
  };
  const std::string& ns = s.metadata.ns;
  if (!s.spec.certificates.names.empty()) {
    for (const std::string& name : s.spec.certificates.names) {
      auto cert = deps_.caches->certificates.store().Get(ns + "/" + name);
      if (!cert || !cert->metadata.deletion_timestamp.empty()) {
        out.push_back({.name = name, .exists = false});
        continue;
      }
      out.push_back(candidate(*cert));
    }
    return out;
  }
  const api::LabelSelector selector = s.spec.certificates.selector.value_or(api::LabelSelector{});
  for (const std::string& key : deps_.caches->CertificateKeysInNamespace(ns)) {
    auto cert = deps_.caches->certificates.store().Get(key);
    if (!cert || !cert->metadata.deletion_timestamp.empty()) continue;
    if (!policy::SelectorMatches(selector, cert->metadata.labels)) continue;
    out.push_back(candidate(*cert));
  }
  return out;
}

Result<SyncCredentials> SyncReconciler::ReadCredentials(const api::CertificateSync& s) {
  SyncCredentials creds;
  const AuthSource auth = AuthOf(s);
  const std::string& secret = auth.secret;
  if (!secret.empty()) {
    auto got = deps_.client->Get(kube::kSecrets, s.metadata.ns, secret);
    if (!got.ok()) return got.status().WithContext("reading the credentials Secret " + s.metadata.ns + "/" + secret);
    const nlohmann::json& object = got.value();
    if (auto data = object.find("data"); data != object.end() && data->is_object()) {
      for (const auto& [key, value] : data->items()) {
        if (!value.is_string()) continue;
        std::optional<std::string> decoded = kube::Base64Decode(value.get<std::string>());
        if (!decoded) continue;
        creds.secret_data.emplace(key, SensitiveString(*decoded));
        Wipe(*decoded);
      }
    }
    creds.secret_version = object.value("/metadata/resourceVersion"_json_pointer, "");
  }
  // Web and workload identity: a token of the named ServiceAccount from the TokenRequest
  // API, asked for whenever the provider needs a fresh one.
  if (const std::string& service_account = auth.service_account; !service_account.empty()) {
    creds.service_account_token = [client = deps_.client, ns = s.metadata.ns,
                                   service_account](const std::string& audience) -> Result<SensitiveString> {
      kube::RawRequest req;
      req.method = "POST";
      req.path = kube::Client::Path(kube::kServiceAccounts, ns, service_account, "token");
      req.body = nlohmann::json{{"apiVersion", "authentication.k8s.io/v1"},
                                {"kind", "TokenRequest"},
                                {"spec", {{"audiences", {audience}}, {"expirationSeconds", 3600}}}}
                     .dump();
      auto got = client->RawJson(req);
      if (!got.ok()) {
        return got.status().WithContext("requesting a token of ServiceAccount " + ns + "/" + service_account);
      }
      const std::string token = got.value().value("/status/token"_json_pointer, "");
      if (token.empty()) return Internal("the TokenRequest of " + ns + "/" + service_account + " returned no token");
      return SensitiveString(token);
    };
  }
  return creds;
}

Result<std::shared_ptr<sync::Destination>> SyncReconciler::DestinationFor(const api::CertificateSync& s) {
  Result<SyncCredentials> creds = ReadCredentials(s);
  if (!creds.ok()) return creds.status();
  const std::string made_for = std::to_string(s.metadata.generation) + "/" + creds->secret_version;
  std::lock_guard lock(mu_);
  CachedDestination& cached = destinations_[s.metadata.uid];
  if (cached.destination && cached.made_for == made_for) return cached.destination;
  Result<std::shared_ptr<sync::Destination>> made = deps_.destinations->Make(s, *creds);
  if (!made.ok()) return made.status();
  // One destination per sync: a new generation or new credentials replace the old.
  cached = {made_for, *made};
  return made;
}

void SyncReconciler::Event(const api::CertificateSync& s, kube::EventType type, std::string_view reason,
                           std::string note) {
  if (deps_.events == nullptr) return;
  kube::ObjectReference ref{std::string(api::kApiVersion), std::string(api::kCertificateSyncKind), s.metadata.ns,
                            s.metadata.name, s.metadata.uid};
  deps_.events->Record(ref, type, std::string(reason), "Sync", std::move(note));
}

void SyncReconciler::Push(const api::CertificateSync& s, sync::Destination& dest, const policy::SyncCandidate& cert,
                          api::SyncedCertificate& entry, Time now) {
  entry.uid = cert.uid;
  auto fail = [&](std::string_view reason, const std::string& message,
                  std::optional<std::chrono::seconds> retry_after) {
    policy::RecordSyncFailure(entry, reason, message, now, deps_.backoff, retry_after);
    Event(s, kube::EventType::kWarning, "PushFailed", "Certificate " + cert.name + ": " + message);
    if (deps_.metrics) deps_.metrics->SyncPushFailed(DestinationKind(s), reason);
  };
  // The key and chain come from the Secret, read now and never cached.
  auto c = deps_.caches->certificates.store().Get(s.metadata.ns + "/" + cert.name);
  if (!c) return;  // gone meanwhile: the next pass forgets or removes it
  auto secret = deps_.client->Get(kube::kSecrets, s.metadata.ns, c->spec.secret_name);
  if (!secret.ok()) {
    fail(kSyncFailedReason, "reading Secret " + c->spec.secret_name + ": " + secret.status().message(), std::nullopt);
    return;
  }
  std::map<std::string, std::string> data;
  if (auto d = secret.value().find("data"); d != secret.value().end() && d->is_object()) {
    for (const auto& [key, value] : d->items()) {
      if (key != "tls.crt" && key != "tls.key" && key != "ca.crt") continue;
      if (auto decoded = kube::Base64Decode(value.is_string() ? value.get<std::string>() : "")) data[key] = *decoded;
    }
  }
  Result<sync::CertificateMaterial> material = MaterialFromSecret(data, cert.serial, s.spec.include_root);
  for (auto& entry : data) Wipe(entry.second);  // the key text leaves no copy behind
  if (!material.ok()) {
    fail(kSyncFailedReason, "Secret " + c->spec.secret_name + ": " + material.status().message(), std::nullopt);
    return;
  }
  sync::PushTarget target{.certificate_uid = cert.uid,
                          .certificate = s.metadata.ns + "/" + cert.name,
                          .known_id = entry.uid == cert.uid ? entry.destination_id : std::string()};
  if (const std::string templ = NameTemplate(s); !templ.empty()) {
    Result<std::string> name =
        sync::RenderName(templ, {.namespace_ = s.metadata.ns, .name = cert.name, .uid = cert.uid});
    if (!name.ok()) {
      fail(kSyncInvalidReason, name.status().message(), std::nullopt);
      return;
    }
    target.name = *name;
  }
  sync::SyncResult<sync::PushResult> pushed = dest.Push(target, *material);
  if (!pushed.ok()) {
    fail(SyncFailureReason(pushed.error()), Describe(pushed.error()), pushed.error().retry_after);
    return;
  }
  entry.destination_id = pushed->id;
  entry.version = pushed->version;
  entry.serial_number = cert.serial;
  entry.synced_at = now;
  entry.synced = "True";
  entry.reason = std::string(policy::kSyncedReason);
  entry.message.clear();
  entry.failed_attempts = 0;
  entry.next_attempt_time.reset();
  Event(s, kube::EventType::kNormal, "Pushed",
        "Certificate " + cert.name + " serial " + cert.serial + " pushed to " + pushed->id +
            (pushed->adopted ? " (adopted the object tagged with its uid)" : ""));
  if (deps_.metrics) deps_.metrics->SyncPushed(DestinationKind(s));
}

bool SyncReconciler::Remove(const api::CertificateSync& s, sync::Destination& dest, api::SyncedCertificate& entry,
                            Time now) {
  sync::PushTarget target{
      .certificate_uid = entry.uid, .certificate = s.metadata.ns + "/" + entry.name, .known_id = entry.destination_id};
  if (const std::string templ = NameTemplate(s); !templ.empty()) {
    Result<std::string> name =
        sync::RenderName(templ, {.namespace_ = s.metadata.ns, .name = entry.name, .uid = entry.uid});
    if (name.ok()) target.name = *name;
  }
  sync::SyncStatus removed = dest.Remove(target);
  if (!removed.ok()) {
    policy::RecordSyncFailure(entry, SyncFailureReason(removed.error()), "removing: " + Describe(removed.error()), now,
                              deps_.backoff, removed.error().retry_after);
    Event(s, kube::EventType::kWarning, "RemoveFailed", "Certificate " + entry.name + ": " + entry.message);
    if (deps_.metrics) deps_.metrics->SyncPushFailed(DestinationKind(s), entry.reason);
    return false;
  }
  Event(s, kube::EventType::kNormal, "Removed", "Certificate " + entry.name + ": removed " + entry.destination_id);
  entry.destination_id.clear();
  entry.version.clear();
  entry.failed_attempts = 0;
  entry.next_attempt_time.reset();
  return true;
}

kube::ReconcileResult SyncReconciler::Reconcile(const kube::Request& request) {
  auto cached = deps_.caches->syncs.store().Get(request.Key());
  // Gone: its finalizer (if it had one) was released after cleaning up, which also
  // dropped its destination.
  if (!cached) return kube::ReconcileResult::Done();
  const api::CertificateSync& s = *cached;
  const Time now = api::ToTime(deps_.clock->WallNow());
  const bool deleting = !s.metadata.deletion_timestamp.empty();
  if (deleting && !HasFinalizer(s)) return kube::ReconcileResult::Done();

  // The finalizer follows the deletion policy: Remove needs the chance to clean up.
  if (!deleting && RemovesOnDelete(s) != HasFinalizer(s)) {
    std::vector<std::string> finalizers;
    for (const auto& f : s.metadata.finalizers) {
      if (f != api::kSyncCleanupFinalizer) finalizers.push_back(f);
    }
    if (RemovesOnDelete(s)) finalizers.emplace_back(api::kSyncCleanupFinalizer);
    if (Status st = SetFinalizers(s, std::move(finalizers)); !st.ok()) return kube::ReconcileResult::Retry(st);
    return kube::ReconcileResult::Done();  // the update brings it back
  }

  api::CertificateSyncStatus status = s.status;
  if (Status valid = CheckTemplateForDestination(s); !valid.ok() && !deleting) {
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, kSyncInvalidReason,
                                         valid.message(), s.metadata.generation),
                      now);
    status.observed_generation = s.metadata.generation;
    if (Status w = WriteStatus(s, status); !w.ok()) return kube::ReconcileResult::Retry(w);
    return kube::ReconcileResult::Done();  // until the spec changes
  }

  policy::SyncPlanInput input{.selected = deleting ? std::vector<policy::SyncCandidate>{} : Select(s),
                              .status = s.status,
                              .generation = s.metadata.generation,
                              .remove_on_delete = RemovesOnDelete(s),
                              .sync_being_deleted = deleting,
                              .now = now};
  policy::SyncPlan plan = policy::PlanSync(input);
  std::map<std::string, const policy::SyncCandidate*> by_name;
  for (const auto& c : input.selected) by_name[c.name] = &c;

  const bool needs_destination = std::any_of(plan.steps.begin(), plan.steps.end(), [](const policy::SyncStep& st) {
    return st.action == policy::SyncAction::kPush || st.action == policy::SyncAction::kRemove;
  });
  std::shared_ptr<sync::Destination> dest;
  std::string destination_error;
  if (needs_destination) {
    Result<std::shared_ptr<sync::Destination>> made = DestinationFor(s);
    if (made.ok()) {
      dest = *made;
    } else {
      destination_error = made.status().message();
    }
  }

  std::optional<Time> wake_at = plan.wake_at;
  auto wake = [&](const api::SyncedCertificate& e) {
    if (e.next_attempt_time && (!wake_at || *e.next_attempt_time < *wake_at)) wake_at = *e.next_attempt_time;
  };
  std::vector<api::SyncedCertificate> entries;
  for (const policy::SyncStep& step : plan.steps) {
    api::SyncedCertificate entry;
    if (api::SyncedCertificate* old = EntryOf(status, step.name)) entry = *old;
    entry.name = step.name;
    const policy::SyncCandidate* cert = by_name.count(step.name) ? by_name[step.name] : nullptr;
    switch (step.action) {
      case policy::SyncAction::kPush:
      case policy::SyncAction::kRemove:
        if (!dest) {
          policy::RecordSyncFailure(entry, kSyncCredentialsReason, destination_error, now, deps_.backoff, std::nullopt);
          wake(entry);
          break;
        }
        if (step.action == policy::SyncAction::kPush) {
          Push(s, *dest, *cert, entry, now);
        } else if (Remove(s, *dest, entry, now)) {
          if (!cert) continue;  // not selected any more: forgotten once removed
          entry.synced = "False";
          entry.reason = step.reason;
          entry.message = step.message;
        }
        wake(entry);
        break;
      case policy::SyncAction::kForget: continue;
      case policy::SyncAction::kReport:
        if (cert) entry.uid = cert->uid;
        if (step.reason != policy::kSyncedReason) {
          entry.synced = "False";
          entry.reason = step.reason;
          entry.message = step.message;
        }
        break;
      case policy::SyncAction::kWait: break;
    }
    entries.push_back(std::move(entry));
  }
  status.certificates = std::move(entries);
  status.synced_certificates = static_cast<std::int32_t>(std::count_if(
      status.certificates.begin(), status.certificates.end(), [](const auto& e) { return e.synced == "True"; }));
  status.observed_generation = s.metadata.generation;

  // Ready: every selected certificate that can be pushed is synced.
  const api::SyncedCertificate* first_bad = nullptr;
  for (const auto& e : status.certificates) {
    if (e.synced == "True" || e.reason == policy::kSyncNoPrivateKeyReason || e.reason == policy::kSyncRevokedReason ||
        e.reason == policy::kSyncExpiredReason) {
      continue;
    }
    first_bad = &e;
    break;
  }
  api::Condition ready =
      first_bad == nullptr
          ? api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, policy::kSyncedReason,
                               std::to_string(status.synced_certificates) + " certificate(s) synced",
                               s.metadata.generation)
          : api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse,
                               first_bad->reason.empty() ? std::string(policy::kSyncPendingReason) : first_bad->reason,
                               "Certificate " + first_bad->name + ": " + first_bad->message, s.metadata.generation);
  api::SetCondition(status.conditions, ready, now);

  if (deleting && status.certificates.empty()) {
    if (Status w = WriteStatus(s, status); !w.ok()) return kube::ReconcileResult::Retry(w);
    std::vector<std::string> finalizers;
    for (const auto& f : s.metadata.finalizers) {
      if (f != api::kSyncCleanupFinalizer) finalizers.push_back(f);
    }
    if (Status st = SetFinalizers(s, std::move(finalizers)); !st.ok()) return kube::ReconcileResult::Retry(st);
    std::lock_guard lock(mu_);
    destinations_.erase(s.metadata.uid);
    return kube::ReconcileResult::Done();
  }
  if (Status w = WriteStatus(s, status); !w.ok()) return kube::ReconcileResult::Retry(w);
  if (wake_at) return kube::ReconcileResult::After(std::max<kube::Duration>(*wake_at - now, std::chrono::seconds(1)));
  return kube::ReconcileResult::Done();
}

Status SyncReconciler::WriteStatus(const api::CertificateSync& s, const api::CertificateSyncStatus& desired) {
  if (desired == s.status) return Status::Ok();
  nlohmann::json body = {
      {"metadata", {{"resourceVersion", s.metadata.resource_version}}},
      {"status",
       api::CreateMergePatch(api::EncodeCertificateSyncStatus(s.status), api::EncodeCertificateSyncStatus(desired))},
  };
  auto written = deps_.client->MergePatch(api::kCertificateSyncsResource, s.metadata.ns, s.metadata.name, body,
                                          {.field_manager = deps_.field_manager, .subresource = "status"});
  if (!written.ok()) return written.status().WithContext("updating the status of CertificateSync " + SyncKey(s));
  return Status::Ok();
}

Status SyncReconciler::SetFinalizers(const api::CertificateSync& s, std::vector<std::string> finalizers) {
  nlohmann::json patch = {
      {"metadata", {{"finalizers", std::move(finalizers)}, {"resourceVersion", s.metadata.resource_version}}}};
  auto written = deps_.client->MergePatch(api::kCertificateSyncsResource, s.metadata.ns, s.metadata.name, patch,
                                          {.field_manager = deps_.field_manager});
  if (!written.ok()) return written.status().WithContext("updating the finalizers of CertificateSync " + SyncKey(s));
  return Status::Ok();
}

}  // namespace certplane::reconcile

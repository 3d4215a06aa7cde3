#include "reconcile/ocsp_maintainer.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "api/certificate_authority_json.h"
#include "api/condition.h"
#include "api/well_known.h"
#include "kube/logging.h"
#include "pki/issue.h"
#include "pki/key.h"

namespace certplane::reconcile {
namespace {

// The API server refuses a ConfigMap over 1 MiB; stop well before.
constexpr std::size_t kIssuedRecordLimit = std::size_t{900} * 1024;

bool Ready(const api::CertificateAuthority& ca) {
  return api::IsConditionTrue(ca.status.conditions, api::kConditionReady) && !ca.status.certificate.empty();
}

kube::ObjectReference RefOf(const api::CertificateAuthority& ca) {
  return {std::string(api::kApiVersion), std::string(api::kCertificateAuthorityKind), "", ca.metadata.name,
          ca.metadata.uid};
}

std::int64_t Unix(pki::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// When a responder certificate is replaced: two thirds into its life.
pki::TimePoint RenewAt(const pki::Certificate& signer) {
  return signer.not_before() + (signer.not_after() - signer.not_before()) * 2 / 3;
}

Result<OcspIdentity> IssueResponder(const std::string& ca, const std::string& key_id, const pki::Issuer& issuer,
                                    kube::Duration validity, pki::TimePoint now) {
  auto key = pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256);
  if (!key.ok()) return key.status().WithContext("generating an OCSP responder key");
  pki::CertificateSpec spec;
  std::string cn = ca + " OCSP responder";
  if (cn.size() > 64) cn = "OCSP responder " + key_id;
  spec.subject.common_name = cn;
  spec.validity = std::chrono::duration_cast<std::chrono::seconds>(validity);
  spec.key_usages = {pki::KeyUsage::kDigitalSignature};
  spec.extended_key_usages = {pki::ExtendedKeyUsage::kOcspSigning};
  spec.ocsp_no_check = true;
  spec.truncate_to_issuer = true;
  auto cert = pki::IssueCertificate(spec, key->public_key(), issuer, now);
  if (!cert.ok()) return cert.status().WithContext("issuing the OCSP responder certificate of key " + key_id);
  return OcspIdentity{.key_id = key_id, .issuer = issuer.certificate(), .signer = {std::move(*cert), std::move(*key)}};
}

// How often a reconcile looks again while the caches lag behind its own write, and for
// how long at most (someone else may have changed or deleted the object meanwhile).
constexpr auto kWrittenRecheck = std::chrono::milliseconds(250);
constexpr auto kWrittenDeadline = std::chrono::seconds(10);

std::string ResourceVersionOf(const nlohmann::json& object) {
  return object.value("/metadata/resourceVersion"_json_pointer, std::string());
}

// The key of a record shard's expectation.
std::string RecordKey(const std::string& ca, int shard) { return "record/" + ca + "/" + std::to_string(shard); }

}  // namespace

std::string OcspUrl(const std::string& public_base_url, const std::string& ca) {
  if (public_base_url.empty()) return "";
  std::string base = public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/ocsp/" + ca;
}

OcspMaintainer::OcspMaintainer(OcspMaintainerDeps deps) : deps_(std::move(deps)) {
  if (!deps_.clock) deps_.clock = kube::SystemClock();
}

std::vector<std::string> OcspMaintainer::Departed(const api::Certificate& cert) {
  std::vector<std::string> cas;
  std::lock_guard lock(departed_mu_);
  auto add = [&](const std::string& ca, const std::string& serial, const std::optional<api::Time>& not_after) {
    if (ca.empty() || serial.empty() || !not_after) return;
    departed_[ca].emplace(serial, Unix(*not_after));
    if (std::find(cas.begin(), cas.end(), ca) == cas.end()) cas.push_back(ca);
  };
  add(cert.status.ca_name, cert.status.serial_number, cert.status.not_after);
  for (const auto& h : cert.status.history) add(h.ca_name, h.serial_number, h.not_after);
  return cas;
}

kube::ReconcileResult OcspMaintainer::Reconcile(const kube::Request& request) {
  const std::string& name = request.name;
  auto ca = deps_.caches->cas.store().Get(name);
  if (!ca || !Ready(*ca)) return kube::ReconcileResult::Done();
  auto material = deps_.signers->Get(name);
  if (!material.ok()) return kube::ReconcileResult::Retry(material.status());
  const pki::TimePoint now = deps_.clock->WallNow();
  const std::string& ns = deps_.caches->controller_namespace();
  // Only resourceVersions are read back from these writes: the signer keys and the
  // record (half a megabyte at 10,000 certificates) do not come back.
  const kube::WriteOptions options{.field_manager = deps_.field_manager, .metadata_only = true};
  auto log = kube::Logger("ocsp");

  // Gather: the keys that need a responder, and what the caches hold.
  struct Key {
    std::string id;
    const pki::Issuer* issuer;
  };
  std::vector<Key> keys{{(*material)->key_id, &(*material)->issuer}};
  for (const auto& r : (*material)->retired) keys.push_back({r.key_id, &r.issuer});
  auto cached_signers = deps_.caches->OcspSignersOf(name);
  const auto shards = deps_.caches->IssuedSerialsOf(name);  // by shard number
  if (written_.Pending("signers/" + name, cached_signers ? cached_signers->metadata.resource_version : "", now)) {
    return kube::ReconcileResult::After(kWrittenRecheck);
  }
  int highest_shard = shards.empty() ? 0 : shards.back()->shard;
  if (auto it = highest_shard_written_.find(name); it != highest_shard_written_.end()) {
    highest_shard = std::max(highest_shard, it->second);
  }
  for (int k = 0; k <= highest_shard; ++k) {
    auto cached = std::find_if(shards.begin(), shards.end(), [k](const auto& s) { return s->shard == k; });
    if (written_.Pending(RecordKey(name, k), cached != shards.end() ? (*cached)->metadata.resource_version : "", now)) {
      return kube::ReconcileResult::After(kWrittenRecheck);
    }
  }

  // Decide and act: responders.
  std::vector<OcspIdentity> identities;
  bool changed = !cached_signers || !cached_signers->invalid.empty();
  pki::TimePoint next = now + std::chrono::hours(1);
  for (const Key& key : keys) {
    const OcspIdentity* have = cached_signers ? cached_signers->Find(key.id) : nullptr;
    if (have != nullptr && have->issuer == key.issuer->certificate() && now < RenewAt(have->signer.certificate)) {
      identities.push_back(*have);
    } else {
      auto fresh = IssueResponder(name, key.id, *key.issuer, deps_.signer_validity, now);
      if (!fresh.ok()) {
        if (key.id == (*material)->key_id) return kube::ReconcileResult::Retry(fresh.status());
        log->warn("no OCSP responder for a retired key ca={} key={}: {}", name, key.id, fresh.status().message());
        continue;
      }
      log->info("issued OCSP responder certificate ca={} key={} serial={} not_after={}", name, key.id,
                fresh->signer.certificate.serial().ToHex(),
                api::FormatTime(api::ToTime(fresh->signer.certificate.not_after())));
      identities.push_back(std::move(*fresh));
      changed = true;
    }
    next = std::min(next, RenewAt(identities.back().signer.certificate));
  }
  if (cached_signers && cached_signers->identities.size() != identities.size()) changed = true;
  if (changed) {
    auto data = EncodeOcspSignerData(identities);
    if (!data.ok()) return kube::ReconcileResult::Retry(data.status());
    nlohmann::json metadata = {
        {"name", OcspSignerSecretName(name)},
        {"namespace", ns},
        {"labels", {{"app.kubernetes.io/managed-by", "certplane"}, {std::string(kOcspSignerOfLabel), name}}}};
    auto write = [&]() -> kube::ApiResult<nlohmann::json> {
      if (cached_signers) {
        // The controller may patch Secrets, never update them (the chart's RBAC); the
        // resourceVersion in the patch keeps the write conditional all the same. Keys of
        // responders no longer wanted are removed (null in a merge patch).
        auto drop = [&](const std::string& id) {
          for (const char* suffix : {".crt", ".key"}) {
            if (!data->contains(id + suffix)) (*data)[id + suffix] = nullptr;
          }
        };
        for (const auto& old : cached_signers->identities) drop(old.key_id);
        for (const auto& [id, why] : cached_signers->invalid) drop(id);
        metadata["resourceVersion"] = cached_signers->metadata.resource_version;
        return deps_.client->MergePatch(kube::kSecrets, ns, OcspSignerSecretName(name),
                                        {{"metadata", std::move(metadata)}, {"data", std::move(*data)}}, options);
      } else {
        nlohmann::json body = {{"apiVersion", "v1"},
                               {"kind", "Secret"},
                               {"type", "Opaque"},
                               {"metadata", std::move(metadata)},
                               {"data", std::move(*data)}};
        return deps_.client->Create(kube::kSecrets, ns, body, options);
      }
    };
    auto written = write();
    if (!written.ok()) {
      return kube::ReconcileResult::Retry(
          written.status().WithContext("writing Secret " + ns + "/" + OcspSignerSecretName(name)));
    }
    written_.Expect("signers/" + name, ResourceVersionOf(*written), now + kWrittenDeadline);
  }

  // Decide and act: the record of issued serials, shard by shard.
  auto recorded = [&shards](const std::string& serial) {
    return std::any_of(shards.begin(), shards.end(), [&](const auto& s) { return s->Contains(serial); });
  };
  const bool record_usable =
      !shards.empty() && std::all_of(shards.begin(), shards.end(), [](const auto& s) { return s->invalid.empty(); });
  // Serials of deleted Certificates that the record may not hold yet: never paced.
  IssuedSerialMap departed;
  {
    std::lock_guard lock(departed_mu_);
    if (auto it = departed_.find(name); it != departed_.end()) departed = it->second;
  }
  const bool departed_missing =
      std::any_of(departed.begin(), departed.end(), [&](const auto& kv) { return !recorded(kv.first); });
  // Finding what to add visits (and unpacks) every Certificate the CA issued, so it
  // waits with the write it could lead to, as a profile's recount does: in a storm of
  // 100,000 renewals the maintainer ran about once a second.
  const kube::Duration record_wait =
      record_usable && !departed_missing
          ? PacedWriteDelay(record_writes_.LastWrite(name), deps_.clock->Now(), deps_.record_interval)
          : kube::Duration::zero();
  // What the status counts: the record as written, now or when the held-back write goes.
  std::size_t issued_count = 0;
  for (const auto& shard : shards) issued_count += shard->serials.size();
  if (record_wait > kube::Duration::zero()) {
    next = std::min(next, now + std::chrono::duration_cast<std::chrono::system_clock::duration>(record_wait));
  } else {
    // What the caches add is collected apart from the record rather than into a copy of
    // it: at 10,000 certificates the record is 10,000 map entries (1.3 MiB).
    const std::int64_t ca_not_after = Unix((*material)->issuer.certificate().not_after());
    const std::int64_t now_unix = Unix(now);
    // With several shards, one set over all of them for this scan: a serial's shard
    // depends on when it was recorded, and asking each shard's map in turn cost about a
    // microsecond a shard for each of 200,000 serials in a storm of 100,000 renewals.
    std::unordered_set<std::string_view> in_record;
    if (shards.size() > 1) {
      std::size_t total = 0;
      for (const auto& shard : shards) total += shard->serials.size();
      in_record.reserve(total);
      for (const auto& shard : shards) {
        for (const auto& kv : shard->serials) in_record.insert(kv.first);  // views into `shards`, held to the end
      }
    }
    auto already_recorded = [&](const std::string& serial) {
      return shards.size() > 1 ? in_record.contains(serial) : recorded(serial);
    };
    IssuedSerialMap added;  // serials the record lacks, unexpired
    auto note = [&](const std::string& serial, std::int64_t not_after) {
      if (serial.empty() || not_after < now_unix || already_recorded(serial)) return;
      added.emplace(serial, not_after);
    };
    deps_.caches->ForEachCertificateIssuedBy(name, [&](const std::shared_ptr<const api::Certificate>& cert) {
      if (cert->status.ca_name == name) {
        note(cert->status.serial_number, cert->status.not_after ? Unix(*cert->status.not_after) : ca_not_after);
      }
      for (const auto& h : cert->status.history) {
        if (h.ca_name == name) note(h.serial_number, h.not_after ? Unix(*h.not_after) : ca_not_after);
      }
    });
    for (const auto& [serial, not_after] : departed) note(serial, not_after);

    auto plans = PlanIssuedSerialShards(shards, added, now_unix, deps_.serials_per_shard);
    issued_count = 0;
    for (const IssuedSerialShardPlan& plan : plans) issued_count += plan.live + plan.added.size();
    for (const IssuedSerialShardPlan& plan : plans) {
      if (!plan.Changes()) continue;
      const std::string shard_name = IssuedSerialsConfigMapName(name, plan.shard);
      static const IssuedSerialMap kNone;
      std::string text = FormatIssuedSerials(plan.cached ? plan.cached->serials : kNone, plan.added, now_unix);
      if (text.size() > kIssuedRecordLimit) {  // only with a serials_per_shard far above the default
        if (deps_.events) {
          deps_.events->Record(RefOf(*ca), kube::EventType::kWarning, "IssuedSerialsFull", "RecordIssuedSerials",
                               "shard " + std::to_string(plan.shard) + " of the record would not fit one ConfigMap");
        }
        // Paced like a write: a full record is not looked at again before the interval.
        record_writes_.Wrote(name, deps_.clock->Now());
        return kube::ReconcileResult::Retry(
            FailedPrecondition("ConfigMap " + shard_name + " would exceed the API server's size limit"));
      }
      nlohmann::json labels = {{"app.kubernetes.io/managed-by", "certplane"},
                               {std::string(kIssuedSerialsOfLabel), name}};
      if (plan.shard != 0) labels[std::string(kIssuedSerialsShardLabel)] = std::to_string(plan.shard);
      nlohmann::json metadata = {{"name", shard_name}, {"namespace", ns}, {"labels", std::move(labels)}};
      if (plan.cached) metadata["resourceVersion"] = plan.cached->metadata.resource_version;
      nlohmann::json body = {{"apiVersion", "v1"},
                             {"kind", "ConfigMap"},
                             {"metadata", std::move(metadata)},
                             {"data", {{std::string(kIssuedSerialsKey), std::move(text)}}}};
      auto written = plan.cached ? deps_.client->Update(kube::kConfigMaps, ns, body, options)
                                 : deps_.client->Create(kube::kConfigMaps, ns, body, options);
      if (!written.ok()) {
        return kube::ReconcileResult::Retry(written.status().WithContext("writing ConfigMap " + ns + "/" + shard_name));
      }
      record_writes_.Wrote(name, deps_.clock->Now());
      written_.Expect(RecordKey(name, plan.shard), ResourceVersionOf(*written), now + kWrittenDeadline);
      int& highest = highest_shard_written_[name];
      highest = std::max(highest, plan.shard);
    }
  }
  if (record_wait == kube::Duration::zero() && !departed.empty()) {
    // Written (or already there): the record holds them now.
    std::lock_guard lock(departed_mu_);
    auto it = departed_.find(name);
    if (it != departed_.end()) {
      for (const auto& [serial, not_after] : departed) it->second.erase(serial);
      if (it->second.empty()) departed_.erase(it);
    }
  }

  // The CA's status.
  api::OcspStatus status;
  status.url = OcspUrl(deps_.public_base_url, name);
  status.secret_name = OcspSignerSecretName(name);
  status.issued_serials = static_cast<std::int64_t>(issued_count);
  for (const auto& id : identities) {
    status.signers.push_back({.key_id = id.key_id,
                              .serial_number = id.signer.certificate.serial().ToHex(),
                              .not_after = api::ToTime(id.signer.certificate.not_after())});
  }
  if (!ca->status.ocsp || !(*ca->status.ocsp == status)) {
    api::CertificateAuthorityStatus only;
    only.ocsp = status;
    nlohmann::json patch = {{"status", {{"ocsp", api::EncodeCertificateAuthorityStatus(only)["ocsp"]}}}};
    auto written = deps_.client->MergePatch(
        api::kCertificateAuthoritiesResource, "", name, patch,
        {.field_manager = deps_.field_manager, .subresource = "status", .metadata_only = true});
    if (!written.ok()) {
      return kube::ReconcileResult::Retry(
          written.status().WithContext("recording the OCSP responder in the status of CertificateAuthority " + name));
    }
  }
  return kube::ReconcileResult::After(
      std::max<kube::Duration>(std::chrono::duration_cast<kube::Duration>(next - now), std::chrono::seconds(1)));
}

}  // namespace certplane::reconcile

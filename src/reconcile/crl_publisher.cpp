#include "reconcile/crl_publisher.h"

#include <algorithm>
#include <charconv>

#include "api/condition.h"
#include "api/defaults.h"
#include "api/pki_mapping.h"
#include "api/well_known.h"
#include "crl/crl_config_map.h"
#include "kube/base64.h"
#include "kube/logging.h"
#include "pki/crl.h"
#include "pki/serial.h"
#include "policy/hash.h"
#include "reconcile/crl_plan.h"
#include "reconcile/crl_signing.h"

namespace certplane::reconcile {
namespace {

constexpr std::string_view kIssuerFingerprintAnnotation = "certplane.io/crl-issuer-fingerprint";
constexpr std::string_view kShardCountAnnotation = "certplane.io/crl-shard-count";
// The API server refuses a ConfigMap whose data exceeds 1 MiB.
constexpr std::size_t kConfigMapLimit = std::size_t{1024} * 1024;

template <typename Int>
Int ParseInt(const std::string* text, Int fallback) {
  if (text == nullptr) return fallback;
  Int out = fallback;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), out);
  return ec == std::errc() && ptr == text->data() + text->size() ? out : fallback;
}

bool Ready(const api::CertificateAuthority& ca) {
  return api::IsConditionTrue(ca.status.conditions, api::kConditionReady) && !ca.status.certificate.empty();
}

CrlUrlSource UrlSource(const api::CertificateAuthority& ca, const std::string& base) {
  const auto& delta = ca.spec.crl.delta;
  return {.spec_urls = ca.spec.crl.distribution_point_urls,
          .public_base_url = base,
          .ca = ca.metadata.name,
          .deltas = delta.has_value(),
          .delta_spec_urls = delta ? delta->distribution_point_urls : std::vector<std::string>{}};
}

// The bytes a ConfigMap holds for its complete CRLs (crl.pem, crl.der, crl-<id>.der), so
// a write of the ledger and delta alone can tell whether the whole still fits.
std::size_t CompleteCrlBytes(const nlohmann::json& cm) {
  std::size_t bytes = 0;
  for (const char* field : {"data", "binaryData"}) {
    auto d = cm.find(field);
    if (d == cm.end() || !d->is_object()) continue;
    for (const auto& [key, value] : d->items()) {
      if (!value.is_string()) continue;
      if (key == api::kCrlLedgerKey || key.starts_with("delta")) continue;
      bytes += value.get_ref<const std::string&>().size();
    }
  }
  return bytes;
}

// "a,b" -> {"a", "b"}, sorted as the decision compares them.
std::vector<std::string> SplitKeyIds(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

kube::ObjectReference RefOf(const api::CertificateAuthority& ca) {
  return {std::string(api::kApiVersion), std::string(api::kCertificateAuthorityKind), "", ca.metadata.name,
          ca.metadata.uid};
}

}  // namespace

CrlPublisher::CrlPublisher(CrlPublisherDeps deps) : deps_(std::move(deps)) {
  if (!deps_.clock) deps_.clock = kube::SystemClock();
}

void CrlPublisher::Revoke(const std::string& ca, std::int32_t shard, RevocationRecord record, std::string waiter) {
  {
    MutexLock lock(mu_);
    cas_[ca].pending.push_back({Pending::Kind::kRevoke, shard, std::move(record), std::move(waiter)});
  }
  if (deps_.schedule) deps_.schedule(ca, deps_.batch_window);
}

void CrlPublisher::Unrevoke(const std::string& ca, std::int32_t shard, std::string serial_hex, std::string waiter) {
  {
    MutexLock lock(mu_);
    RevocationRecord record;
    record.serial_hex = std::move(serial_hex);
    cas_[ca].pending.push_back({Pending::Kind::kUnrevoke, shard, std::move(record), std::move(waiter)});
  }
  if (deps_.schedule) deps_.schedule(ca, deps_.batch_window);
}

CrlPublisher::Lookup CrlPublisher::Published(const std::string& ca, std::int32_t shard,
                                             const std::string& serial_hex) const {
  MutexLock lock(mu_);
  auto it = cas_.find(ca);
  if (it == cas_.end() || !it->second.loaded) return {};
  Lookup out{.loaded = true};
  auto s = it->second.shards.find(shard);
  if (s == it->second.shards.end()) return out;
  if (const RevocationRecord* r = s->second.ledger->Find(serial_hex)) out.record = *r;
  return out;
}

std::vector<std::string> CrlPublisher::ShardUrls(const api::CertificateAuthority& ca, std::int32_t shard) const {
  return ShardCrlUrls(UrlSource(ca, deps_.public_base_url), shard);
}

std::vector<std::string> CrlPublisher::ShardDeltaUrls(const api::CertificateAuthority& ca, std::int32_t shard) const {
  return ShardDeltaCrlUrls(UrlSource(ca, deps_.public_base_url), shard);
}

std::int32_t CrlPublisher::ShardForNewCertificate(const api::CertificateAuthority& ca,
                                                  const std::string& certificate_key) {
  const std::string& name = ca.metadata.name;
  ShardChoiceInput in{.configured_shards = ca.spec.crl.shards,
                      .max_entries_per_shard = ca.spec.crl.max_entries_per_shard,
                      .can_grow = CanShard(UrlSource(ca, deps_.public_base_url)),
                      .pick = policy::Fnv1a64(certificate_key)};
  std::int32_t known = ca.status.crl ? ca.status.crl->shards : 0;
  {
    MutexLock lock(mu_);
    const CaState& state = cas_[name];
    known = std::max(known, state.wanted_shards);
    if (state.loaded) {
      for (const auto& [index, shard] : state.shards) {
        known = std::max(known, index + 1);
        if (static_cast<std::int32_t>(in.load.size()) <= index) in.load.resize(index + 1, 0);
        in.load[index] += static_cast<std::int64_t>(shard.ledger->size());
      }
    }
    if (!state.loaded) {
      for (const auto& shard : deps_.caches->CrlShardsOfCa(name)) {
        if (shard->shard < 0 || shard->shard >= kMaxCrlShards) continue;
        known = std::max(known, shard->shard + 1);
        if (static_cast<std::int32_t>(in.load.size()) <= shard->shard) in.load.resize(shard->shard + 1, 0);
        in.load[shard->shard] += shard->entries;
      }
    }
  }
  known = std::clamp(std::max(known, ca.spec.crl.shards), 1, kMaxCrlShards);
  in.load.resize(known, 0);
  for (std::int32_t s = 0; s < known; ++s) {
    in.load[s] += static_cast<std::int64_t>(deps_.caches->CertificatesOnCrlShard(name, s));
  }
  const std::int32_t chosen = ChooseShard(in);
  if (chosen >= known) {
    {
      MutexLock lock(mu_);
      CaState& state = cas_[name];
      state.wanted_shards = std::max(state.wanted_shards, chosen + 1);
    }
    kube::Logger("crls")->info("opening CRL shard ca={} shard={} (every shard in use is near {} entries)", name, chosen,
                               ca.spec.crl.max_entries_per_shard);
    if (deps_.schedule) deps_.schedule(name, kube::Duration::zero());
  }
  return chosen;
}

void CrlPublisher::ShardDeleted(const std::string& ca, std::int32_t shard) {
  MutexLock lock(mu_);
  auto it = cas_.find(ca);
  if (it == cas_.end()) return;
  auto s = it->second.shards.find(shard);
  if (s != it->second.shards.end()) s->second.exists = false;
}

void CrlPublisher::Reset() {
  MutexLock lock(mu_);
  // Pending requests stay: their Certificates are not enqueued again by anything else.
  for (auto& [name, state] : cas_) {
    state.loaded = false;
    state.shards.clear();
    state.number = 0;
  }
}

Result<CrlPublisher::CaState> CrlPublisher::Load(const api::CertificateAuthority& ca) const {
  CaState state;
  state.loaded = true;
  if (ca.status.crl) state.number = static_cast<std::uint64_t>(std::max<std::int64_t>(0, ca.status.crl->number));
  const std::string selector =
      std::string(kCaNameLabel) + "=" + ca.metadata.name + "," + std::string(api::kCrlShardLabel);
  auto listed = deps_.client->ListEach(
      kube::kConfigMaps, deps_.caches->controller_namespace(), {.label_selector = selector},
      [&](nlohmann::json&& cm) -> Status {
        // The same decoding the caches use; a CRL that does not parse is no reason to
        // lose the ledger beside it, so only the name and shard must be right.
        auto decoded = crl::DecodeCrlConfigMap(cm);
        if (!decoded.ok()) return decoded.status();
        const std::string& name = decoded->metadata.name;
        if (decoded->shard < 0 || name != crl::CrlConfigMapName(ca.metadata.name, decoded->shard)) {
          return Status::Ok();  // not one this CA writes; leave it alone
        }
        std::string text;
        if (auto d = cm.find("data"); d != cm.end() && d->is_object())
          text = d->value(std::string(api::kCrlLedgerKey), "");
        auto ledger = ParseLedger(text);
        if (!ledger.ok()) {
          return ledger.status().WithContext("ConfigMap " + deps_.caches->controller_namespace() + "/" + name);
        }
        const auto& annotations = decoded->metadata.annotations;
        Shard shard;
        shard.ledger = std::make_shared<const Ledger>(std::move(*ledger));
        shard.exists = true;
        shard.resource_version = decoded->metadata.resource_version;
        shard.number = decoded->number;
        shard.this_update = decoded->this_update.value_or(api::Time{});
        shard.next_update = decoded->next_update.value_or(api::Time{});
        if (const std::string* fp = annotations.Find(kIssuerFingerprintAnnotation)) shard.issuer_fingerprint = *fp;
        shard.shard_count = ParseInt<std::int32_t>(annotations.Find(kShardCountAnnotation), 0);
        if (const std::string* id = annotations.Find(api::kCrlKeyIdAnnotation)) shard.key_id = *id;
        if (const std::string* ids = annotations.Find(api::kCrlRetiredKeysAnnotation)) {
          shard.retired_key_ids = SplitKeyIds(*ids);
        }
        shard.base_bytes = CompleteCrlBytes(cm);
        shard.delta_number = decoded->delta_number;
        shard.delta_next_update = decoded->delta_next_update.value_or(api::Time{});
        if (decoded->usable() && ca.spec.crl.delta) {
          // A delta is computed against what crl.der lists; one that cannot be read is
          // signed again, with a fresh delta (has_delta false decides that).
          if (auto base = EntriesOfCrl(decoded->der); base.ok()) {
            shard.base = std::make_shared<const BaseCrlEntries>(std::move(*base));
            shard.has_delta = decoded->delta_number != 0;
          }
        } else {
          shard.has_delta = decoded->delta_number != 0;
        }
        state.number = std::max({state.number, shard.number, shard.delta_number});
        state.shards[decoded->shard] = std::move(shard);
        return Status::Ok();
      });
  if (!listed.ok())
    return listed.status().WithContext("reading the CRL ConfigMaps of CertificateAuthority " + ca.metadata.name);
  return state;
}

Status CrlPublisher::WriteShard(const api::CertificateAuthority& ca, std::int32_t index, Shard& shard,
                                const ShardCrl& crl, const std::map<std::string, std::string>& retired_ders,
                                std::int32_t shard_count, SignedDelta delta) {
  const std::string& ns = deps_.caches->controller_namespace();
  const std::string name = crl::CrlConfigMapName(ca.metadata.name, index);
  std::string der_b64 = kube::Base64Encode(crl.der);
  nlohmann::json binary = nlohmann::json::object();
  std::size_t size = crl.ledger_text.size() + crl.pem.size() + der_b64.size();
  std::string retired_ids;
  for (const auto& [id, der] : retired_ders) {
    std::string b64 = kube::Base64Encode(der);
    size += b64.size();
    binary[crl::RetiredCrlDataKey(id)] = std::move(b64);
    if (!retired_ids.empty()) retired_ids += ',';
    retired_ids += id;
  }
  const std::size_t base_bytes = size - crl.ledger_text.size();
  nlohmann::json data = {{std::string(api::kCrlPemKey), crl.pem}, {std::string(api::kCrlLedgerKey), crl.ledger_text}};
  if (delta.crl != nullptr) {
    std::string b64 = kube::Base64Encode(delta.crl->der);
    size += delta.crl->pem.size() + b64.size();
    data[std::string(api::kDeltaCrlPemKey)] = delta.crl->pem;
    binary[std::string(api::kDeltaCrlDerKey)] = std::move(b64);
    for (const auto& [id, der] : *delta.retired_ders) {
      std::string rb64 = kube::Base64Encode(der);
      size += rb64.size();
      binary[crl::RetiredDeltaCrlDataKey(id)] = std::move(rb64);
    }
  }
  if (size >= kConfigMapLimit) {
    return FailedPrecondition("the CRL of shard " + std::to_string(index) + " (" +
                              std::to_string(shard.ledger->size()) + " entries, " + std::to_string(size) +
                              " bytes) no longer fits a ConfigMap; lower spec.crl.maxEntriesPerShard");
  }
  nlohmann::json metadata = {
      {"name", name},
      {"namespace", ns},
      {"labels",
       {{"app.kubernetes.io/managed-by", "certplane"},
        {std::string(kCaNameLabel), ca.metadata.name},
        {std::string(api::kCrlShardLabel), std::to_string(index)}}},
      {"annotations",
       {{std::string(api::kCrlNumberAnnotation), std::to_string(shard.number)},
        {std::string(api::kCrlThisUpdateAnnotation), api::FormatTime(shard.this_update)},
        {std::string(api::kCrlNextUpdateAnnotation), api::FormatTime(shard.next_update)},
        {std::string(api::kCrlEntriesAnnotation), std::to_string(shard.ledger->size())},
        {std::string(kIssuerFingerprintAnnotation), shard.issuer_fingerprint},
        {std::string(api::kCrlKeyIdAnnotation), shard.key_id},
        {std::string(api::kCrlRetiredKeysAnnotation), retired_ids},
        {std::string(kShardCountAnnotation), std::to_string(shard_count)}}},
  };
  if (delta.crl != nullptr) {
    auto& annotations = metadata["annotations"];
    annotations[std::string(api::kDeltaCrlNumberAnnotation)] = std::to_string(shard.delta_number);
    annotations[std::string(api::kDeltaCrlThisUpdateAnnotation)] = api::FormatTime(shard.this_update);
    annotations[std::string(api::kDeltaCrlNextUpdateAnnotation)] = api::FormatTime(shard.delta_next_update);
  }
  binary[std::string(api::kCrlDerKey)] = std::move(der_b64);
  if (shard.exists) metadata["resourceVersion"] = shard.resource_version;
  nlohmann::json body = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", std::move(metadata)},
                         {"data", std::move(data)},
                         {"binaryData", std::move(binary)}};
  // Only the resourceVersion is read back: the CRL does not come back.
  const kube::WriteOptions options{.field_manager = deps_.field_manager, .metadata_only = true};
  auto written = shard.exists ? deps_.client->Update(kube::kConfigMaps, ns, body, options)
                              : deps_.client->Create(kube::kConfigMaps, ns, body, options);
  if (!written.ok() && shard.exists && written.status().code() == StatusCode::kNotFound) {
    // Deleted under us: the ledger held here is still whole, so write it anew.
    body["metadata"].erase("resourceVersion");
    written = deps_.client->Create(kube::kConfigMaps, ns, body, options);
  }
  if (!written.ok()) return written.status().WithContext("writing ConfigMap " + ns + "/" + name);
  shard.exists = true;
  shard.resource_version = (*written)["metadata"].value("resourceVersion", "");
  shard.base_bytes = base_bytes;
  return Status::Ok();
}

Status CrlPublisher::WriteShardDelta(const api::CertificateAuthority& ca, std::int32_t index, Shard& shard,
                                     const std::string& ledger_text, api::Time now, SignedDelta delta) {
  const std::string& ns = deps_.caches->controller_namespace();
  const std::string name = crl::CrlConfigMapName(ca.metadata.name, index);
  std::string der_b64 = kube::Base64Encode(delta.crl->der);
  std::size_t size = shard.base_bytes + ledger_text.size() + delta.crl->pem.size() + der_b64.size();
  nlohmann::json binary = {{std::string(api::kDeltaCrlDerKey), std::move(der_b64)}};
  for (const auto& [id, der] : *delta.retired_ders) {
    std::string b64 = kube::Base64Encode(der);
    size += b64.size();
    binary[crl::RetiredDeltaCrlDataKey(id)] = std::move(b64);
  }
  if (size >= kConfigMapLimit) {
    return FailedPrecondition("the CRLs of shard " + std::to_string(index) + " (" +
                              std::to_string(shard.ledger->size()) + " entries, " + std::to_string(size) +
                              " bytes) no longer fit a ConfigMap; lower spec.crl.maxEntriesPerShard");
  }
  // resourceVersion makes the patch conditional: a writer that read an older ledger
  // conflicts and reloads instead of dropping an entry.
  nlohmann::json patch = {
      {"metadata",
       {{"resourceVersion", shard.resource_version},
        {"annotations",
         {{std::string(api::kCrlEntriesAnnotation), std::to_string(shard.ledger->size())},
          {std::string(api::kDeltaCrlNumberAnnotation), std::to_string(shard.delta_number)},
          {std::string(api::kDeltaCrlThisUpdateAnnotation), api::FormatTime(now)},
          {std::string(api::kDeltaCrlNextUpdateAnnotation), api::FormatTime(shard.delta_next_update)}}}}},
      {"data", {{std::string(api::kCrlLedgerKey), ledger_text}, {std::string(api::kDeltaCrlPemKey), delta.crl->pem}}},
      {"binaryData", std::move(binary)}};
  auto written = deps_.client->MergePatch(kube::kConfigMaps, ns, name, patch,
                                          {.field_manager = deps_.field_manager, .metadata_only = true});
  if (!written.ok()) return written.status().WithContext("writing the delta CRL to ConfigMap " + ns + "/" + name);
  shard.resource_version = (*written)["metadata"].value("resourceVersion", "");
  return Status::Ok();
}

Status CrlPublisher::WriteCaStatus(const api::CertificateAuthority& ca, const CaState& state) {
  api::CrlStatus crl;
  crl.number = static_cast<std::int64_t>(state.number);
  for (const auto& [index, shard] : state.shards) {
    if (!crl.this_update || shard.this_update > *crl.this_update) crl.this_update = shard.this_update;
    crl.entries += static_cast<std::int64_t>(shard.ledger->size());
    if (!crl.next_update || shard.next_update < *crl.next_update) crl.next_update = shard.next_update;
  }
  crl.shards = static_cast<std::int32_t>(state.shards.size());
  crl.config_map_name = crl::CrlConfigMapName(ca.metadata.name, 0);
  for (const auto& [index, shard] : state.shards) {
    if (!shard.has_delta) continue;
    crl.delta_number = std::max<std::int64_t>(crl.delta_number, static_cast<std::int64_t>(shard.delta_number));
    if (!crl.delta_next_update || shard.delta_next_update < *crl.delta_next_update) {
      crl.delta_next_update = shard.delta_next_update;
    }
  }
  if (ca.status.crl && *ca.status.crl == crl) return Status::Ok();
  nlohmann::json patch = {
      {"status",
       {{"crl",
         {{"number", crl.number},
          {"thisUpdate", api::FormatTime(*crl.this_update)},
          {"nextUpdate", api::FormatTime(*crl.next_update)},
          {"entries", crl.entries},
          {"shards", crl.shards},
          {"configMapName", crl.config_map_name},
          // null removes them (a merge patch) once deltas are off
          {"deltaNumber", crl.delta_number != 0 ? nlohmann::json(crl.delta_number) : nlohmann::json()},
          {"deltaNextUpdate",
           crl.delta_next_update ? nlohmann::json(api::FormatTime(*crl.delta_next_update)) : nlohmann::json()}}}}}};
  auto written =
      deps_.client->MergePatch(api::kCertificateAuthoritiesResource, "", ca.metadata.name, patch,
                               {.field_manager = deps_.field_manager, .subresource = "status", .metadata_only = true});
  if (!written.ok())
    return written.status().WithContext("recording the CRL in the status of CertificateAuthority " + ca.metadata.name);
  return Status::Ok();
}

std::optional<kube::ReconcileResult> CrlPublisher::EnsureLoaded(const api::CertificateAuthority& ca) {
  const std::string& name = ca.metadata.name;
  {
    MutexLock lock(mu_);
    if (cas_[name].loaded) return std::nullopt;
  }
  auto fresh = Load(ca);
  if (!fresh.ok()) {
    if (deps_.events) {
      deps_.events->Record(RefOf(ca), kube::EventType::kWarning, "CRLLedgerUnreadable", "PublishCRL",
                           fresh.status().message());
    }
    return kube::ReconcileResult::Retry(fresh.status());
  }
  MutexLock lock(mu_);
  CaState& state = cas_[name];
  fresh->pending = std::move(state.pending);
  fresh->wanted_shards = state.wanted_shards;
  state = std::move(*fresh);
  return std::nullopt;
}

CrlPublisher::Gathered CrlPublisher::Gather(const api::CertificateAuthority& ca, const CaMaterial& material) {
  Gathered g;
  {
    // Take a snapshot to work on; the lock is not held while signing and writing.
    MutexLock lock(mu_);
    CaState& state = cas_[ca.metadata.name];
    g.work.loaded = true;
    g.work.shards = state.shards;
    g.work.number = state.number;
    g.work.wanted_shards = state.wanted_shards;
    g.work.pending = std::move(state.pending);
    state.pending.clear();
  }
  const api::Time now = api::ToTime(deps_.clock->WallNow());
  // Apply the requests to copies of the ledgers they touch.
  auto edit = [&](std::int32_t index) -> Ledger& {
    auto& slot = g.edited[index];
    if (!slot) slot = std::make_shared<Ledger>(*g.work.shards[index].ledger);
    return *slot;
  };
  CrlPublishInput& in = g.input;
  for (const auto& p : g.work.pending) {
    if (p.kind == Pending::Kind::kRevoke) {
      edit(p.shard).Put(p.record);
    } else {
      edit(p.shard).Remove(p.record.serial_hex);
    }
    in.requested_shards.push_back(p.shard);
  }
  in.now = now;
  in.validity = std::chrono::duration_cast<std::chrono::seconds>(ca.spec.crl.validity);
  in.refresh_before = std::chrono::duration_cast<std::chrono::seconds>(api::EffectiveRefreshBefore(ca.spec.crl));
  in.configured_shards = ca.spec.crl.shards;
  in.wanted_shards = g.work.wanted_shards;
  // The certificate that signs, from the same Secret read as the key: the CA's status may
  // lag a re-key by a moment.
  in.issuer_fingerprint = material.issuer.certificate().sha256_fingerprint();
  in.key_id = material.key_id;
  for (const auto& r : material.retired) {
    in.retired_keys.push_back({.key_id = r.key_id, .not_after = api::ToTime(r.issuer.certificate().not_after())});
  }
  for (const auto& [index, shard] : g.work.shards) {
    auto e = g.edited.find(index);
    const Ledger& ledger = e != g.edited.end() ? *e->second : *shard.ledger;
    in.shards.push_back(
        {.index = index,
         .exists = shard.exists,
         .requested = e != g.edited.end(),
         .has_expired_entries = std::any_of(ledger.records().begin(), ledger.records().end(),
                                            [now](const auto& kv) { return kv.second.not_after < now; }),
         .issuer_fingerprint = shard.issuer_fingerprint,
         .key_id = shard.key_id,
         .retired_key_ids = shard.retired_key_ids,
         .shard_count = shard.shard_count,
         .next_update = shard.next_update,
         .has_delta = shard.has_delta,
         .delta_next_update = shard.delta_next_update});
  }
  if (ca.spec.crl.delta) {
    in.delta_validity = std::chrono::duration_cast<std::chrono::seconds>(ca.spec.crl.delta->validity);
  }
  return g;
}

Result<ShardCrl> CrlPublisher::SignShard(const api::CertificateAuthority& ca, const CaMaterial& material,
                                         std::int32_t index, const Ledger& ledger, std::uint64_t number,
                                         std::int32_t shard_count, const std::vector<std::string>& retired_key_ids,
                                         std::map<std::string, std::string>& retired_ders) const {
  const auto wall_now = deps_.clock->WallNow();
  const auto validity = std::chrono::duration_cast<std::chrono::seconds>(ca.spec.crl.validity);
  const CrlUrlSource source = UrlSource(ca, deps_.public_base_url);
  // A complete CRL (one shard) carries no IssuingDistributionPoint; a shard's names every
  // URL a certificate of that key on that shard may carry.
  auto idp = [&](const std::string& key_id) {
    return shard_count > 1 ? ShardIdpUrls(source, index, key_id) : std::vector<std::string>{};
  };
  const std::vector<std::string> delta_urls = ShardDeltaCrlUrls(source, index);
  auto crl = SignShardCrl({.ledger = ledger,
                           .number = number,
                           .now = wall_now,
                           .validity = validity,
                           .distribution_point_urls = idp(material.key_id),
                           .freshest_crl_urls = CrlUrlsForKey(delta_urls, material.key_id)},
                          material.issuer);
  if (!crl.ok()) return crl.status().WithContext("signing CRL shard " + std::to_string(index));
  retired_ders.clear();
  for (const std::string& id : retired_key_ids) {
    auto r =
        std::find_if(material.retired.begin(), material.retired.end(), [&](const auto& k) { return k.key_id == id; });
    if (r == material.retired.end()) continue;  // the plan only names keys the material holds
    const Ledger own = LedgerForRetiredKey(ledger, api::ToTime(r->issuer.certificate().not_after()));
    auto retired = SignShardCrl({.ledger = own,
                                 .number = number,
                                 .now = wall_now,
                                 .validity = validity,
                                 .distribution_point_urls = idp(id),
                                 .freshest_crl_urls = CrlUrlsForKey(delta_urls, id)},
                                r->issuer);
    if (!retired.ok()) {
      return retired.status().WithContext("signing CRL shard " + std::to_string(index) + " with retired key " + id);
    }
    retired_ders[id] = std::move(retired->der);
  }
  return crl;
}

Result<ShardDeltaCrl> CrlPublisher::SignShardDelta(const api::CertificateAuthority& ca, const CaMaterial& material,
                                                   std::int32_t index, const Shard& shard, std::uint64_t number,
                                                   std::int32_t shard_count,
                                                   const std::vector<std::string>& retired_key_ids,
                                                   std::map<std::string, std::string>& retired_delta_ders) const {
  const auto wall_now = deps_.clock->WallNow();
  const auto validity = std::chrono::duration_cast<std::chrono::seconds>(ca.spec.crl.delta->validity);
  const CrlUrlSource source = UrlSource(ca, deps_.public_base_url);
  // The same scope as the complete CRL it updates (RFC 5280 5.2.4).
  auto idp = [&](const std::string& key_id) {
    return shard_count > 1 ? ShardIdpUrls(source, index, key_id) : std::vector<std::string>{};
  };
  const Ledger& ledger = *shard.ledger;
  auto delta = SignShardDeltaCrl({.listed = ledger,
                                  .ledger = ledger,
                                  .base = *shard.base,
                                  .base_number = shard.number,
                                  .number = number,
                                  .now = wall_now,
                                  .validity = validity,
                                  .distribution_point_urls = idp(material.key_id)},
                                 material.issuer);
  if (!delta.ok()) return delta.status().WithContext("signing the delta CRL of shard " + std::to_string(index));
  retired_delta_ders.clear();
  for (const std::string& id : retired_key_ids) {
    auto r =
        std::find_if(material.retired.begin(), material.retired.end(), [&](const auto& k) { return k.key_id == id; });
    if (r == material.retired.end()) continue;
    const Ledger own = LedgerForRetiredKey(ledger, api::ToTime(r->issuer.certificate().not_after()));
    auto retired = SignShardDeltaCrl({.listed = own,
                                      .ledger = ledger,
                                      .base = *shard.base,
                                      .base_number = shard.number,
                                      .number = number,
                                      .now = wall_now,
                                      .validity = validity,
                                      .distribution_point_urls = idp(id)},
                                     r->issuer);
    if (!retired.ok()) {
      return retired.status().WithContext("signing the delta CRL of shard " + std::to_string(index) +
                                          " with retired key " + id);
    }
    retired_delta_ders[id] = std::move(retired->der);
  }
  return delta;
}

kube::ReconcileResult CrlPublisher::Act(const api::CertificateAuthority& ca, const CaMaterial& material, Gathered g,
                                        const CrlPublishPlan& plan) {
  const std::string& name = ca.metadata.name;
  const api::Time now = g.input.now;
  CaState& work = g.work;
  auto fail = [&](const Status& s) {
    // Nothing is lost: the requests go back in front of any that came meanwhile, and
    // the ledgers are read again (one write may have landed, or another writer won).
    MutexLock lock(mu_);
    CaState& state = cas_[name];
    state.pending.insert(state.pending.begin(), work.pending.begin(), work.pending.end());
    state.loaded = false;
    state.shards.clear();
    return kube::ReconcileResult::Retry(s);
  };

  std::size_t signed_entries = 0;
  for (const CrlShardToSign& to_sign : plan.sign) {
    const std::int32_t index = to_sign.index;
    Shard& shard = work.shards[index];
    if (auto e = g.edited.find(index); e != g.edited.end()) shard.ledger = e->second;
    if (std::any_of(shard.ledger->records().begin(), shard.ledger->records().end(),
                    [now](const auto& kv) { return kv.second.not_after < now; })) {
      auto pruned = std::make_shared<Ledger>(*shard.ledger);
      pruned->PruneExpired(now);
      shard.ledger = std::move(pruned);
    }
    const std::uint64_t number = ++work.number;
    std::map<std::string, std::string> retired_ders;
    auto crl =
        SignShard(ca, material, index, *shard.ledger, number, plan.shard_count, plan.retired_key_ids, retired_ders);
    if (!crl.ok()) return fail(crl.status());
    shard.number = number;
    shard.this_update = now;
    shard.next_update = now + g.input.validity;
    shard.issuer_fingerprint = g.input.issuer_fingerprint;
    shard.key_id = material.key_id;
    shard.retired_key_ids = plan.retired_key_ids;
    shard.shard_count = plan.shard_count;
    shard.base = std::make_shared<const BaseCrlEntries>(EntriesOf(*shard.ledger));
    // With deltas, an empty delta over the new base: a relying party holding the delta
    // URL always finds one that names the current base.
    std::optional<ShardDeltaCrl> delta;
    std::map<std::string, std::string> retired_delta_ders;
    shard.has_delta = false;
    if (g.input.delta_validity) {
      const std::uint64_t delta_number = ++work.number;
      auto signed_delta = SignShardDelta(ca, material, index, shard, delta_number, plan.shard_count,
                                         plan.retired_key_ids, retired_delta_ders);
      if (!signed_delta.ok()) return fail(signed_delta.status());
      delta = std::move(*signed_delta);
      shard.has_delta = true;
      shard.delta_number = delta_number;
      shard.delta_next_update = now + *g.input.delta_validity;
    } else {
      shard.delta_number = 0;
      shard.delta_next_update = {};
    }
    const SignedDelta signed_delta{delta ? &*delta : nullptr, &retired_delta_ders};
    if (Status s = WriteShard(ca, index, shard, *crl, retired_ders, plan.shard_count, signed_delta); !s.ok()) {
      if (deps_.events) {
        deps_.events->Record(RefOf(ca), kube::EventType::kWarning, "CRLPublishFailed", "PublishCRL", s.message());
      }
      return fail(s);
    }
    kube::Logger("crls")->debug("signed CRL shard ca={} shard={} reason={} number={} retired_keys={}", name, index,
                                to_sign.reason, number, plan.retired_key_ids.size());
    signed_entries += shard.ledger->size();
  }
  for (const CrlShardToSign& to_sign : plan.sign_delta) {
    const std::int32_t index = to_sign.index;
    Shard& shard = work.shards[index];
    std::shared_ptr<const Ledger> before = shard.ledger;
    if (auto e = g.edited.find(index); e != g.edited.end()) shard.ledger = e->second;
    const std::uint64_t number = ++work.number;
    std::map<std::string, std::string> retired_delta_ders;
    auto delta =
        SignShardDelta(ca, material, index, shard, number, plan.shard_count, shard.retired_key_ids, retired_delta_ders);
    if (!delta.ok()) return fail(delta.status());
    shard.has_delta = true;
    shard.delta_number = number;
    shard.delta_next_update = now + *g.input.delta_validity;
    if (Status s = WriteShardDelta(ca, index, shard, FormatLedger(*shard.ledger), now, {&*delta, &retired_delta_ders});
        !s.ok()) {
      if (deps_.events) {
        deps_.events->Record(RefOf(ca), kube::EventType::kWarning, "CRLPublishFailed", "PublishCRL", s.message());
      }
      return fail(s);
    }
    kube::Logger("crls")->debug("signed delta CRL shard ca={} shard={} reason={} number={} base={} entries={}", name,
                                index, to_sign.reason, number, shard.number, delta->entries);
  }

  {
    MutexLock lock(mu_);
    CaState& state = cas_[name];
    state.shards = work.shards;
    state.number = work.number;
    state.loaded = true;
  }
  if (!plan.sign.empty() || !plan.sign_delta.empty()) {
    kube::Logger("crls")->info(
        "published CRL ca={} number={} shards_signed={} deltas_signed={} shards={} entries_signed={} retired_keys={}",
        name, work.number, plan.sign.size(), plan.sign_delta.size(), plan.shard_count, signed_entries,
        plan.retired_key_ids.size());
    if (deps_.events && !work.pending.empty()) {
      deps_.events->Record(RefOf(ca), kube::EventType::kNormal, "CRLPublished", "PublishCRL",
                           "CRL number " + std::to_string(work.number) + " published with " +
                               std::to_string(work.pending.size()) + " change(s)");
    }
  }
  Status status_written = WriteCaStatus(ca, work);
  // The waiters look at Published(), which the ledgers just stored answer, either way.
  if (deps_.notify) {
    for (const auto& p : work.pending) deps_.notify(p.waiter);
  }
  if (!status_written.ok()) return kube::ReconcileResult::Retry(status_written);
  return kube::ReconcileResult::After(std::max<kube::Duration>(plan.next_check - now, std::chrono::seconds(1)));
}

kube::ReconcileResult CrlPublisher::Reconcile(const kube::Request& request) {
  const std::string& name = request.name;
  auto ca = deps_.caches->cas.store().Get(name);
  // A CA that is gone or cannot sign yet: its pending requests wait (its update
  // enqueues this key again).
  if (!ca || !Ready(*ca)) return kube::ReconcileResult::Done();
  if (crl::IsCrlShardLikeCaName(name)) {
    // Created before the CRD refused such names: its ConfigMap would be another CA's shard.
    return kube::ReconcileResult::Terminal(
        FailedPrecondition("CertificateAuthority " + name +
                           ": a name ending in .shard-<number> would share a CRL ConfigMap with a shard"));
  }
  auto material = deps_.signers->Get(name);
  if (!material.ok()) return kube::ReconcileResult::Retry(material.status());
  if (auto stop = EnsureLoaded(*ca)) return *stop;
  Gathered gathered = Gather(*ca, **material);
  const CrlPublishPlan plan = DecideCrlPublish(gathered.input);
  return Act(*ca, **material, std::move(gathered), plan);
}

}  // namespace certplane::reconcile

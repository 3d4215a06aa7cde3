#include "reconcile/ocsp_responder.h"

#include <algorithm>

#include "kube/logging.h"
#include "reconcile/caches.h"

namespace certplane::reconcile {

struct OcspResponder::Answer {
  pki::OcspCertStatus status = pki::OcspCertStatus::kUnknown;
  pki::TimePoint revoked_at{};
  pki::RevocationReason reason = pki::RevocationReason::kUnspecified;
  friend bool operator==(const Answer&, const Answer&) = default;
};

struct OcspResponder::Entry {
  std::string ca;
  std::string key_id;
  pki::OcspCertId id;
  Answer answer;
  std::string signer_serial;  // of the responder certificate that signed `der`
  std::shared_ptr<const std::string> der;
  pki::TimePoint this_update{};
  pki::TimePoint next_update{};
  pki::TimePoint refresh_at{};
  std::uint64_t generation = 0;  // of its CA's inputs when signed
  std::uint64_t last_used = 0;   // use_clock_ at its last request
  pki::TimePoint last_asked{};
};

namespace {

std::string CacheKey(const std::string& ca, const std::string& key_id, const pki::OcspCertId& id) {
  return ca + '\n' + key_id + '\n' + std::to_string(id.hash_nid) + '\n' + id.serial.ToHex();
}

crl::OcspHttpAnswer ErrorAnswer(pki::OcspResponseStatus status) {
  crl::OcspHttpAnswer a;
  a.status = status;
  pki::Bytes der = pki::OcspErrorResponse(status);
  a.der = std::make_shared<const std::string>(der.begin(), der.end());
  return a;
}

pki::TimePoint Seconds(pki::TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t); }

}  // namespace

OcspSources OcspSourcesOf(const Caches& caches, const kube::Clock& clock) {
  return OcspSources{
      .ca = [&caches](const std::string& ca) { return caches.cas.store().Get(ca); },
      .signers = [&caches](const std::string& ca) { return caches.OcspSignersOf(ca); },
      .crl_shards = [&caches](const std::string& ca) { return caches.CrlShardsOfCa(ca); },
      .issued = [&caches](const std::string& ca) { return caches.IssuedSerialsOf(ca); },
      .certificate_names =
          [&caches](const std::string& ca, const std::string& serial) {
            return caches.certificates.store().IndexCount(kByIssuedSerial, IssuedSerialIndexKey(ca, serial)) > 0;
          },
      .clock = &clock,
  };
}

OcspResponder::OcspResponder(OcspSources sources, OcspResponderOptions options)
    : sources_(std::move(sources)), options_(options) {}

OcspResponder::~OcspResponder() { Stop(); }

void OcspResponder::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void OcspResponder::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

OcspResponder::Counters OcspResponder::counters() const {
  std::lock_guard lock(mu_);
  Counters c = counters_;
  c.cached = cache_.size();
  return c;
}

void OcspResponder::Invalidate(const std::string& ca) {
  {
    std::lock_guard lock(mu_);
    ++generation_[ca];
    dirty_ = true;
  }
  wake_.notify_all();
}

std::shared_ptr<const pki::Crl> OcspResponder::ParsedCrl(std::string_view der, std::string_view etag) {
  std::lock_guard lock(crl_mu_);
  auto it = crls_.find(std::string(etag));
  if (it != crls_.end()) return it->second;
  auto crl = pki::ParseCrlDer({reinterpret_cast<const std::uint8_t*>(der.data()), der.size()});
  if (!crl.ok()) return nullptr;
  // CRLs replaced by newer ones are never asked for again: start over now and then.
  if (crls_.size() >= 1024) crls_.clear();
  auto parsed = std::make_shared<const pki::Crl>(std::move(*crl));
  crls_.emplace(std::string(etag), parsed);
  return parsed;
}

OcspResponder::Answer OcspResponder::Lookup(const std::string& ca, const OcspIdentity& identity,
                                            const pki::SerialNumber& serial) {
  for (const auto& shard : sources_.crl_shards(ca)) {
    // The delta CRL is newer than its base: what it says of a serial wins (a hold
    // lifted since the base is removeFromCRL there).
    if (auto delta_view = shard->DeltaForKey(identity.key_id)) {
      if (auto delta = ParsedCrl(delta_view->der, delta_view->etag)) {
        if (auto entry = delta->Find(serial)) {
          if (entry->reason == pki::RevocationReason::kRemoveFromCrl) continue;
          return {
              .status = pki::OcspCertStatus::kRevoked, .revoked_at = entry->revocation_time, .reason = entry->reason};
        }
      }
    }
    auto view = shard->ForKey(identity.key_id);
    if (!view) continue;
    auto crl = ParsedCrl(view->der, view->etag);
    if (!crl) continue;
    if (auto entry = crl->Find(serial)) {
      return {.status = pki::OcspCertStatus::kRevoked, .revoked_at = entry->revocation_time, .reason = entry->reason};
    }
  }
  const std::string hex = serial.ToHex();
  const auto shards = sources_.issued(ca);
  const bool recorded = std::any_of(shards.begin(), shards.end(), [&](const auto& s) { return s->Contains(hex); });
  if (recorded || sources_.certificate_names(ca, hex)) {
    return {.status = pki::OcspCertStatus::kGood};
  }
  return {.status = pki::OcspCertStatus::kUnknown};
}

Result<std::shared_ptr<OcspResponder::Entry>> OcspResponder::Sign(
    const std::string& ca, const OcspIdentity& identity, const std::vector<std::pair<pki::OcspCertId, Answer>>& answers,
    const std::optional<pki::Bytes>& nonce) {
  const pki::TimePoint now = Seconds(sources_.clock->WallNow());
  pki::TimePoint next = now + options_.response_validity;
  next = std::min(next, Seconds(identity.signer.certificate.not_after()));
  if (next <= now)
    return FailedPrecondition("the OCSP responder certificate of key " + identity.key_id + " has expired");
  pki::OcspResponseSpec spec{.nonce = nonce};
  for (const auto& [id, answer] : answers) {
    spec.responses.push_back({.id = id,
                              .status = answer.status,
                              .revocation_time = answer.revoked_at,
                              .reason = answer.reason,
                              .this_update = now,
                              .next_update = next});
  }
  auto der = pki::SignOcspResponse(spec, identity.signer, identity.issuer);
  if (!der.ok()) return der.status().WithContext("signing an OCSP response for CA " + ca);
  return std::make_shared<Entry>(Entry{.ca = ca,
                                       .key_id = identity.key_id,
                                       .id = answers.front().first,
                                       .answer = answers.front().second,
                                       .signer_serial = identity.signer.certificate.serial().ToHex(),
                                       .der = std::make_shared<const std::string>(der->begin(), der->end()),
                                       .this_update = now,
                                       .next_update = next,
                                       .refresh_at = std::min(next, now + options_.response_validity / 2)});
}

crl::OcspHttpAnswer OcspResponder::Respond(const std::string& ca, pki::ByteView request) {
  auto req = pki::ParseOcspRequest(request);
  if (!req.ok()) return ErrorAnswer(pki::OcspResponseStatus::kMalformedRequest);
  if (!sources_.ca(ca)) return ErrorAnswer(pki::OcspResponseStatus::kUnauthorized);
  auto signers = sources_.signers(ca);
  if (!signers || signers->identities.empty()) return ErrorAnswer(pki::OcspResponseStatus::kTryLater);

  // One responder signs the response: every CertID must name the same CA key.
  const OcspIdentity* identity = nullptr;
  for (const pki::OcspCertId& id : req->certificates) {
    auto match = std::find_if(signers->identities.begin(), signers->identities.end(),
                              [&](const OcspIdentity& i) { return pki::OcspIssuerMatches(id, i.issuer); });
    if (match == signers->identities.end()) return ErrorAnswer(pki::OcspResponseStatus::kUnauthorized);
    if (identity != nullptr && identity != &*match) return ErrorAnswer(pki::OcspResponseStatus::kUnauthorized);
    identity = &*match;
  }
  std::vector<std::pair<pki::OcspCertId, Answer>> answers;
  for (const pki::OcspCertId& id : req->certificates) answers.emplace_back(id, Lookup(ca, *identity, id.serial));

  auto reply = [](const Entry& e, bool cacheable, bool hit) {
    crl::OcspHttpAnswer a;
    a.status = pki::OcspResponseStatus::kSuccessful;
    a.der = e.der;
    a.cacheable = cacheable;
    a.from_cache = hit;
    a.this_update = e.this_update;
    a.next_update = e.next_update;
    a.refresh_at = e.refresh_at;
    return a;
  };
  const bool cache = !req->nonce && answers.size() == 1;
  const std::string key = cache ? CacheKey(ca, identity->key_id, answers.front().first) : std::string();
  const std::string signer_serial = identity->signer.certificate.serial().ToHex();
  const pki::TimePoint now = sources_.clock->WallNow();
  if (cache) {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second->answer == answers.front().second &&
        it->second->signer_serial == signer_serial && now < it->second->refresh_at) {
      it->second->last_used = ++use_clock_;
      it->second->last_asked = now;
      ++counters_.served_from_cache;
      return reply(*it->second, true, true);
    }
  }
  auto entry = Sign(ca, *identity, answers, req->nonce);
  if (!entry.ok()) {
    kube::Logger("ocsp")->warn("cannot answer an OCSP request ca={}: {}", ca, entry.status().message());
    return ErrorAnswer(entry.status().code() == StatusCode::kFailedPrecondition
                           ? pki::OcspResponseStatus::kTryLater
                           : pki::OcspResponseStatus::kInternalError);
  }
  std::lock_guard lock(mu_);
  ++counters_.signed_on_request;
  if (cache) {
    (*entry)->generation = generation_[ca];
    (*entry)->last_used = ++use_clock_;
    (*entry)->last_asked = now;
    cache_[key] = *entry;
    dirty_ = dirty_ || cache_.size() > options_.max_cached;
  }
  return reply(**entry, !req->nonce, false);
}

void OcspResponder::Sweep() {
  const pki::TimePoint now = sources_.clock->WallNow();
  std::vector<std::pair<std::string, std::shared_ptr<Entry>>> todo;
  {
    std::lock_guard lock(mu_);
    dirty_ = false;
    // Responses nobody asked for in a whole validity period are no longer kept fresh.
    std::erase_if(cache_, [&](const auto& kv) { return kv.second->last_asked + options_.response_validity < now; });
    if (cache_.size() > options_.max_cached) {
      std::vector<std::pair<std::uint64_t, std::string>> by_use;
      for (const auto& [k, e] : cache_) by_use.emplace_back(e->last_used, k);
      std::sort(by_use.begin(), by_use.end());
      for (std::size_t i = 0; i < cache_.size() - options_.max_cached && i < by_use.size(); ++i) {
        cache_.erase(by_use[i].second);
      }
    }
    for (const auto& [k, e] : cache_) {
      if (now >= e->refresh_at || e->generation != generation_[e->ca]) todo.emplace_back(k, e);
    }
  }
  for (const auto& [key, old] : todo) {
    auto signers = sources_.signers(old->ca);
    const OcspIdentity* identity = signers ? signers->Find(old->key_id) : nullptr;
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(mu_);
      generation = generation_[old->ca];
    }
    if (identity == nullptr) {
      std::lock_guard lock(mu_);
      if (auto it = cache_.find(key); it != cache_.end() && it->second == old) cache_.erase(it);
      continue;
    }
    Answer answer = Lookup(old->ca, *identity, old->id.serial);
    std::shared_ptr<Entry> fresh;
    if (answer == old->answer && identity->signer.certificate.serial().ToHex() == old->signer_serial &&
        now < old->refresh_at) {
      fresh = std::make_shared<Entry>(*old);  // still right: only note the generation checked
    } else {
      auto signed_entry = Sign(old->ca, *identity, {{old->id, answer}}, std::nullopt);
      if (!signed_entry.ok()) continue;
      fresh = *signed_entry;
    }
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it == cache_.end() || it->second != old) continue;  // answered on request meanwhile
    fresh->generation = generation;
    fresh->last_used = old->last_used;
    fresh->last_asked = old->last_asked;
    if (fresh->der != old->der) ++counters_.signed_in_background;
    it->second = std::move(fresh);
  }
}

void OcspResponder::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    Sweep();
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, stop, options_.sweep_interval, [this] { return dirty_; });
  }
}

}  // namespace certplane::reconcile

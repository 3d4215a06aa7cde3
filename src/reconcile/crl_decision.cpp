#include "reconcile/crl_decision.h"

#include <algorithm>
#include <map>
#include <optional>

#include "reconcile/crl_plan.h"

namespace certplane::reconcile {

bool RetiredKeyNeeded(const CrlKeyFacts& key, const std::string& current_key_id, api::Time now) {
  return !key.key_id.empty() && key.key_id != current_key_id && now < key.not_after;
}

std::vector<std::string> RetiredKeysToPublish(const std::vector<CrlKeyFacts>& retired,
                                              const std::string& current_key_id, api::Time now) {
  std::vector<std::string> out;
  for (const auto& key : retired) {
    if (RetiredKeyNeeded(key, current_key_id, now)) out.push_back(key.key_id);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Ledger LedgerForRetiredKey(const Ledger& ledger, api::Time key_not_after) {
  Ledger out;
  for (const auto& [serial, record] : ledger.records()) {
    if (record.not_after <= key_not_after) out.Put(record);
  }
  return out;
}

CrlPublishPlan DecideCrlPublish(const CrlPublishInput& in) {
  CrlPublishPlan plan;
  std::map<std::int32_t, const CrlShardFacts*> known;
  for (const auto& s : in.shards) known[s.index] = &s;

  std::int32_t count = std::max(in.configured_shards, in.wanted_shards);
  for (const auto& s : in.shards) count = std::max(count, s.index + 1);
  for (std::int32_t s : in.requested_shards) count = std::max(count, s + 1);
  plan.shard_count = std::clamp(count, 1, kMaxCrlShards);
  plan.retired_key_ids = RetiredKeysToPublish(in.retired_keys, in.key_id, in.now);

  const CrlShardFacts missing;
  std::optional<api::Time> next;
  auto consider = [&](api::Time t) { next = next ? std::min(*next, t) : t; };
  for (std::int32_t index = 0; index < plan.shard_count; ++index) {
    auto it = known.find(index);
    const CrlShardFacts& s = it == known.end() ? missing : *it->second;
    const bool requested = s.requested || std::find(in.requested_shards.begin(), in.requested_shards.end(), index) !=
                                              in.requested_shards.end();
    const bool deltas = in.delta_validity.has_value();
    std::string_view reason;
    if (!s.exists) {
      reason = kCrlSignMissing;
    } else if (requested && !deltas) {
      reason = kCrlSignRequested;
    } else if (s.issuer_fingerprint != in.issuer_fingerprint || s.key_id != in.key_id) {
      reason = kCrlSignIssuerChanged;
    } else if (s.retired_key_ids != plan.retired_key_ids) {
      reason = kCrlSignRetiredKeysChanged;
    } else if ((s.shard_count > 1) != (plan.shard_count > 1)) {
      reason = kCrlSignShardingChanged;
    } else if (deltas != s.has_delta) {
      reason = kCrlSignDeltasChanged;
    } else if (s.has_expired_entries) {
      reason = kCrlSignEntriesExpired;
    } else if (in.now >= s.next_update - in.refresh_before) {
      reason = kCrlSignRefresh;
    }
    const auto delta_refresh = deltas ? *in.delta_validity / 2 : std::chrono::seconds(0);
    if (!reason.empty()) {
      plan.sign.push_back({index, reason});
      consider(in.now + in.validity - in.refresh_before);
      if (deltas) consider(in.now + *in.delta_validity - delta_refresh);
      continue;
    }
    consider(s.next_update - in.refresh_before);
    if (!deltas) continue;
    std::string_view delta_reason;
    if (requested) {
      delta_reason = kDeltaCrlSignRequested;
    } else if (in.now >= s.delta_next_update - delta_refresh) {
      delta_reason = kDeltaCrlSignRefresh;
    }
    if (!delta_reason.empty()) {
      plan.sign_delta.push_back({index, delta_reason});
      consider(in.now + *in.delta_validity - delta_refresh);
    } else {
      consider(s.delta_next_update - delta_refresh);
    }
  }
  // A retired key whose certificates all expire leaves every shard's CRLs then.
  for (const auto& key : in.retired_keys) {
    if (RetiredKeyNeeded(key, in.key_id, in.now)) consider(key.not_after);
  }
  plan.next_check = std::max(next.value_or(in.now + in.validity - in.refresh_before), in.now);
  return plan;
}

}  // namespace certplane::reconcile

// The CRL publisher's decision, pure: given what one CA's CRL shards and keys look like
// now (gathered by CrlPublisher from the caches and the ledgers it holds), which shards
// to sign again and why, which retired keys sign CRLs, and when to look again. No I/O;
// the clock is an input. crl_publisher.cpp gathers, calls DecideCrlPublish, then acts.
//
//   CrlPublishPlan plan = DecideCrlPublish({.now = now, .validity = 24h, .refresh_before = 8h,
//       .configured_shards = 1, .shards = {...}, .issuer_fingerprint = fp,
//       .key_id = "0123456789abcdef", .retired_keys = {{"fedcba9876543210", old_not_after}}});
//   for (const auto& s : plan.sign) Sign(s.index, plan.retired_key_ids);   // s.reason says why
//   requeue at plan.next_check
//
// Delta CRLs (spec.crl.delta): a revocation is then published in the shard's delta CRL,
// not by re-signing its complete CRL; the complete CRL is re-signed only for the other
// reasons (its refresh, an issuer change, expired entries, ...), each time with an empty
// delta over it.
//
// Retired keys (ca_material.h): every certificate carries the URL of the CRL signed by
// the key that signed it, so after a re-key the old key must keep signing its CRL until
// its last certificate has expired. Its CA certificate's notAfter bounds that (a leaf
// never outlives its CA), so a retired key signs CRLs while now < notAfter and is dropped
// after. Its CRL lists the shard's revoked serials whose certificates expire no later
// than its notAfter (LedgerForRetiredKey): a serial is unique per CA name (RFC 5280
// 4.1.2.2), so listing one the key did not sign is harmless, and one it did sign always
// meets that bound.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/time.h"
#include "reconcile/crl_ledger.h"

namespace certplane::reconcile {

// --- Why a shard's CRL is signed (logs and tests). -------------------------------------
// No ConfigMap holds this shard's CRL yet (new shard, or deleted by someone).
inline constexpr std::string_view kCrlSignMissing = "Missing";
// Revocations or lifted holds wait for this shard.
inline constexpr std::string_view kCrlSignRequested = "Requested";
// The CA certificate or key changed since the shard was signed.
inline constexpr std::string_view kCrlSignIssuerChanged = "IssuerChanged";
// A key retired, or a retired key's certificates have all expired: the set of retired
// keys' CRLs the shard carries changes.
inline constexpr std::string_view kCrlSignRetiredKeysChanged = "RetiredKeysChanged";
// Going from one shard to several (or back) adds (or drops) the IssuingDistributionPoint.
inline constexpr std::string_view kCrlSignShardingChanged = "ShardingChanged";
// An entry's certificate has expired: it leaves the CRL.
inline constexpr std::string_view kCrlSignEntriesExpired = "EntriesExpired";
// nextUpdate is within refreshBefore.
inline constexpr std::string_view kCrlSignRefresh = "Refresh";
// Delta CRLs were turned on or off (spec.crl.delta): the base gains or loses its
// Freshest CRL extension and its delta.
inline constexpr std::string_view kCrlSignDeltasChanged = "DeltasChanged";

// --- Why only a shard's delta CRL is signed (its base stays). --------------------------
// Revocations or lifted holds wait for this shard: with deltas they go in the delta.
inline constexpr std::string_view kDeltaCrlSignRequested = "DeltaRequested";
// Half the delta's validity has passed.
inline constexpr std::string_view kDeltaCrlSignRefresh = "DeltaRefresh";

// A CA key by its id and the notAfter of the CA certificate it was current with.
struct CrlKeyFacts {
  std::string key_id;
  api::Time not_after{};
};

// Whether a retired key still signs CRLs (and stays in the CA's key Secret): while its
// certificates may be in use (now < not_after), and never when it is the current key.
bool RetiredKeyNeeded(const CrlKeyFacts& key, const std::string& current_key_id, api::Time now);

// The ids of the retired keys that sign CRLs now, sorted, without duplicates.
std::vector<std::string> RetiredKeysToPublish(const std::vector<CrlKeyFacts>& retired,
                                              const std::string& current_key_id, api::Time now);

// The ledger a retired key's CRL is built from: the entries whose certificates expire no
// later than the key's certificate (the only ones it can have signed).
Ledger LedgerForRetiredKey(const Ledger& ledger, api::Time key_not_after);

// One shard as last published (its ConfigMap) with the pending requests applied.
struct CrlShardFacts {
  std::int32_t index = 0;
  bool exists = false;                       // its ConfigMap exists
  bool requested = false;                    // requests changed its ledger in this round
  bool has_expired_entries = false;          // its ledger holds a certificate expired before now
  std::string issuer_fingerprint;            // of the CA certificate that signed its CRL
  std::string key_id;                        // of the key that signed crl.der ("" before keyed CRLs)
  std::vector<std::string> retired_key_ids;  // whose CRLs it carries, sorted
  std::int32_t shard_count = 0;              // how many shards there were when it was signed
  api::Time next_update{};
  bool has_delta = false;  // a delta CRL is published over its CRL
  api::Time delta_next_update{};
};

struct CrlPublishInput {
  api::Time now{};
  std::chrono::seconds validity{24 * 3600};       // spec.crl.validity
  std::chrono::seconds refresh_before{8 * 3600};  // effective spec.crl.refreshBefore
  std::int32_t configured_shards = 1;             // spec.crl.shards
  std::int32_t wanted_shards = 0;                 // opened for new certificates
  std::vector<CrlShardFacts> shards;              // the shards known, any order
  std::vector<std::int32_t> requested_shards;     // shards named by pending requests
  std::string issuer_fingerprint;                 // of the current CA certificate
  std::string key_id;                             // of the current key
  std::vector<CrlKeyFacts> retired_keys;          // as the key Secret holds them
  // spec.crl.delta.validity; nullopt: no delta CRLs. A delta is re-signed after half of it.
  std::optional<std::chrono::seconds> delta_validity;
};

struct CrlShardToSign {
  std::int32_t index = 0;
  std::string_view reason;  // the first kCrlSign* that applies
};

struct CrlPublishPlan {
  std::int32_t shard_count = 1;              // shards 0 .. shard_count-1 exist after acting
  std::vector<std::string> retired_key_ids;  // retired keys whose CRLs each shard signed carries
  // Shards whose complete CRL is signed (and, with deltas, an empty delta over it),
  // ascending index.
  std::vector<CrlShardToSign> sign;
  // Shards whose delta CRL alone is signed (reason kDeltaCrlSign*), ascending index.
  std::vector<CrlShardToSign> sign_delta;
  // When the clock alone changes the decision: the earliest refresh (nextUpdate -
  // refreshBefore, for shards signed now: now + validity - refreshBefore), delta refresh
  // (delta nextUpdate - half its validity) or end of a retired key. Never before now.
  api::Time next_check{};
};

CrlPublishPlan DecideCrlPublish(const CrlPublishInput& in);

}  // namespace certplane::reconcile

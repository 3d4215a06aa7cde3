// Pure decisions about a CA's CRL shards: where each shard is published, which shard a
// new certificate joins, and when a CRL must be signed again. No I/O, no clock.
//
//   auto urls = ShardCrlUrls({.spec_urls = ca.spec.crl.distributionPointURLs,
//                             .public_base_url = flag, .ca = "issuing"}, /*shard=*/2);
//   int32_t shard = ChooseShard({.load = potential_entries_per_shard,
//                                .configured_shards = ca.spec.crl.shards,
//                                .max_entries_per_shard = ca.spec.crl.maxEntriesPerShard,
//                                .can_grow = CanShard(...), .pick = policy::Fnv1a64(key)});
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace certplane::reconcile {

inline constexpr std::int32_t kMaxCrlShards = 1024;  // the CRD's maximum for spec.crl.shards

struct CrlUrlSource {
  std::vector<std::string> spec_urls;        // spec.crl.distributionPointURLs
  std::string public_base_url;               // --public-base-url, without a trailing slash
  std::string ca;                            // the CertificateAuthority's name
  bool deltas = false;                       // spec.crl.delta is set
  std::vector<std::string> delta_spec_urls;  // spec.crl.delta.distributionPointURLs
};

// Where "{key}" appears in a CRL URL, the signing key's id (CaKeyId) goes: a certificate
// names the CRL signed by the key that signed it, and that CRL stays published after the
// CA gets a new key, until the old key's certificates have expired.
inline constexpr std::string_view kCrlKeyPlaceholder = "{key}";

// The URLs naming shard `shard`'s CRL, as templates that may hold "{key}": the CA's own
// URLs with "{shard}" replaced; else <base>/crl/<ca>/{key}/<k>.crl. For k > 0, a spec URL
// without "{shard}" would name shard 0's CRL and is left out. Empty when there is nowhere
// to publish. CrlUrlsForKey turns them into the URLs a certificate carries.
std::vector<std::string> ShardCrlUrls(const CrlUrlSource& source, std::int32_t shard);

// The URLs naming shard `shard`'s delta CRL (Freshest CRL), templates like
// ShardCrlUrls': the CA's delta URLs with "{shard}" replaced (for k > 0 only those that
// have it); else <base>/crl/<ca>/{key}/<k>.delta.crl. Empty without deltas or without
// anywhere to publish.
std::vector<std::string> ShardDeltaCrlUrls(const CrlUrlSource& source, std::int32_t shard);

// The URLs certificates issued before CRL URLs named keys carry for shard `shard`, which
// the current key's CRL keeps answering: <base>/crl/<ca>.crl for shard 0 and
// <base>/crl/<ca>/<k>.crl for shard k; the CA's own URLs without "{key}".
std::vector<std::string> LegacyShardCrlUrls(const CrlUrlSource& source, std::int32_t shard);

// `templates` with "{key}" replaced by `key_id`; with an empty key_id, the templates that
// hold "{key}" are left out (a URL with a brace in it is no URL).
std::vector<std::string> CrlUrlsForKey(const std::vector<std::string>& templates, const std::string& key_id);

// What the IssuingDistributionPoint of shard `shard`'s CRL signed by `key_id` names:
// the shard's URLs for that key, then the legacy ones (deduplicated), so the CRL covers
// every certificate that key signed, whichever URL it carries.
std::vector<std::string> ShardIdpUrls(const CrlUrlSource& source, std::int32_t shard, const std::string& key_id);

// Whether shards beyond 0 have URLs of their own (otherwise the CA cannot shard).
bool CanShard(const CrlUrlSource& source);

struct ShardChoiceInput {
  // Per shard, how many entries its CRL could come to hold: serials already on it plus
  // live certificates assigned to it that could still be revoked. Index = shard.
  std::vector<std::int64_t> load;
  std::int32_t configured_shards = 1;  // spec.crl.shards
  std::int32_t max_entries_per_shard = 2000;
  bool can_grow = true;
  std::uint64_t pick = 0;  // a stable hash of the certificate (policy::Fnv1a64), to spread over shards
};

// The shard a newly issued certificate joins. Among the shards in use (at least
// configured_shards), those with room (load under 90% of max_entries_per_shard, which
// leaves headroom for issuances the caches do not show yet) are open, and `pick`
// chooses among them. When none is open a new shard is opened, so no shard's CRL
// outgrows its ConfigMap; without can_grow (or at kMaxCrlShards) the least loaded is
// used.
std::int32_t ChooseShard(const ShardChoiceInput& in);

}  // namespace certplane::reconcile

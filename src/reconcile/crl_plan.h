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
#include <vector>

namespace certplane::reconcile {

inline constexpr std::int32_t kMaxCrlShards = 1024;  // the CRD's maximum for spec.crl.shards

struct CrlUrlSource {
  std::vector<std::string> spec_urls;  // spec.crl.distributionPointURLs
  std::string public_base_url;         // --public-base-url, without a trailing slash
  std::string ca;                      // the CertificateAuthority's name
};

// The URLs naming shard `shard`'s CRL: the CA's own URLs with "{shard}" replaced; else
// <base>/crl/<ca>.crl for shard 0 (the same URL as an unsharded CA's, so certificates
// issued before sharding began stay on shard 0) and <base>/crl/<ca>/<k>.crl for shard
// k. For k > 0, a spec URL without "{shard}" would name shard 0's CRL and is left out.
// Empty when there is nowhere to publish.
std::vector<std::string> ShardCrlUrls(const CrlUrlSource& source, std::int32_t shard);

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

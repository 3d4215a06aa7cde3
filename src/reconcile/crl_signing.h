// SignShardCrl: one shard's ledger turned into what its ConfigMap holds, the signed CRL
// (PEM and DER) and the ledger text. SignShardDeltaCrl: the delta CRL (RFC 5280 5.2.4)
// over a published complete CRL, listing what changed since. Pure: no I/O; the clock is
// passed in. The publisher and hack/bench/crl share them, so the benchmark times exactly
// this work.
//
//   BaseCrlEntries base = EntriesOf(ledger);                  // what the base CRL lists
//   ... revocations land in the ledger ...
//   auto delta = SignShardDeltaCrl({.listed = ledger, .ledger = ledger, .base = base,
//                                   .base_number = 41, .number = 42, .now = now}, issuer);
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/enums.h"
#include "base/result.h"
#include "pki/crl.h"
#include "pki/issuer.h"
#include "pki/types.h"
#include "reconcile/crl_ledger.h"

namespace certplane::reconcile {

struct ShardCrlInput {
  const Ledger& ledger;
  std::uint64_t number = 0;
  pki::TimePoint now;
  std::chrono::seconds validity{24 * 3600};
  // The shard's own URLs, for its IssuingDistributionPoint; empty for an unsharded CA
  // (a complete CRL carries none).
  std::vector<std::string> distribution_point_urls;
  // Where the delta CRLs over this CRL are published (Freshest CRL); empty without deltas.
  std::vector<std::string> freshest_crl_urls;
};

struct ShardCrl {
  std::string pem;
  std::string der;
  std::string ledger_text;
};

Result<ShardCrl> SignShardCrl(const ShardCrlInput& in, const pki::Issuer& issuer);

// What a published complete CRL lists, by serial (lower-case hex): the base a delta CRL
// is computed against. Only the reason matters to the comparison.
using BaseCrlEntries = std::map<std::string, pki::RevocationReason>;

// The entries a CRL signed from `ledger` lists.
BaseCrlEntries EntriesOf(const Ledger& ledger);
// The entries of a published CRL (its DER), read back when the publisher starts.
// InvalidArgument if it does not parse.
Result<BaseCrlEntries> EntriesOfCrl(std::string_view der);

// One line of a delta CRL: a serial revoked (or whose reason changed, a hold made final)
// since the base, or one the base lists that has left the ledger (a hold lifted, an
// expired certificate pruned): removed, written with reason removeFromCRL.
struct DeltaCrlChange {
  std::string serial_hex;
  api::Time revoked_at{};                       // removed: the signing time
  std::optional<api::RevocationReason> reason;  // nullopt: removeFromCRL
  bool operator==(const DeltaCrlChange&) const = default;
};

// The changes of `listed` against `base`, in serial order: every record of `listed` the
// base lacks or lists with another reason, and every serial of the base that `ledger`
// (the whole shard's ledger; `listed` may be a retired key's part of it) no longer holds.
std::vector<DeltaCrlChange> DeltaCrlChanges(const Ledger& listed, const Ledger& ledger, const BaseCrlEntries& base,
                                            api::Time now);

struct ShardDeltaCrlInput {
  const Ledger& listed;           // what the signing key's complete CRL would list now
  const Ledger& ledger;           // the whole shard's ledger
  const BaseCrlEntries& base;     // what the published complete CRL lists
  std::uint64_t base_number = 0;  // its CRL Number, named by the Delta CRL Indicator
  std::uint64_t number = 0;       // the delta's own number: above base_number
  pki::TimePoint now;
  std::chrono::seconds validity{3600};
  // The same IssuingDistributionPoint as the base (RFC 5280 5.2.4: a delta's scope is
  // its base's); empty for an unsharded CA.
  std::vector<std::string> distribution_point_urls;
};

struct ShardDeltaCrl {
  std::string pem;
  std::string der;
  std::size_t entries = 0;
};

Result<ShardDeltaCrl> SignShardDeltaCrl(const ShardDeltaCrlInput& in, const pki::Issuer& issuer);

}  // namespace certplane::reconcile

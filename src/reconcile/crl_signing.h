// SignShardCrl: one shard's ledger turned into what its ConfigMap holds, the signed CRL
// (PEM and DER) and the ledger text. Pure: no I/O; the clock is passed in. The
// publisher and hack/bench/crl share it, so the benchmark times exactly this work.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
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
};

struct ShardCrl {
  std::string pem;
  std::string der;
  std::string ledger_text;
};

Result<ShardCrl> SignShardCrl(const ShardCrlInput& in, const pki::Issuer& issuer);

}  // namespace certplane::reconcile

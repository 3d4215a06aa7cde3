#include "reconcile/crl_signing.h"

#include <algorithm>

#include "pki/crl.h"
#include "pki/serial.h"
#include "reconcile/pki_mapping.h"

namespace certplane::reconcile {

Result<ShardCrl> SignShardCrl(const ShardCrlInput& in, const pki::Issuer& issuer) {
  pki::CrlSpec spec;
  spec.number = in.number;
  spec.this_update = in.now;
  spec.next_update = in.now + in.validity;
  spec.revoked.reserve(in.ledger.size());
  for (const auto& [serial_hex, record] : in.ledger.records()) {
    auto serial = pki::SerialNumber::FromHex(serial_hex);
    if (!serial.ok()) return serial.status().WithContext("ledger entry " + serial_hex);
    // A revocation time after thisUpdate (a clock stepped back) is clamped: RFC 5280
    // wants every entry revoked by the time its CRL is issued.
    auto revoked_at = std::min<pki::TimePoint>(record.revoked_at, in.now);
    spec.revoked.push_back({std::move(*serial), revoked_at, ToPki(record.reason)});
  }
  if (!in.distribution_point_urls.empty()) {
    spec.distribution_point = pki::IssuingDistributionPoint{.uris = in.distribution_point_urls};
  }
  auto crl = pki::BuildCrl(spec, issuer);
  if (!crl.ok()) return crl.status();
  pki::Bytes der = crl->ToDer();
  return ShardCrl{crl->ToPem(), std::string(der.begin(), der.end()), FormatLedger(in.ledger)};
}

}  // namespace certplane::reconcile

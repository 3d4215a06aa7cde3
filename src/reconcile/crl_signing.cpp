#include "reconcile/crl_signing.h"

#include <algorithm>

#include "api/pki_mapping.h"
#include "pki/crl.h"
#include "pki/serial.h"

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
  spec.freshest_crl_urls = in.freshest_crl_urls;
  auto crl = pki::BuildCrl(spec, issuer);
  if (!crl.ok()) return crl.status();
  pki::Bytes der = crl->ToDer();
  return ShardCrl{crl->ToPem(), std::string(der.begin(), der.end()), FormatLedger(in.ledger)};
}

BaseCrlEntries EntriesOf(const Ledger& ledger) {
  BaseCrlEntries out;
  for (const auto& [serial_hex, record] : ledger.records())
    out.emplace_hint(out.end(), serial_hex, ToPki(record.reason));
  return out;
}

Result<BaseCrlEntries> EntriesOfCrl(std::string_view der) {
  auto crl = pki::ParseCrlDer({reinterpret_cast<const std::uint8_t*>(der.data()), der.size()});
  if (!crl.ok()) return crl.status().WithContext("reading the published CRL");
  BaseCrlEntries out;
  for (const auto& entry : crl->entries()) out[entry.serial.ToHex()] = entry.reason;
  return out;
}

std::vector<DeltaCrlChange> DeltaCrlChanges(const Ledger& listed, const Ledger& ledger, const BaseCrlEntries& base,
                                            api::Time now) {
  std::map<std::string, DeltaCrlChange> changes;
  for (const auto& [serial_hex, record] : listed.records()) {
    auto in_base = base.find(serial_hex);
    if (in_base != base.end() && in_base->second == ToPki(record.reason)) continue;
    changes[serial_hex] = {serial_hex, record.revoked_at, record.reason};
  }
  for (const auto& [serial_hex, reason] : base) {
    if (ledger.Find(serial_hex) == nullptr) changes[serial_hex] = {serial_hex, now, std::nullopt};
  }
  std::vector<DeltaCrlChange> out;
  out.reserve(changes.size());
  for (auto& [serial_hex, change] : changes) out.push_back(std::move(change));
  return out;
}

Result<ShardDeltaCrl> SignShardDeltaCrl(const ShardDeltaCrlInput& in, const pki::Issuer& issuer) {
  pki::CrlSpec spec;
  spec.number = in.number;
  spec.delta_of = in.base_number;
  spec.this_update = in.now;
  spec.next_update = in.now + in.validity;
  const api::Time now = api::ToTime(in.now);
  for (const auto& change : DeltaCrlChanges(in.listed, in.ledger, in.base, now)) {
    auto serial = pki::SerialNumber::FromHex(change.serial_hex);
    if (!serial.ok()) return serial.status().WithContext("ledger entry " + change.serial_hex);
    const auto revoked_at = std::min<pki::TimePoint>(change.revoked_at, in.now);
    spec.revoked.push_back({std::move(*serial), revoked_at,
                            change.reason ? ToPki(*change.reason) : pki::RevocationReason::kRemoveFromCrl});
  }
  if (!in.distribution_point_urls.empty()) {
    spec.distribution_point = pki::IssuingDistributionPoint{.uris = in.distribution_point_urls};
  }
  auto crl = pki::BuildCrl(spec, issuer);
  if (!crl.ok()) return crl.status();
  pki::Bytes der = crl->ToDer();
  return ShardDeltaCrl{crl->ToPem(), std::string(der.begin(), der.end()), spec.revoked.size()};
}

}  // namespace certplane::reconcile

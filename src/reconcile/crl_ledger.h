// The revocation ledger: certplane's durable record of the serials a CA has revoked,
// kept as text (revoked.txt) next to the CRL it produces in each shard's ConfigMap.
// The CRL is always rebuilt from the ledger, never the other way round, because a CRL
// entry does not say when its certificate expires and the ledger must (an entry leaves
// the CRL once its certificate has expired, RFC 5280 3.3).
//
//   Result<Ledger> ledger = ParseLedger(config_map_data["revoked.txt"]);
//   ledger->Put({.serial_hex = "5f0c...", .revoked_at = now, .reason = kKeyCompromise,
//                .not_after = cert_not_after});
//   ledger->PruneExpired(now);
//   std::string text = FormatLedger(*ledger);
//
// One line per serial, fields separated by one space:
//   <serial hex> <revoked at, RFC 3339> <RFC 5280 reason name> <notAfter, RFC 3339>
// Lines starting with '#' and blank lines are ignored.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "api/enums.h"
#include "api/time.h"
#include "base/result.h"

namespace certplane::reconcile {

struct RevocationRecord {
  std::string serial_hex;  // lower-case hex, as status.serialNumber holds it
  api::Time revoked_at;
  api::RevocationReason reason = api::RevocationReason::kUnspecified;
  api::Time not_after;  // of the revoked certificate: the entry is dropped after it

  bool operator==(const RevocationRecord&) const = default;
};

class Ledger {
 public:
  // Adds a record, or keeps the existing one for that serial: a serial is revoked once,
  // at its first revocation time. The one change allowed is from certificateHold to a
  // final reason (RFC 5280 5.3.1: a hold may become a permanent revocation). Returns
  // whether the ledger changed.
  bool Put(const RevocationRecord& record);
  // Removes a serial (a certificateHold lifted); returns whether it was there.
  bool Remove(const std::string& serial_hex);
  // Drops the records of certificates expired before `now`; returns how many.
  std::size_t PruneExpired(api::Time now);

  const RevocationRecord* Find(const std::string& serial_hex) const;
  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const std::map<std::string, RevocationRecord>& records() const { return records_; }

 private:
  std::map<std::string, RevocationRecord> records_;  // by serial_hex
};

// kInvalidArgument naming the line for a malformed line; nothing is half-read.
Result<Ledger> ParseLedger(std::string_view text);
std::string FormatLedger(const Ledger& ledger);

// The canonical spelling of a serial: lower-case hex without leading zero octets.
// kInvalidArgument for anything that is not hex.
Result<std::string> CanonicalSerialHex(std::string_view hex);

}  // namespace certplane::reconcile

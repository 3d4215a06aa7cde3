#include "reconcile/crl_ledger.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/text.h"

namespace certplane::reconcile {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

Result<std::string> CanonicalSerialHex(std::string_view hex) {
  if (hex.empty()) return InvalidArgument("empty serial number");
  std::string out;
  out.reserve(hex.size());
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return InvalidArgument("serial number \"" + std::string(hex) + "\" is not hexadecimal");
    }
    out.push_back(AsciiLower(c));
  }
  if (out.size() % 2 != 0) out.insert(out.begin(), '0');
  std::size_t zeros = 0;
  while (zeros + 2 < out.size() && out[zeros] == '0' && out[zeros + 1] == '0') zeros += 2;
  return out.substr(zeros);
}

bool Ledger::Put(const RevocationRecord& record) {
  auto [it, inserted] = records_.emplace(record.serial_hex, record);
  if (inserted) return true;
  RevocationRecord& existing = it->second;
  if (existing.reason == api::RevocationReason::kCertificateHold && record.reason != existing.reason) {
    existing.reason = record.reason;
    return true;
  }
  return false;
}

bool Ledger::Remove(const std::string& serial_hex) { return records_.erase(serial_hex) > 0; }

std::size_t Ledger::PruneExpired(api::Time now) {
  return std::erase_if(records_, [now](const auto& kv) { return kv.second.not_after < now; });
}

const RevocationRecord* Ledger::Find(const std::string& serial_hex) const {
  auto it = records_.find(serial_hex);
  return it == records_.end() ? nullptr : &it->second;
}

Result<Ledger> ParseLedger(std::string_view text) {
  Ledger ledger;
  std::size_t line_no = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto fields = SplitFields(line);
    if (fields.empty() || fields[0].front() == '#') continue;
    auto ctx = [&] { return "revoked.txt line " + std::to_string(line_no); };
    auto where = [&] { return ctx() + ": "; };
    if (fields.size() != 4) {
      return InvalidArgument(where() + "want 4 fields (serial, revoked at, reason, notAfter), got " +
                             std::to_string(fields.size()));
    }
    auto serial = CanonicalSerialHex(fields[0]);
    if (!serial.ok()) return serial.status().WithContext(ctx());
    auto revoked_at = api::ParseTime(fields[1]);
    if (!revoked_at.ok()) return revoked_at.status().WithContext(ctx() + ", revoked at");
    auto reason = api::FromString<api::RevocationReason>(fields[2]);
    if (!reason) {
      return InvalidArgument(where() + "unknown reason \"" + std::string(fields[2]) + "\"; want one of " +
                             api::AllNames<api::RevocationReason>());
    }
    auto not_after = api::ParseTime(fields[3]);
    if (!not_after.ok()) return not_after.status().WithContext(ctx() + ", notAfter");
    ledger.Put({*serial, *revoked_at, *reason, *not_after});
  }
  return ledger;
}

std::string FormatLedger(const Ledger& ledger) {
  std::string out = "# serial revokedAt reason notAfter\n";
  out.reserve(out.size() + ledger.size() * 96);
  for (const auto& [serial, r] : ledger.records()) {
    out += serial;
    out += ' ';
    out += api::FormatTime(r.revoked_at);
    out += ' ';
    out += api::ToString(r.reason);
    out += ' ';
    out += api::FormatTime(r.not_after);
    out += '\n';
  }
  return out;
}

}  // namespace certplane::reconcile

#include "policy/latest_active.h"

#include <tuple>

#include "api/condition.h"

namespace certplane::policy {
namespace {

api::Time IssuedAt(const api::Certificate& c) {
  return c.status.last_issuance_time.value_or(c.status.not_before.value_or(api::Time{}));
}

// True when `a` is to be preferred over `b` (both active).
bool Later(const api::Certificate& a, const api::Certificate& b) {
  const api::Time ia = IssuedAt(a), ib = IssuedAt(b);
  if (ia != ib) return ia > ib;
  if (a.status.not_after != b.status.not_after) return a.status.not_after > b.status.not_after;
  return std::tie(a.metadata.ns, a.metadata.name) < std::tie(b.metadata.ns, b.metadata.name);
}

}  // namespace

std::string_view InactiveReasonName(InactiveReason reason) {
  switch (reason) {
    case InactiveReason::kActive: return "Active";
    case InactiveReason::kNotIssued: return "NotIssued";
    case InactiveReason::kBeingDeleted: return "BeingDeleted";
    case InactiveReason::kRevoked: return "Revoked";
    case InactiveReason::kNotReady: return "NotReady";
    case InactiveReason::kNotYetValid: return "NotYetValid";
    case InactiveReason::kExpired: return "Expired";
    case InactiveReason::kKeyNotFromController: return "KeyNotFromController";
  }
  return "Unknown";
}

bool KeyGeneratedByController(const api::Certificate& certificate) {
  // CSR enrollment (ACME included) keeps the requester's key: there is no Secret, so
  // nothing to hand out.
  return certificate.spec.csr.empty();
}

InactiveReason WhyInactive(const api::Certificate& c, api::Time now) {
  const api::CertificateStatus& s = c.status;
  if (s.serial_number.empty()) return InactiveReason::kNotIssued;
  if (!c.metadata.deletion_timestamp.empty()) return InactiveReason::kBeingDeleted;
  if (c.spec.revocation || s.revocation_reason || s.revoked_at) return InactiveReason::kRevoked;
  if (!api::IsConditionTrue(s.conditions, api::kConditionReady)) return InactiveReason::kNotReady;
  if (s.not_before && now < *s.not_before) return InactiveReason::kNotYetValid;
  if (!s.not_after || now >= *s.not_after) return InactiveReason::kExpired;
  if (!KeyGeneratedByController(c)) return InactiveReason::kKeyNotFromController;
  return InactiveReason::kActive;
}

void LatestActive::Consider(const std::shared_ptr<const api::Certificate>& c) {
  if (!c || WhyInactive(*c, now_) != InactiveReason::kActive) return;
  if (!best_ || Later(*c, *best_)) best_ = c;
}

std::shared_ptr<const api::Certificate> ChooseLatestActive(
    const std::vector<std::shared_ptr<const api::Certificate>>& candidates, api::Time now) {
  LatestActive latest(now);
  for (const auto& c : candidates) latest.Consider(c);
  return latest.get();
}

}  // namespace certplane::policy

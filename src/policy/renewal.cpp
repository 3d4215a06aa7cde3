#include "policy/renewal.h"

#include "policy/hash.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace certplane::policy {
namespace {

constexpr api::Duration kMaxJitter = std::chrono::minutes(5);

}  // namespace

api::Duration RenewalJitter(std::string_view uid, api::Duration bound) {
  const auto bound_s = std::chrono::floor<std::chrono::seconds>(bound).count();
  if (uid.empty() || bound_s <= 0) return api::Duration::zero();
  return std::chrono::seconds(static_cast<std::int64_t>(Fnv1a64(uid) % static_cast<std::uint64_t>(bound_s + 1)));
}

api::Time RenewalTime(const RenewalInput& in) {
  const api::Duration lifetime = in.not_after - in.not_before;
  if (lifetime <= api::Duration::zero()) return in.not_after;
  // Everything is measured from the moment of issuance, which is the backdate after
  // notBefore. Measured from notBefore, a renewBefore equal to the requested duration
  // (the example profile's 30 days on a 30-day certificate) would fit inside the
  // backdated lifetime and put the renewal at the issuance itself: renewed at once,
  // forever.
  const api::Time issued_at = lifetime > kIssuanceBackdate
                                  ? in.not_before + std::chrono::floor<std::chrono::seconds>(kIssuanceBackdate)
                                  : in.not_before;
  const api::Duration issued_life = in.not_after - issued_at;
  api::Duration renew_before = issued_life / 3;
  if (in.renew_before && *in.renew_before > api::Duration::zero() && *in.renew_before < issued_life) {
    renew_before = *in.renew_before;
  }
  // Whole seconds, rounding the lead time up so the renewal is never later than asked.
  const api::Time base = in.not_after - std::chrono::ceil<std::chrono::seconds>(renew_before);
  const api::Duration lead = std::max<api::Duration>(base - issued_at, api::Duration::zero());
  const api::Duration bound = std::min({issued_life / 100, kMaxJitter, lead / 10});
  return base - std::chrono::floor<std::chrono::seconds>(RenewalJitter(in.uid, bound));
}

}  // namespace certplane::policy

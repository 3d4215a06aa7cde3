// When is a certificate due for renewal?
//
//   api::Time due = RenewalTime({.not_before = nb, .not_after = na,
//                                .renew_before = api::EffectiveRenewBefore(spec, profile),
//                                .uid = cert.metadata.uid});
//
// The base time is notAfter - renewBefore. When renewBefore is unset, not positive, or
// not shorter than the lifetime (notAfter - notBefore), the certificate renews at two
// thirds of its lifetime instead, as cert-manager does (so the example profile's 30-day
// renewBeforeDays on a 30-day certificate renews after 20 days, not at once).
//
// Jitter spreads certificates created together: the base time moves EARLIER by a fixed
// amount derived from the certificate's uid (FNV-1a), up to the smallest of 1% of the
// lifetime, 5 minutes, and a tenth of the time between issuance (notBefore +
// kIssuanceBackdate) and the base time. So the renewal is never later than asked, never
// past notAfter, never at or before the issuance itself (which would renew in a loop),
// and a certificate renewed 10 s after issue (1h with renewBefore 59m50s) moves by at
// most 1 s. An empty uid means no jitter.
#pragma once

#include <optional>
#include <string_view>

#include "api/duration.h"
#include "api/time.h"

namespace certplane::policy {

// How far before the moment of issuance certplane dates notBefore, so that relying
// parties whose clocks run a little behind accept a fresh certificate. Issuance
// (reconcile/leaf_issuance) uses this constant, so the two cannot drift apart.
inline constexpr api::Duration kIssuanceBackdate = std::chrono::minutes(5);

struct RenewalInput {
  api::Time not_before;
  api::Time not_after;
  std::optional<api::Duration> renew_before;
  std::string_view uid;
};

api::Time RenewalTime(const RenewalInput& in);

// The jitter RenewalTime subtracts, in whole seconds, at most `bound` (exposed for tests).
api::Duration RenewalJitter(std::string_view uid, api::Duration bound);

}  // namespace certplane::policy

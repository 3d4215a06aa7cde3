#include "policy/renewal.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "builders.h"

namespace certplane::policy {
namespace {

using namespace std::chrono_literals;
using testing_builders::kT0;

struct RenewalCase {
  const char* name;
  api::Duration lifetime;
  std::optional<api::Duration> renew_before;
  api::Duration want_after_issuance;  // without jitter (empty uid)
};
void PrintTo(const RenewalCase& c, std::ostream* os) { *os << c.name; }

class RenewsAt : public testing::TestWithParam<RenewalCase> {};

// Certificates as certplane issues them: issued at kT0, valid for `lifetime` from
// then, with notBefore backdated by kIssuanceBackdate.
const api::Time kNotBefore = kT0 - std::chrono::floor<std::chrono::seconds>(kIssuanceBackdate);

TEST_P(RenewsAt, NotAfterMinusRenewBefore) {
  const api::Time not_after = kT0 + std::chrono::floor<std::chrono::seconds>(GetParam().lifetime);
  const api::Time t = RenewalTime({kNotBefore, not_after, GetParam().renew_before, ""});
  EXPECT_EQ(t - kT0, GetParam().want_after_issuance) << api::FormatDuration(t - kT0);
}

INSTANTIATE_TEST_SUITE_P(
    Renewal, RenewsAt,
    testing::Values(RenewalCase{"thirty_days_before_a_ninety_day_certificate_expires", 2160h, 720h, 1440h},
                    RenewalCase{"ten_seconds_after_issue_for_1h_with_renew_before_59m50s", 1h, 59min + 50s, 10s},
                    RenewalCase{"at_two_thirds_without_renew_before", 2160h, std::nullopt, 1440h},
                    // The example profile: renewBeforeDays 30 on a 720h certificate.
                    RenewalCase{"at_two_thirds_when_renew_before_equals_the_lifetime", 720h, 720h, 480h},
                    RenewalCase{"at_two_thirds_when_renew_before_exceeds_the_lifetime", 720h, 1000h, 480h},
                    RenewalCase{"at_two_thirds_when_renew_before_is_zero", 720h, 0s, 480h},
                    RenewalCase{"a_sub_second_renew_before_rounds_the_lead_up", 1h, 500ms, 1h - 1s}),
    [](const testing::TestParamInfo<RenewalCase>& i) { return std::string(i.param.name); });

TEST(RenewalTime, ABackdatedCertificateNeverRenewsAtOrBeforeItsIssuance) {
  // As issued: notBefore backdated, 1h of validity from issuance, renewBefore 59m50s.
  const api::Time issued = kT0;
  for (int i = 0; i < 500; ++i) {
    const api::Time t = RenewalTime({kNotBefore, issued + 1h, 59min + 50s, "uid-" + std::to_string(i)});
    EXPECT_GT(t, issued) << "uid-" << i << " would renew " << api::FormatDuration(issued - t) << " before issuance";
    EXPECT_LE(t, issued + 10s);
  }
}

TEST(RenewalTime, IsNotAfterForAnEmptyLifetime) { EXPECT_EQ(RenewalTime({kT0, kT0, 1h, "uid"}), kT0); }

TEST(RenewalJitter, IsDeterministicPerUid) {
  EXPECT_EQ(RenewalJitter("6c1f0a52", 5min), RenewalJitter("6c1f0a52", 5min));
  EXPECT_EQ(RenewalJitter("", 5min), 0s);
  EXPECT_EQ(RenewalJitter("6c1f0a52", 0s), 0s);
}

TEST(RenewalJitter, SpreadsCertificatesCreatedTogether) {
  std::set<api::Duration> distinct;
  for (int i = 0; i < 200; ++i) distinct.insert(RenewalJitter("cert-" + std::to_string(i), 5min));
  // 200 uids over 301 possible seconds: nearly all distinct, certainly not one value.
  EXPECT_GT(distinct.size(), 100u);
}

struct JitterBoundCase {
  const char* name;
  api::Duration lifetime;
  std::optional<api::Duration> renew_before;
  api::Duration max_jitter;
};
void PrintTo(const JitterBoundCase& c, std::ostream* os) { *os << c.name; }

class JitterStaysWithin : public testing::TestWithParam<JitterBoundCase> {};

TEST_P(JitterStaysWithin, ItsBoundAndOnlyMovesEarlier) {
  const api::Time not_after = kT0 + std::chrono::floor<std::chrono::seconds>(GetParam().lifetime);
  const api::Time base = RenewalTime({kNotBefore, not_after, GetParam().renew_before, ""});
  api::Duration largest = 0s;
  for (int i = 0; i < 500; ++i) {
    const api::Time t = RenewalTime({kNotBefore, not_after, GetParam().renew_before, "uid-" + std::to_string(i)});
    ASSERT_LE(t, base) << "jitter only makes renewal earlier";
    ASSERT_GT(t, kT0) << "never at or before issuance";
    ASSERT_LT(t, not_after) << "never at or past notAfter";
    largest = std::max(largest, api::Duration(base - t));
  }
  EXPECT_LE(largest, GetParam().max_jitter);
  EXPECT_GT(largest, 0s) << "some jitter is applied";
}

INSTANTIATE_TEST_SUITE_P(Renewal, JitterStaysWithin,
                         testing::Values(JitterBoundCase{"five_minutes_for_long_lived_certificates", 2160h, 720h, 5min},
                                         JitterBoundCase{"one_percent_of_a_short_lifetime", 2h, 30min, 72s},
                                         JitterBoundCase{"a_tenth_of_the_lead_when_renewing_right_after_issue", 1h,
                                                         59min + 50s, 1s}),
                         [](const testing::TestParamInfo<JitterBoundCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace certplane::policy

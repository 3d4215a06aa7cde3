// The latest active certificate of a profile: which Certificates qualify, and which of
// them is the latest.
#include "policy/latest_active.h"

#include <gtest/gtest.h>

#include <functional>

#include "api/condition.h"
#include "builders.h"

namespace certplane::policy {
namespace {

using namespace std::chrono_literals;
using testing_builders::kT0;
using testing_builders::MakeCertificate;

// Issued at kT0 for 30 days, Ready: active from kT0 to kT0 + 720h.
api::Certificate Issued(std::string name = "frontend", api::Time issued = kT0) {
  api::Certificate c = MakeCertificate().WithName("shop", std::move(name)).Build();
  c.status.serial_number = "5f0c1a";
  c.status.not_before = issued - 5min;
  c.status.not_after = issued + 720h;
  c.status.last_issuance_time = issued;
  c.status.conditions.push_back(api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, "Ready", "", 1));
  return c;
}

struct Case {
  std::string name;
  std::function<void(api::Certificate&)> change;
  api::Time now;
  InactiveReason want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class WhyInactiveTest : public ::testing::TestWithParam<Case> {};

TEST_P(WhyInactiveTest, GivesTheFirstReasonOrActive) {
  api::Certificate c = Issued();
  GetParam().change(c);
  EXPECT_EQ(InactiveReasonName(WhyInactive(c, GetParam().now)), InactiveReasonName(GetParam().want));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WhyInactiveTest,
    ::testing::Values(
        Case{"AnIssuedReadyUnexpiredCertificateIsActive", [](api::Certificate&) {}, kT0 + 1h, InactiveReason::kActive},
        Case{"ACertificateWithoutASerialWasNeverIssued", [](api::Certificate& c) { c.status.serial_number.clear(); },
             kT0 + 1h, InactiveReason::kNotIssued},
        Case{"ACertificateBeingDeletedMayBeAboutToBeRevoked",
             [](api::Certificate& c) { c.metadata.deletion_timestamp = "2030-01-01T02:00:00Z"; }, kT0 + 1h,
             InactiveReason::kBeingDeleted},
        Case{
            "ARevocationInTheSpecCountsBeforeTheCrlHasIt",
            [](api::Certificate& c) { c.spec.revocation = api::RevocationSpec{api::RevocationReason::kKeyCompromise}; },
            kT0 + 1h, InactiveReason::kRevoked},
        Case{"ARevocationInTheStatusCounts",
             [](api::Certificate& c) { c.status.revocation_reason = api::RevocationReason::kSuperseded; }, kT0 + 1h,
             InactiveReason::kRevoked},
        Case{"ACertificateOnHoldIsNotActive",
             [](api::Certificate& c) {
               c.spec.revocation = api::RevocationSpec{api::RevocationReason::kCertificateHold};
               c.status.revoked_at = kT0 + 30min;
             },
             kT0 + 1h, InactiveReason::kRevoked},
        Case{"ACertificateThatIsNotReadyIsNotActive",
             [](api::Certificate& c) { c.status.conditions[0].status = api::ConditionStatus::kFalse; }, kT0 + 1h,
             InactiveReason::kNotReady},
        Case{"ACertificateWithoutAReadyConditionIsNotActive", [](api::Certificate& c) { c.status.conditions.clear(); },
             kT0 + 1h, InactiveReason::kNotReady},
        Case{"ACertificateBeforeItsNotBeforeIsNotYetValid", [](api::Certificate&) {}, kT0 - 10min,
             InactiveReason::kNotYetValid},
        Case{"ACertificateAtItsNotAfterHasExpired", [](api::Certificate&) {}, kT0 + 720h, InactiveReason::kExpired},
        Case{"ACertificateWithoutANotAfterCountsAsExpired", [](api::Certificate& c) { c.status.not_after.reset(); },
             kT0 + 1h, InactiveReason::kExpired}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(KeyGeneratedByControllerTest, HoldsForEveryCertificateToday) {
  EXPECT_TRUE(KeyGeneratedByController(Issued()));
  api::Certificate rsa = Issued();
  rsa.spec.private_key.algorithm = api::KeyAlgorithm::kRsa2048;
  rsa.spec.private_key.rotation_policy = api::RotationPolicy::kNever;
  EXPECT_TRUE(KeyGeneratedByController(rsa));
}

std::shared_ptr<const api::Certificate> Shared(api::Certificate c) {
  return std::make_shared<const api::Certificate>(std::move(c));
}

TEST(ChooseLatestActiveTest, ChoosesTheActiveOneIssuedLast) {
  auto older = Shared(Issued("older", kT0));
  auto newer = Shared(Issued("newer", kT0 + 2h));
  api::Certificate revoked = Issued("revoked", kT0 + 3h);
  revoked.spec.revocation = api::RevocationSpec{api::RevocationReason::kKeyCompromise};
  api::Certificate renewing = Issued("not-ready", kT0 + 4h);
  renewing.status.conditions[0].status = api::ConditionStatus::kFalse;
  auto latest = ChooseLatestActive({older, newer, Shared(revoked), Shared(renewing)}, kT0 + 5h);
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->metadata.name, "newer");
}

TEST(ChooseLatestActiveTest, FallsBackToNotBeforeWhenTheIssuanceTimeIsUnknown) {
  api::Certificate a = Issued("a", kT0);
  a.status.last_issuance_time.reset();
  api::Certificate b = Issued("b", kT0 + 1h);
  b.status.last_issuance_time.reset();
  EXPECT_EQ(ChooseLatestActive({Shared(b), Shared(a)}, kT0 + 2h)->metadata.name, "b");
}

TEST(ChooseLatestActiveTest, BreaksTiesByLaterNotAfterThenByName) {
  api::Certificate shorter = Issued("a-short", kT0);
  shorter.status.not_after = kT0 + 24h;
  api::Certificate longer = Issued("z-long", kT0);
  EXPECT_EQ(ChooseLatestActive({Shared(shorter), Shared(longer)}, kT0 + 1h)->metadata.name, "z-long");
  // Equal in every time: the first by namespace/name, whatever the order given.
  auto x = Shared(Issued("x", kT0)), y = Shared(Issued("y", kT0));
  EXPECT_EQ(ChooseLatestActive({y, x}, kT0 + 1h)->metadata.name, "x");
  EXPECT_EQ(ChooseLatestActive({x, y}, kT0 + 1h)->metadata.name, "x");
}

TEST(ChooseLatestActiveTest, IsNullWhenNothingIsActive) {
  EXPECT_EQ(ChooseLatestActive({}, kT0), nullptr);
  EXPECT_EQ(ChooseLatestActive({Shared(Issued("expired", kT0))}, kT0 + 721h), nullptr);
  EXPECT_EQ(ChooseLatestActive({nullptr}, kT0), nullptr);
}

}  // namespace
}  // namespace certplane::policy

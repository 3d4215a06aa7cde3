#include "actions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builders.h"

namespace certplane::plugin {
namespace {

using testing::Days;
using ::testing::HasSubstr;
using testing::kNow;
using testing::MakeCertificate;

TEST(RenewPatch, SetsTheRenewAnnotationToNowInRfc3339) {
  EXPECT_EQ(RenewPatch(kNow),
            nlohmann::json::parse(
                R"({"metadata":{"annotations":{"certplane.io/renew-requested-at":"2030-06-01T12:00:00Z"}}})"));
}

TEST(CheckRenewable, AllowsALiveCertificate) {
  EXPECT_TRUE(CheckRenewable(MakeCertificate("shop", "frontend").Issued(kNow - Days(1), kNow + Days(29))).ok());
  EXPECT_TRUE(CheckRenewable(MakeCertificate("shop", "frontend")).ok()) << "a pending one may be nudged too";
}

TEST(CheckRenewable, RefusesARevokedCertificateNamingItAndTheReason) {
  Status s = CheckRenewable(MakeCertificate("shop", "frontend")
                                .Issued(kNow - Days(1), kNow + Days(29))
                                .RevocationRequested(api::RevocationReason::kKeyCompromise));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      s.message(),
      "certificate shop/frontend is revoked (keyCompromise) and is never renewed; create a new Certificate instead");
}

TEST(CheckRenewable, RefusesACsrEnrollmentWhoseKeyTheControllerDoesNotHold) {
  Status s = CheckRenewable(MakeCertificate("shop", "device").Csr().Issued(kNow - Days(1), kNow + Days(29)));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "certificate shop/device was enrolled with a CSR (spec.csr): the requester holds its key, so the "
            "controller never renews it; submit a new CSR in a new Certificate instead");
}

TEST(CheckExportable, AllowsACertificateWithASecret) {
  EXPECT_TRUE(CheckExportable(MakeCertificate("shop", "frontend").Issued(kNow - Days(1), kNow + Days(29))).ok());
}

TEST(CheckExportable, RefusesACsrEnrollmentAndSaysWhereTheChainIs) {
  Status s = CheckExportable(MakeCertificate("certplane-system", "order-9").Csr("order-9"));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "certificate certplane-system/order-9 was enrolled over ACME: its private key stays with the requester "
            "and no Secret exists, so there is nothing to export; its certificate chain is in status.certificate "
            "(kubectl get cpcert order-9 -n certplane-system -o jsonpath='{.status.certificate}')");
}

TEST(CheckRenewable, RefusesACertificateOnHold) {
  Status s = CheckRenewable(MakeCertificate("shop", "frontend")
                                .Issued(kNow - Days(1), kNow + Days(29))
                                .RevocationRequested(api::RevocationReason::kCertificateHold));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("is on hold (certificateHold)"));
}

TEST(PlanRevocation, PatchesALiveCertificate) {
  Result<RevokePlan> plan = PlanRevocation(MakeCertificate("shop", "frontend").Issued(kNow - Days(1), kNow + Days(29)),
                                           api::RevocationReason::kKeyCompromise);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(*plan, RevokePlan::kPatch);
  EXPECT_EQ(RevokePatch(api::RevocationReason::kKeyCompromise),
            nlohmann::json::parse(R"({"spec":{"revocation":{"reason":"keyCompromise"}}})"));
  EXPECT_EQ(RevokePatch(api::RevocationReason::kCaCompromise),
            nlohmann::json::parse(R"({"spec":{"revocation":{"reason":"cACompromise"}}})"));
}

TEST(PlanRevocation, DoesNothingWhenTheSameReasonIsAlreadySet) {
  Result<RevokePlan> plan = PlanRevocation(MakeCertificate("shop", "frontend")
                                               .Issued(kNow - Days(1), kNow + Days(29))
                                               .Revoked(api::RevocationReason::kKeyCompromise, kNow),
                                           api::RevocationReason::kKeyCompromise);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(*plan, RevokePlan::kAlreadyRevoked);
}

TEST(PlanRevocation, LetsAHoldBecomeFinal) {
  Result<RevokePlan> plan = PlanRevocation(MakeCertificate("shop", "frontend")
                                               .Issued(kNow - Days(1), kNow + Days(29))
                                               .Revoked(api::RevocationReason::kCertificateHold, kNow),
                                           api::RevocationReason::kKeyCompromise);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(*plan, RevokePlan::kPatch);
}

TEST(PlanRevocation, RefusesToChangeAFinalReason) {
  Result<RevokePlan> plan = PlanRevocation(MakeCertificate("shop", "frontend")
                                               .Issued(kNow - Days(1), kNow + Days(29))
                                               .Revoked(api::RevocationReason::kSuperseded, kNow),
                                           api::RevocationReason::kKeyCompromise);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      plan.status().message(),
      "certificate shop/frontend is already revoked with reason superseded; a final revocation cannot be changed");
}

}  // namespace
}  // namespace certplane::plugin

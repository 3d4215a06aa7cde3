#include "acme/objects.h"

#include <gtest/gtest.h>

#include "api/time.h"

namespace certplane::acme {
namespace {

using namespace std::chrono_literals;
using api::AcmeChallenge;

WallTime At(const char* text) { return WallTime(*api::ParseTime(text)); }

Order TwoNameOrder() {
  Order o;
  o.id = "0123abcd";
  o.account_id = "acc1";
  o.profile = "web";
  o.identifiers = {{"dns", "a.example.test"}, {"dns", "*.example.test"}};
  o.created_at = At("2026-11-27T10:00:00Z");
  o.expires = At("2026-11-28T10:00:00Z");
  for (const Identifier& id : o.identifiers) {
    Authorization az{.identifier = id, .expires = o.expires};
    if (id.value[0] == '*') {
      az.identifier.value = id.value.substr(2);
      az.wildcard = true;
      az.challenges = {Challenge{.type = AcmeChallenge::kDns01, .token = "tok-w"}};
    } else {
      az.challenges = {Challenge{.type = AcmeChallenge::kHttp01, .token = "tok-h"},
                       Challenge{.type = AcmeChallenge::kDns01, .token = "tok-d"}};
    }
    o.authorizations.push_back(az);
  }
  return o;
}

const WallTime kNow = At("2026-11-27T11:00:00Z");

TEST(RecomputeStatus, AnOrderIsReadyOnlyWhenEveryAuthorizationHasAValidChallenge) {
  Order o = TwoNameOrder();
  EXPECT_FALSE(RecomputeStatus(o, kNow));
  EXPECT_EQ(o.status, OrderStatus::kPending);

  o.authorizations[0].challenges[1].status = ChallengeStatus::kValid;
  EXPECT_TRUE(RecomputeStatus(o, kNow));
  EXPECT_EQ(o.authorizations[0].status, AuthorizationStatus::kValid);
  EXPECT_EQ(o.status, OrderStatus::kPending);

  o.authorizations[1].challenges[0].status = ChallengeStatus::kValid;
  EXPECT_TRUE(RecomputeStatus(o, kNow));
  EXPECT_EQ(o.status, OrderStatus::kReady);
  EXPECT_FALSE(RecomputeStatus(o, kNow));
}

TEST(RecomputeStatus, OneFailedChallengeInvalidatesTheAuthorizationAndTheOrderWithItsError) {
  Order o = TwoNameOrder();
  o.authorizations[1].challenges[0].status = ChallengeStatus::kInvalid;
  o.authorizations[1].challenges[0].error =
      MakeProblem(ProblemType::kDns, "no TXT record at _acme-challenge.example.test");
  EXPECT_TRUE(RecomputeStatus(o, kNow));
  EXPECT_EQ(o.authorizations[1].status, AuthorizationStatus::kInvalid);
  EXPECT_EQ(o.status, OrderStatus::kInvalid);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->type, ProblemType::kDns);
  EXPECT_EQ(o.error->identifier, (Identifier{"dns", "example.test"}));
}

TEST(RecomputeStatus, PendingAuthorizationsAndOrdersExpire) {
  Order o = TwoNameOrder();
  EXPECT_TRUE(RecomputeStatus(o, o.expires + 1s));
  EXPECT_EQ(o.authorizations[0].status, AuthorizationStatus::kExpired);
  EXPECT_EQ(o.status, OrderStatus::kInvalid);
}

TEST(RecomputeStatus, ProcessingAndValidOrdersAreLeftAlone) {
  Order o = TwoNameOrder();
  o.status = OrderStatus::kProcessing;
  o.authorizations[0].challenges[0].status = ChallengeStatus::kInvalid;
  RecomputeStatus(o, o.expires + 1h);
  EXPECT_EQ(o.status, OrderStatus::kProcessing);
}

TEST(RecomputeStatus, ADeactivatedAuthorizationInvalidatesAPendingOrder) {
  Order o = TwoNameOrder();
  o.authorizations[0].status = AuthorizationStatus::kDeactivated;
  EXPECT_TRUE(RecomputeStatus(o, kNow));
  EXPECT_EQ(o.status, OrderStatus::kInvalid);
}

TEST(OrderStorage, RoundTripsEveryField) {
  Order o = TwoNameOrder();
  o.status = OrderStatus::kProcessing;
  o.certificate_name = "acme-0123abcd";
  o.serial_number = "5f0c";
  o.authorizations[0].challenges[0].status = ChallengeStatus::kInvalid;
  o.authorizations[0].challenges[0].error = MakeProblem(ProblemType::kConnection, "refused");
  o.authorizations[0].challenges[1].status = ChallengeStatus::kValid;
  o.authorizations[0].challenges[1].validated = At("2026-11-27T10:30:00Z");
  o.authorizations[1].challenges[0].processing_since = At("2026-11-27T10:31:00Z");
  o.error = MakeProblem(ProblemType::kBadCsr, "x");
  ProblemOr<Order> back = OrderFromStorage(nlohmann::json::parse(OrderToStorage(o).dump()));
  ASSERT_TRUE(back.ok()) << back.problem().detail;
  EXPECT_EQ(*back, o);
}

TEST(OrderStorage, ADamagedOrderNamesTheField) {
  nlohmann::json j = OrderToStorage(TwoNameOrder());
  j["authorizations"][1]["challenges"][0]["status"] = "wobbly";
  ProblemOr<Order> bad = OrderFromStorage(j);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.problem().detail.find("authorizations[1].challenges[0].status"), std::string::npos)
      << bad.problem().detail;
  j = OrderToStorage(TwoNameOrder());
  j["authorizations"].erase(1);
  EXPECT_FALSE(OrderFromStorage(j).ok());
  EXPECT_FALSE(OrderFromStorage(nlohmann::json::array()).ok());
}

TEST(AccountStorage, RoundTrips) {
  Account a{.id = "acc1",
            .profile = "web",
            .key = {{"kty", "EC"}, {"crv", "P-256"}, {"x", "x"}, {"y", "y"}},
            .contact = {"mailto:ops@example.test"},
            .terms_of_service_agreed = true,
            .external_account_id = "kid-1",
            .created_at = kNow};
  ProblemOr<Account> back = AccountFromStorage(AccountToStorage(a));
  ASSERT_TRUE(back.ok()) << back.problem().detail;
  EXPECT_EQ(*back, a);
}

TEST(ProtocolJson, AValidAuthorizationListsOnlyTheChallengeThatPassedAndTheOrderItsCertificateUrl) {
  AcmeUrls urls{"http://acme.test:8080", "web"};
  Order o = TwoNameOrder();
  o.authorizations[0].challenges[1].status = ChallengeStatus::kValid;
  o.authorizations[1].challenges[0].status = ChallengeStatus::kValid;
  RecomputeStatus(o, kNow);
  nlohmann::json az = AuthorizationToProtocolJson(o, 0, urls);
  EXPECT_EQ(az["status"], "valid");
  ASSERT_EQ(az["challenges"].size(), 1u);
  EXPECT_EQ(az["challenges"][0]["type"], "dns-01");
  EXPECT_EQ(az["challenges"][0]["url"], "http://acme.test:8080/acme/web/chall/0123abcd/0/dns-01");
  EXPECT_EQ(AuthorizationToProtocolJson(o, 1, urls)["wildcard"], true);
  EXPECT_EQ(AuthorizationToProtocolJson(o, 1, urls)["identifier"]["value"], "example.test");

  nlohmann::json order = OrderToProtocolJson(o, urls);
  EXPECT_EQ(order["status"], "ready");
  EXPECT_EQ(order["finalize"], "http://acme.test:8080/acme/web/order/0123abcd/finalize");
  EXPECT_FALSE(order.contains("certificate"));
  o.status = OrderStatus::kValid;
  EXPECT_EQ(OrderToProtocolJson(o, urls)["certificate"], "http://acme.test:8080/acme/web/order/0123abcd/certificate");
  EXPECT_EQ(order["expires"], "2026-11-28T10:00:00Z");
}

TEST(NewObjectId, IsLowerCaseHexOfTheAskedLengthAndNeverRepeats) {
  std::string a = NewObjectId(), b = NewObjectId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace certplane::acme

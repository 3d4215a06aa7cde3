// dns-01 against the test DNS responder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acme/validation/challenge_validator.h"
#include "acme/validation/challenge_values.h"
#include "dns_responder.h"

namespace certplane::acme {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
constexpr std::string_view kKeyAuthz =
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ";

class Dns01Test : public ::testing::Test {
 protected:
  std::optional<Problem> Validate(const Identifier& identifier) {
    ChallengeValidator validator({.dns_server = dns_.address(), .timeout = std::chrono::seconds(2)});
    // The policy does not matter for dns-01: nothing connects to the name's addresses.
    return validator.Validate(api::AcmeChallenge::kDns01, identifier, kToken, kKeyAuthz, AddressPolicy());
  }

  testing::DnsResponder dns_{"test."};
};

TEST_F(Dns01Test, SucceedsWhenOneTxtRecordIsTheDigest) {
  dns_.SetTxt("_acme-challenge.web.test", {"stale-value", Dns01TxtValue(kKeyAuthz)});
  EXPECT_EQ(Validate({"dns", "web.test"}), std::nullopt);
  EXPECT_EQ(Validate({"dns", "WEB.test."}), std::nullopt);
}

TEST_F(Dns01Test, WildcardIsValidatedAtTheBaseName) {
  dns_.SetTxt("_acme-challenge.web.test", {Dns01TxtValue(kKeyAuthz)});
  EXPECT_EQ(Validate({"dns", "*.web.test"}), std::nullopt);
}

TEST_F(Dns01Test, WrongValueIsIncorrectResponseListingWhatWasFound) {
  dns_.SetTxt("_acme-challenge.web.test", {"wrong-value"});
  std::optional<Problem> p = Validate({"dns", "web.test"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kIncorrectResponse);
  EXPECT_THAT(p->detail, HasSubstr("_acme-challenge.web.test"));
  EXPECT_THAT(p->detail, HasSubstr("\"wrong-value\""));
  EXPECT_THAT(p->detail, HasSubstr(Dns01TxtValue(kKeyAuthz)));
}

TEST_F(Dns01Test, AbsentTxtIsADnsProblem) {
  dns_.SetA("web.test", "192.0.2.1");
  std::optional<Problem> p = Validate({"dns", "web.test"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kDns);
  EXPECT_THAT(p->detail, HasSubstr("no TXT record found at _acme-challenge.web.test"));
}

TEST_F(Dns01Test, UnreachableDnsServerIsADnsProblem) {
  ChallengeValidator validator({.dns_server = "not-a-server", .timeout = std::chrono::seconds(1)});
  std::optional<Problem> p =
      validator.Validate(api::AcmeChallenge::kDns01, {"dns", "web.test"}, kToken, kKeyAuthz, AddressPolicy());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kDns);
  EXPECT_THAT(p->detail, HasSubstr("failed"));
}

TEST_F(Dns01Test, IpIdentifierIsUnsupported) {
  std::optional<Problem> p = Validate({"ip", "192.0.2.1"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kUnsupportedIdentifier);
  EXPECT_THAT(p->detail, HasSubstr("RFC 8738"));
}

}  // namespace
}  // namespace certplane::acme

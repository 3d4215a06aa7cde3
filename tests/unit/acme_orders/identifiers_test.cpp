#include "acme/identifiers.h"

#include <gtest/gtest.h>

namespace certplane::acme {
namespace {

using api::AcmeChallenge;

nlohmann::json Ids(std::initializer_list<std::pair<const char*, const char*>> ids) {
  nlohmann::json out = nlohmann::json::array();
  for (auto [type, value] : ids) out.push_back({{"type", type}, {"value", value}});
  return out;
}

TEST(NormalizeIdentifiers, LowerCasesDropsTheRootDotWritesIpsCanonicallyAndRemovesDuplicates) {
  auto ids = NormalizeIdentifiers(
      Ids({{"dns", "WWW.Example.test."}, {"dns", "www.example.test"}, {"ip", "fd00:0::1"}, {"dns", "*.Example.test"}}));
  ASSERT_TRUE(ids.ok()) << ids.problem().detail;
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ((*ids)[0], (Identifier{"dns", "www.example.test"}));
  EXPECT_EQ((*ids)[1], (Identifier{"ip", "fd00::1"}));
  EXPECT_EQ((*ids)[2], (Identifier{"dns", "*.example.test"}));
}

TEST(NormalizeIdentifiers, RefusesAnEmptyListAndNonObjectsAsMalformed) {
  EXPECT_EQ(NormalizeIdentifiers(nlohmann::json::array()).problem().type, ProblemType::kMalformed);
  EXPECT_EQ(NormalizeIdentifiers(nlohmann::json("www.example.test")).problem().type, ProblemType::kMalformed);
  auto p = NormalizeIdentifiers(nlohmann::json::array({"www.example.test"})).problem();
  EXPECT_EQ(p.type, ProblemType::kMalformed);
  EXPECT_NE(p.detail.find("identifiers[0]"), std::string::npos) << p.detail;
}

TEST(NormalizeIdentifiers, RefusesMoreThanAHundred) {
  nlohmann::json many = nlohmann::json::array();
  for (int i = 0; i <= 100; ++i)
    many.push_back({{"type", "dns"}, {"value", "h" + std::to_string(i) + ".example.test"}});
  EXPECT_EQ(NormalizeIdentifiers(many).problem().type, ProblemType::kMalformed);
}

TEST(NormalizeIdentifiers, AnUnknownTypeIsUnsupportedIdentifier) {
  auto p = NormalizeIdentifiers(Ids({{"email", "a@example.test"}})).problem();
  EXPECT_EQ(p.type, ProblemType::kUnsupportedIdentifier);
  EXPECT_NE(p.detail.find("email"), std::string::npos);
}

TEST(NormalizeIdentifiers, BadNamesAreRejectedEachWithItsIdentifier) {
  auto p = NormalizeIdentifiers(
               Ids({{"dns", "a..b"}, {"dns", "www.*.example.test"}, {"ip", "10.0.0.300"}, {"dns", "ok.test"}}))
               .problem();
  EXPECT_EQ(p.type, ProblemType::kRejectedIdentifier);
  ASSERT_EQ(p.subproblems.size(), 3u);
  EXPECT_EQ(p.subproblems[0].identifier, (Identifier{"dns", "a..b"}));
  EXPECT_EQ(p.subproblems[1].identifier, (Identifier{"dns", "www.*.example.test"}));
  EXPECT_EQ(p.subproblems[2].identifier, (Identifier{"ip", "10.0.0.300"}));
  auto one = NormalizeIdentifiers(Ids({{"dns", "-bad-.test"}})).problem();
  EXPECT_EQ(one.type, ProblemType::kRejectedIdentifier);
  EXPECT_TRUE(one.subproblems.empty());
  EXPECT_EQ(one.identifier, (Identifier{"dns", "-bad-.test"}));
}

TEST(ChallengesFor, AWildcardOnlyByDns01AndAnIpNeverByDns01) {
  std::vector<AcmeChallenge> all = {AcmeChallenge::kHttp01, AcmeChallenge::kDns01, AcmeChallenge::kTlsAlpn01};
  EXPECT_EQ(ChallengesFor({"dns", "www.example.test"}, all), all);
  EXPECT_EQ(ChallengesFor({"dns", "*.example.test"}, all), std::vector<AcmeChallenge>{AcmeChallenge::kDns01});
  EXPECT_EQ(ChallengesFor({"ip", "10.0.0.1"}, all),
            (std::vector<AcmeChallenge>{AcmeChallenge::kHttp01, AcmeChallenge::kTlsAlpn01}));
  EXPECT_TRUE(ChallengesFor({"dns", "*.example.test"}, {AcmeChallenge::kHttp01}).empty());
}

}  // namespace
}  // namespace certplane::acme

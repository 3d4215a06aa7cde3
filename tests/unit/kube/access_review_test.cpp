// Access reviews: the TokenReview and SubjectAccessReview bodies and answers, the TTL
// cache, and the caching reviewer over a stub of our own AccessReviewer interface.
#include "kube/access_review.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kube/ttl_cache.h"

namespace certplane::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;

UserInfo Deployer() {
  return {.username = "system:serviceaccount:shop:deployer",
          .uid = "0d3c",
          .groups = {"system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"},
          .extra = {{"authentication.kubernetes.io/pod-name", {"deploy-1"}}}};
}

ResourceAttributes GetSecret(std::string name) {
  return {.ns = "shop", .verb = "get", .group = "", .resource = "secrets", .name = std::move(name)};
}

TEST(TokenReviewTest, TheBodyCarriesTheTokenAndOnlyTheAudiencesAskedFor) {
  json body = TokenReviewBody(SensitiveString("abc.def"), {});
  EXPECT_EQ(body["apiVersion"], "authentication.k8s.io/v1");
  EXPECT_EQ(body["kind"], "TokenReview");
  EXPECT_EQ(body["spec"], json({{"token", "abc.def"}}));
  EXPECT_EQ(TokenReviewBody(SensitiveString("t"), {"certplane"})["spec"]["audiences"], json({"certplane"}));
}

TEST(TokenReviewTest, AnAuthenticatedReviewGivesTheWholeUser) {
  json review = {{"kind", "TokenReview"},
                 {"status",
                  {{"authenticated", true},
                   {"user",
                    {{"username", "system:serviceaccount:shop:deployer"},
                     {"uid", "0d3c"},
                     {"groups", {"system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"}},
                     {"extra", {{"authentication.kubernetes.io/pod-name", {"deploy-1"}}}}}}}}};
  Result<UserInfo> user = ParseTokenReview(review);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(*user, Deployer());
}

TEST(TokenReviewTest, ARefusedTokenIsUnauthenticatedWithTheServersReason) {
  json review = {{"kind", "TokenReview"},
                 {"status", {{"authenticated", false}, {"error", "service account token has expired"}}}};
  Result<UserInfo> user = ParseTokenReview(review);
  EXPECT_EQ(user.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(user.status().message(), HasSubstr("service account token has expired"));
  EXPECT_EQ(ParseTokenReview({{"kind", "TokenReview"}, {"status", json::object()}}).status().code(),
            StatusCode::kUnauthenticated);
}

TEST(TokenReviewTest, AnAnswerThatIsNotATokenReviewOrNamesNoUserIsInternal) {
  EXPECT_EQ(ParseTokenReview({{"kind", "Status"}}).status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseTokenReview({{"kind", "TokenReview"}, {"status", {{"authenticated", true}}}}).status().code(),
            StatusCode::kInternal);
}

TEST(SubjectAccessReviewTest, TheBodyAsksForTheWholeUserAndTheResource) {
  json body = SubjectAccessReviewBody(Deployer(), GetSecret("web-tls"));
  EXPECT_EQ(body["apiVersion"], "authorization.k8s.io/v1");
  EXPECT_EQ(body["kind"], "SubjectAccessReview");
  EXPECT_EQ(body["spec"]["user"], "system:serviceaccount:shop:deployer");
  EXPECT_EQ(body["spec"]["uid"], "0d3c");
  EXPECT_EQ(body["spec"]["groups"].size(), 3u);
  EXPECT_EQ(body["spec"]["extra"]["authentication.kubernetes.io/pod-name"], json({"deploy-1"}));
  EXPECT_EQ(
      body["spec"]["resourceAttributes"],
      json({{"namespace", "shop"}, {"verb", "get"}, {"group", ""}, {"resource", "secrets"}, {"name", "web-tls"}}));
}

TEST(SubjectAccessReviewTest, ReadsAllowedAndDenied) {
  Result<AccessDecision> allowed =
      ParseSubjectAccessReview({{"kind", "SubjectAccessReview"}, {"status", {{"allowed", true}, {"reason", "RBAC"}}}});
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(allowed->allowed);
  EXPECT_EQ(allowed->reason, "RBAC");
  Result<AccessDecision> denied =
      ParseSubjectAccessReview({{"kind", "SubjectAccessReview"}, {"status", {{"allowed", false}}}});
  ASSERT_TRUE(denied.ok());
  EXPECT_FALSE(denied->allowed);
  // An explicit denial wins over an allow.
  Result<AccessDecision> both =
      ParseSubjectAccessReview({{"kind", "SubjectAccessReview"}, {"status", {{"allowed", true}, {"denied", true}}}});
  ASSERT_TRUE(both.ok());
  EXPECT_FALSE(both->allowed);
}

TEST(SubjectAccessReviewTest, AnEvaluationErrorWithoutADecisionIsAFailedReview) {
  Result<AccessDecision> r = ParseSubjectAccessReview(
      {{"kind", "SubjectAccessReview"}, {"status", {{"allowed", false}, {"evaluationError", "webhook timed out"}}}});
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("webhook timed out"));
  EXPECT_EQ(ParseSubjectAccessReview({{"kind", "Status"}}).status().code(), StatusCode::kInternal);
}

TEST(Sha256HexTest, IsTheLowerCaseHexDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TtlCacheTest, AnEntryLivesForTheTtlAfterItsLastPut) {
  auto clock = std::make_shared<FakeClock>();
  TtlCache<int> cache(10s, 8, clock);
  cache.Put("a", 1);
  clock->Advance(9s);
  EXPECT_EQ(cache.Get("a"), 1);
  cache.Put("a", 2);
  clock->Advance(9s);
  EXPECT_EQ(cache.Get("a"), 2);
  clock->Advance(1s);
  EXPECT_EQ(cache.Get("a"), std::nullopt);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TtlCacheTest, AFullCacheDropsTheOldestEntry) {
  auto clock = std::make_shared<FakeClock>();
  TtlCache<int> cache(10s, 3, clock);
  for (int i = 0; i < 5; ++i) {
    cache.Put("k" + std::to_string(i), i);
    clock->Advance(1s);
  }
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.Get("k0"), std::nullopt);
  EXPECT_EQ(cache.Get("k1"), std::nullopt);
  EXPECT_EQ(cache.Get("k2"), 2);
  EXPECT_EQ(cache.Get("k4"), 4);
}

// Our own AccessReviewer, answering from tables and counting the questions.
class TableReviewer final : public AccessReviewer {
 public:
  Result<UserInfo> Authenticate(const SensitiveString& token) override {
    ++authentications;
    if (fail) return Unavailable("the API server is down");
    auto it = users.find(std::string(token.view()));
    if (it == users.end()) return Status(StatusCode::kUnauthenticated, "unknown token");
    return it->second;
  }
  Result<AccessDecision> Authorize(const UserInfo& user, const ResourceAttributes& attributes) override {
    ++authorizations;
    if (fail) return Unavailable("the API server is down");
    return AccessDecision{.allowed = allowed.count({user.username, attributes.name}) > 0};
  }

  std::map<std::string, UserInfo> users;
  std::set<std::pair<std::string, std::string>> allowed;
  bool fail = false;
  int authentications = 0;
  int authorizations = 0;
};

class CachingAccessReviewerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inner_.users["deployer-token"] = Deployer();
    inner_.allowed.insert({Deployer().username, "web-tls"});
  }
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  TableReviewer inner_;
  CachingAccessReviewer reviewer_{inner_, {.ttl = 10s, .max_entries = 16, .clock = clock_}};
};

TEST_F(CachingAccessReviewerTest, ReusesAnAuthenticationForTheTtl) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(reviewer_.Authenticate(SensitiveString("deployer-token")).value(), Deployer());
  EXPECT_EQ(inner_.authentications, 1);
  clock_->Advance(10s);
  EXPECT_TRUE(reviewer_.Authenticate(SensitiveString("deployer-token")).ok());
  EXPECT_EQ(inner_.authentications, 2);
}

TEST_F(CachingAccessReviewerTest, ReusesARefusalButNotAFailure) {
  EXPECT_EQ(reviewer_.Authenticate(SensitiveString("forged")).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(reviewer_.Authenticate(SensitiveString("forged")).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(inner_.authentications, 1);

  inner_.fail = true;
  EXPECT_EQ(reviewer_.Authenticate(SensitiveString("other")).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(reviewer_.Authorize(Deployer(), GetSecret("db-tls")).status().code(), StatusCode::kUnavailable);
  inner_.fail = false;
  EXPECT_TRUE(reviewer_.Authenticate(SensitiveString("other")).status().code() == StatusCode::kUnauthenticated);
  EXPECT_FALSE(reviewer_.Authorize(Deployer(), GetSecret("db-tls"))->allowed);
  EXPECT_EQ(inner_.authentications, 3);
  EXPECT_EQ(inner_.authorizations, 2);
}

TEST_F(CachingAccessReviewerTest, KeysDecisionsByTheWholeQuestion) {
  EXPECT_TRUE(reviewer_.Authorize(Deployer(), GetSecret("web-tls"))->allowed);
  EXPECT_TRUE(reviewer_.Authorize(Deployer(), GetSecret("web-tls"))->allowed);
  EXPECT_EQ(inner_.authorizations, 1);
  // Another Secret, another user, the same user with other groups: each asked anew.
  EXPECT_FALSE(reviewer_.Authorize(Deployer(), GetSecret("db-tls"))->allowed);
  UserInfo other = Deployer();
  other.username = "system:serviceaccount:shop:other";
  EXPECT_FALSE(reviewer_.Authorize(other, GetSecret("web-tls"))->allowed);
  UserInfo fewer_groups = Deployer();
  fewer_groups.groups.pop_back();
  EXPECT_TRUE(reviewer_.Authorize(fewer_groups, GetSecret("web-tls"))->allowed);
  EXPECT_EQ(inner_.authorizations, 4);
  // A denial is reused too, until the TTL passes.
  EXPECT_FALSE(reviewer_.Authorize(Deployer(), GetSecret("db-tls"))->allowed);
  EXPECT_EQ(inner_.authorizations, 4);
  inner_.allowed.insert({Deployer().username, "db-tls"});
  clock_->Advance(10s);
  EXPECT_TRUE(reviewer_.Authorize(Deployer(), GetSecret("db-tls"))->allowed);
  EXPECT_EQ(inner_.authorizations, 5);
}

}  // namespace
}  // namespace certplane::kube

// Access reviews against the real API server: TokenRequest tokens of two
// ServiceAccounts, a Role that lets one of them get one Secret, and the answers of
// TokenReview and SubjectAccessReview through ApiAccessReviewer (with the admin
// client), and what a reviewer without the right to review gets.
#include "kube/access_review.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "kube/rest_client.h"
#include "kube_test.h"

namespace certplane {
namespace {

using nlohmann::json;
using testing::Eventually;
using testing::KubeTest;

const kube::GroupVersionResource kServiceAccounts{"", "v1", "serviceaccounts", true};
const kube::GroupVersionResource kRoles{"rbac.authorization.k8s.io", "v1", "roles", true};
const kube::GroupVersionResource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings", true};

class AccessReviewTest : public KubeTest {
 protected:
  void SetUp() override {
    KubeTest::SetUp();
    for (const char* sa : {"reader", "other"}) {
      auto created = client().Create(kServiceAccounts, ns(),
                                     {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", sa}}}});
      ASSERT_TRUE(created.ok()) << created.status();
    }
    auto role = client().Create(kRoles, ns(),
                                {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                                 {"kind", "Role"},
                                 {"metadata", {{"name", "read-web-tls"}}},
                                 {"rules", json::array({{{"apiGroups", {""}},
                                                         {"resources", {"secrets"}},
                                                         {"resourceNames", {"web-tls"}},
                                                         {"verbs", {"get"}}}})}});
    ASSERT_TRUE(role.ok()) << role.status();
    auto binding = client().Create(
        kRoleBindings, ns(),
        {{"apiVersion", "rbac.authorization.k8s.io/v1"},
         {"kind", "RoleBinding"},
         {"metadata", {{"name", "read-web-tls"}}},
         {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "read-web-tls"}}},
         {"subjects", json::array({{{"kind", "ServiceAccount"}, {"name", "reader"}, {"namespace", ns()}}})}});
    ASSERT_TRUE(binding.ok()) << binding.status();
  }

  // A bound token from the TokenRequest API, as `kubectl create token` makes.
  SensitiveString Token(const std::string& sa) {
    kube::RawRequest req;
    req.method = "POST";
    req.path = kube::Client::Path(kServiceAccounts, ns(), sa, "token");
    req.body = json({{"apiVersion", "authentication.k8s.io/v1"},
                     {"kind", "TokenRequest"},
                     {"spec", {{"expirationSeconds", 600}}}})
                   .dump();
    auto r = client().RawJson(req);
    EXPECT_TRUE(r.ok()) << r.status();
    return SensitiveString(r.ok() ? (*r)["status"].value("token", "") : "");
  }

  kube::ResourceAttributes GetSecret(const std::string& name) {
    return {.ns = ns(), .verb = "get", .group = "", .resource = "secrets", .name = name};
  }
};

TEST_F(AccessReviewTest, ATokenRequestTokenIsItsServiceAccount) {
  kube::ApiAccessReviewer reviewer(client_ptr());
  Result<kube::UserInfo> user = reviewer.Authenticate(Token("reader"));
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->username, "system:serviceaccount:" + ns() + ":reader");
  EXPECT_FALSE(user->uid.empty());
  EXPECT_NE(std::find(user->groups.begin(), user->groups.end(), "system:serviceaccounts:" + ns()), user->groups.end());
  EXPECT_NE(std::find(user->groups.begin(), user->groups.end(), "system:authenticated"), user->groups.end());
}

TEST_F(AccessReviewTest, AForgedTokenIsUnauthenticated) {
  kube::ApiAccessReviewer reviewer(client_ptr());
  Result<kube::UserInfo> user = reviewer.Authenticate(SensitiveString("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"));
  EXPECT_EQ(user.status().code(), StatusCode::kUnauthenticated) << user.status();
}

TEST_F(AccessReviewTest, ATokenForAnotherAudienceIsUnauthenticated) {
  kube::ApiAccessReviewer reviewer(client_ptr(), {.audiences = {"https://certplane.invalid"}});
  Result<kube::UserInfo> user = reviewer.Authenticate(Token("reader"));
  EXPECT_EQ(user.status().code(), StatusCode::kUnauthenticated) << user.status();
}

TEST_F(AccessReviewTest, TheSubjectAccessReviewFollowsTheRole) {
  kube::ApiAccessReviewer reviewer(client_ptr());
  kube::UserInfo reader = reviewer.Authenticate(Token("reader")).value();
  kube::UserInfo other = reviewer.Authenticate(Token("other")).value();
  // RBAC reaches the authorizer through its informers: a moment after the binding.
  EXPECT_TRUE(Eventually([&] {
    auto d = reviewer.Authorize(reader, GetSecret("web-tls"));
    return d.ok() && d->allowed;
  }));
  Result<kube::AccessDecision> another_secret = reviewer.Authorize(reader, GetSecret("db-tls"));
  ASSERT_TRUE(another_secret.ok()) << another_secret.status();
  EXPECT_FALSE(another_secret->allowed);
  Result<kube::AccessDecision> list =
      reviewer.Authorize(reader, {.ns = ns(), .verb = "list", .group = "", .resource = "secrets", .name = ""});
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_FALSE(list->allowed);
  Result<kube::AccessDecision> other_reads = reviewer.Authorize(other, GetSecret("web-tls"));
  ASSERT_TRUE(other_reads.ok()) << other_reads.status();
  EXPECT_FALSE(other_reads->allowed);
}

TEST_F(AccessReviewTest, AReviewerThatMayNotReviewFailsInsteadOfRefusingTheCaller) {
  // A client authenticated as "other", which has no right to create reviews.
  kube::ClusterConfig config = testing::TestClusterConfig();
  config.client_cert_pem.clear();
  config.client_key_pem = SensitiveString();
  config.bearer_token = Token("other");
  auto as_other = kube::Client::Create(config, {.max_retries = 0});
  ASSERT_TRUE(as_other.ok()) << as_other.status();
  kube::ApiAccessReviewer reviewer(*as_other);
  Result<kube::UserInfo> user = reviewer.Authenticate(Token("reader"));
  EXPECT_EQ(user.status().code(), StatusCode::kPermissionDenied) << user.status();
  EXPECT_NE(user.status().message().find("tokenreviews"), std::string::npos) << user.status();
}

}  // namespace
}  // namespace certplane

// The bundle API's routes, called through the Router with the caches, the Secret read
// and the reviews behind stubs of our own interfaces (BundleRouteSources and
// kube::AccessReviewer); the real API server answers them in the e2e tests.
#include "http/routes/bundle_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "bundle_fixtures.h"
#include "kube/logging.h"
#include "pki/pkcs12.h"
#include "route_test_support.h"

namespace certplane::http {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::Header;
using testing::Issue;
using testing::IssuedCertificate;
using ::testing::Not;
using testing::WallClock;

constexpr const char* kDeployerToken = "deployer-token";
constexpr const char* kAuditorToken = "auditor-token";

// Our AccessReviewer, from tables: tokens to users, and what each user may get.
class TableReviewer final : public kube::AccessReviewer {
 public:
  Result<kube::UserInfo> Authenticate(const SensitiveString& token) override {
    if (fail) return Unavailable("the API server is down");
    auto it = users.find(std::string(token.view()));
    if (it == users.end()) return Status(StatusCode::kUnauthenticated, "unknown token");
    return it->second;
  }
  Result<kube::AccessDecision> Authorize(const kube::UserInfo& user, const kube::ResourceAttributes& a) override {
    questions.push_back(a);
    if (fail_authorize) return Unavailable("the API server is down");
    const std::string what =
        a.verb + " " + (a.group.empty() ? "" : a.group + "/") + a.resource + " " + a.ns + "/" + a.name;
    return kube::AccessDecision{.allowed = allowed.count({user.username, what}) > 0};
  }

  std::map<std::string, kube::UserInfo> users;
  std::set<std::pair<std::string, std::string>> allowed;  // (user, "get secrets shop/web-tls")
  std::vector<kube::ResourceAttributes> questions;
  bool fail = false;
  bool fail_authorize = false;
};

pki::ByteView AsBytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

class BundleRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reviewer_.users[kDeployerToken] = {.username = "system:serviceaccount:shop:deployer", .uid = "u-1"};
    reviewer_.users[kAuditorToken] = {.username = "system:serviceaccount:shop:auditor", .uid = "u-2"};
    Add(Issue("shop", "old", kNow - 48h));
    Add(Issue("shop", "new", kNow - 1h));
    Allow("deployer", "get secrets shop/new-tls");
    Allow("deployer", "get secrets shop/old-tls");
    Allow("auditor", "get secrets shop/old-tls");

    log_sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    kube::Logger("bundle")->sinks().push_back(log_sink_);

    BundleRouteSources sources{
        .for_each_certificate_of_profile =
            [this](const std::string& profile, const auto& visit) {
              for (const auto& [key, issued] : certs_) {
                if (issued.certificate.spec.profile_ref.name == profile) {
                  visit(std::make_shared<const api::Certificate>(issued.certificate));
                }
              }
            },
        .certificate = [this](const std::string& ns,
                              const std::string& name) -> std::shared_ptr<const api::Certificate> {
          auto it = certs_.find(ns + "/" + name);
          if (it == certs_.end()) return nullptr;
          return std::make_shared<const api::Certificate>(it->second.certificate);
        },
        .secret = [this](const std::string& ns, const std::string& name) -> kube::ApiResult<nlohmann::json> {
          ++secret_reads_;
          for (const auto& [key, issued] : certs_) {
            if (issued.secret["metadata"]["namespace"] == ns && issued.secret["metadata"]["name"] == name) {
              return issued.secret;
            }
          }
          return kube::ApiError{
              .http_status = 404, .reason = "NotFound", .message = "secrets \"" + name + "\" not found"};
        },
        .synced = [this] { return synced_; },
        .reviewer = &reviewer_,
        .clock = &clock_,
    };
    RegisterBundleRoutes(router_, sources);
    sources.allow_plain_http = true;
    RegisterBundleRoutes(plain_router_, sources);
  }

  void TearDown() override {
    auto& sinks = kube::Logger("bundle")->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), log_sink_), sinks.end());
  }

  void Add(IssuedCertificate c) {
    const std::string key = c.certificate.metadata.ns + "/" + c.certificate.metadata.name;
    certs_.insert_or_assign(key, std::move(c));
  }
  IssuedCertificate& Cert(const std::string& name) { return certs_.at("shop/" + name); }
  void Allow(const std::string& sa, const std::string& what) {
    reviewer_.allowed.insert({"system:serviceaccount:shop:" + sa, what});
  }

  HttpResponse Get(const std::string& path, const std::string& token, std::map<std::string, std::string> query = {},
                   std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.query = std::move(query);
    r.headers = std::move(headers);
    r.remote_address = "10.1.2.3";
    r.tls = tls_;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return (plain_allowed_ ? plain_router_ : router_).Dispatch(r);
  }
  HttpResponse Latest(const std::string& token, std::map<std::string, std::string> query = {},
                      std::map<std::string, std::string> headers = {}) {
    return Get("/api/v1/profiles/web/latest-bundle", token, std::move(query), std::move(headers));
  }
  HttpResponse One(const std::string& name, const std::string& token, std::map<std::string, std::string> query = {},
                   std::map<std::string, std::string> headers = {}) {
    return Get("/api/v1/namespaces/shop/certificates/" + name + "/bundle", token, std::move(query), std::move(headers));
  }
  static nlohmann::json Body(const HttpResponse& r) { return nlohmann::json::parse(r.body); }
  std::string Log() const { return log_.str(); }

  const api::Time kNow = api::ToTime(pki::testing::kNow) + 1h;
  WallClock clock_{pki::testing::kNow + 1h};
  TableReviewer reviewer_;
  std::map<std::string, IssuedCertificate> certs_;
  bool synced_ = true;
  int secret_reads_ = 0;
  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> log_sink_;
  Router router_;
  Router plain_router_;         // the same routes with allow_plain_http
  bool tls_ = true;             // whether requests arrive over TLS
  bool plain_allowed_ = false;  // whether they go to plain_router_
};

TEST_F(BundleRoutesTest, OverPlainHttpTheAnswerIs403SayingHttpsAndNoKeyIsRead) {
  tls_ = false;
  HttpResponse r = Latest(kDeployerToken);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["reason"], "Forbidden");
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("only over HTTPS"));
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("--bundle-api-plain-http"));
  EXPECT_EQ(One("new", kDeployerToken).status, 403);
  EXPECT_EQ(secret_reads_, 0);
}

TEST_F(BundleRoutesTest, PlainHttpIsServedWhereTheFlagAllowsIt) {
  tls_ = false;
  plain_allowed_ = true;
  EXPECT_EQ(Latest(kDeployerToken).status, 200);
  EXPECT_EQ(secret_reads_, 1);
}

TEST_F(BundleRoutesTest, WithoutATokenTheAnswerIs401AskingForOne) {
  HttpResponse r = Latest("");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Header(r, "WWW-Authenticate"), "Bearer realm=\"certplane\"");
  EXPECT_EQ(Body(r)["reason"], "Unauthorized");
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("Authorization: Bearer"));
  EXPECT_EQ(One("new", "").status, 401);
  EXPECT_EQ(secret_reads_, 0);
}

TEST_F(BundleRoutesTest, ATokenTheApiServerRefusesIs401) {
  HttpResponse r = Latest("forged");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Header(r, "WWW-Authenticate"), "Bearer realm=\"certplane\"");
  EXPECT_EQ(Body(r)["message"], "the bearer token was not accepted");
  EXPECT_TRUE(reviewer_.questions.empty());
}

TEST_F(BundleRoutesTest, ServesTheLatestActiveBundleAsJson) {
  HttpResponse r = Latest(kDeployerToken);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
  const IssuedCertificate& latest = Cert("new");
  EXPECT_EQ(Header(r, "X-Certplane-Serial-Number"), latest.leaf.serial().ToHex());
  nlohmann::json j = Body(r);
  EXPECT_EQ(j["namespace"], "shop");
  EXPECT_EQ(j["name"], "new");
  EXPECT_EQ(j["serialNumber"], latest.leaf.serial().ToHex());
  EXPECT_EQ(pki::testing::Must(pki::ParseCertificatePem(j["certificate"].get<std::string>())), latest.leaf);
  pki::PrivateKey key = pki::testing::Must(pki::ParsePrivateKeyPem(j["privateKey"].get<std::string>()));
  EXPECT_TRUE(pki::CheckKeyMatchesCertificate(key, latest.leaf).ok());
  // The one question asked: may the caller get the latest one's Secret?
  ASSERT_EQ(reviewer_.questions.size(), 1u);
  EXPECT_EQ(
      reviewer_.questions[0],
      (kube::ResourceAttributes{.ns = "shop", .verb = "get", .group = "", .resource = "secrets", .name = "new-tls"}));
}

TEST_F(BundleRoutesTest, EveryDownloadIsLoggedWithWhoAndWhichSerialButNeverTheKey) {
  ASSERT_EQ(Latest(kDeployerToken).status, 200);
  const std::string log = Log();
  EXPECT_THAT(log, HasSubstr("served key bundle route=latest-bundle user=system:serviceaccount:shop:deployer uid=u-1 "
                             "namespace=shop name=new serial=" +
                             Cert("new").leaf.serial().ToHex() + " format=pem remote=10.1.2.3"));
  EXPECT_THAT(log, Not(HasSubstr("PRIVATE KEY")));
  EXPECT_THAT(log, Not(HasSubstr(kDeployerToken)));
}

TEST_F(BundleRoutesTest, ACallerWhoMayNotReadTheLatestGets403AndNeverAnOlderOne) {
  // The auditor may read old-tls but not new-tls, the latest.
  HttpResponse r = Latest(kAuditorToken);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["reason"], "Forbidden");
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("latest certificate of profile \"web\""));
  EXPECT_THAT(r.body, Not(HasSubstr("new")));  // nor its name
  EXPECT_EQ(secret_reads_, 0);
  EXPECT_THAT(Log(), HasSubstr("refused key bundle route=latest-bundle user=system:serviceaccount:shop:auditor "
                               "namespace=shop resource=secrets name=new-tls reason=denied"));
}

TEST_F(BundleRoutesTest, RevokedExpiredAndNotReadyCertificatesAreSkipped) {
  Cert("new").certificate.spec.revocation = api::RevocationSpec{api::RevocationReason::kKeyCompromise};
  HttpResponse r = Latest(kDeployerToken);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["name"], "old");
  Cert("old").certificate.status.conditions.clear();
  EXPECT_EQ(Latest(kDeployerToken).status, 404);
}

TEST_F(BundleRoutesTest, NothingActiveOrAnUnknownProfileIs404) {
  certs_.clear();
  HttpResponse r = Latest(kDeployerToken);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["message"], "no certificate of profile \"web\" is active");
  EXPECT_EQ(Get("/api/v1/profiles/nope/latest-bundle", kDeployerToken).status, 404);
  EXPECT_EQ(Get("/api/v1/profiles/Not_A_Name/latest-bundle", kDeployerToken).status, 404);
}

TEST_F(BundleRoutesTest, ASecretThatDoesNotHoldTheCurrentSerialYetIs503WithRetryAfter) {
  Cert("new").secret["metadata"]["annotations"][std::string(api::kSerialNumberAnnotation)] = "0badc0de";
  HttpResponse r = Latest(kDeployerToken);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Header(r, "Retry-After"), "5");
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("being reissued"));
  Cert("new").secret["metadata"]["name"] = "elsewhere";
  r = Latest(kDeployerToken);
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("does not exist yet"));
}

TEST_F(BundleRoutesTest, AReviewThatCannotBeMadeIs503) {
  reviewer_.fail_authorize = true;
  EXPECT_EQ(Latest(kDeployerToken).status, 503);
  reviewer_.fail = true;
  HttpResponse r = Latest(kDeployerToken);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r)["message"], "the token could not be reviewed");
  EXPECT_EQ(secret_reads_, 0);
}

TEST_F(BundleRoutesTest, BeforeTheCachesSyncTheAnswerIs503) {
  synced_ = false;
  HttpResponse r = Latest(kDeployerToken);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Header(r, "Retry-After"), "5");
}

TEST_F(BundleRoutesTest, AnUnknownFormatIs400) {
  HttpResponse r = Latest(kDeployerToken, {{"format", "der"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("want pem or pkcs12"));
}

TEST_F(BundleRoutesTest, Pkcs12NeedsThePasswordHeader) {
  HttpResponse r = One("new", kDeployerToken, {{"format", "pkcs12"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("X-Certplane-PKCS12-Password"));
  EXPECT_EQ(secret_reads_, 0);
}

TEST_F(BundleRoutesTest, Pkcs12IsAKeystoreThatOpensWithThePasswordSent) {
  HttpResponse r = One("new", kDeployerToken, {{"format", "pkcs12"}}, {{"x-certplane-pkcs12-password", "changeit"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/x-pkcs12");
  EXPECT_EQ(Header(r, "Content-Disposition"), "attachment; filename=\"new.p12\"");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
  pki::Pkcs12Contents p12 = pki::testing::Must(pki::ParsePkcs12(AsBytes(r.body), "changeit"));
  ASSERT_TRUE(p12.key && p12.certificate);
  EXPECT_EQ(*p12.certificate, Cert("new").leaf);
  EXPECT_TRUE(pki::CheckKeyMatchesCertificate(*p12.key, Cert("new").leaf).ok());
  EXPECT_THAT(Log(), HasSubstr("route=bundle user=system:serviceaccount:shop:deployer"));
  EXPECT_THAT(Log(), HasSubstr("format=pkcs12"));
  EXPECT_THAT(Log(), Not(HasSubstr("changeit")));
}

TEST_F(BundleRoutesTest, OneCertificateIsServedToWhoeverMayReadItsSecret) {
  HttpResponse r = One("old", kAuditorToken);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["serialNumber"], Cert("old").leaf.serial().ToHex());
  EXPECT_EQ(One("new", kAuditorToken).status, 403);
}

TEST_F(BundleRoutesTest, AnUnknownCertificateIs404OnlyToWhoeverMayGetIt) {
  HttpResponse hidden = One("missing", kAuditorToken);
  EXPECT_EQ(hidden.status, 403);
  EXPECT_EQ(Body(hidden)["message"], "you may not read Certificate shop/missing");
  EXPECT_EQ(reviewer_.questions.back(),
            (kube::ResourceAttributes{
                .ns = "shop", .verb = "get", .group = "certplane.io", .resource = "certificates", .name = "missing"}));
  Allow("auditor", "get certplane.io/certificates shop/missing");
  EXPECT_EQ(One("missing", kAuditorToken).status, 404);
}

TEST_F(BundleRoutesTest, ARevokedCertificateIs409AndOnlyToWhoeverMayReadIt) {
  Cert("old").certificate.spec.revocation = api::RevocationSpec{api::RevocationReason::kKeyCompromise};
  Cert("old").certificate.status.revocation_reason = api::RevocationReason::kKeyCompromise;
  HttpResponse r = One("old", kAuditorToken);
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(Body(r)["message"].get<std::string>(), HasSubstr("is revoked or on hold"));
  Cert("new").certificate.spec.revocation = api::RevocationSpec{api::RevocationReason::kCertificateHold};
  EXPECT_EQ(One("new", kAuditorToken).status, 403);
  EXPECT_EQ(secret_reads_, 0);
}

TEST_F(BundleRoutesTest, ANotYetIssuedCertificateIs404AndANotReadyOneIsStillServed) {
  Cert("old").certificate.status.serial_number.clear();
  EXPECT_EQ(One("old", kAuditorToken).status, 404);
  Cert("new").certificate.status.conditions.clear();
  EXPECT_EQ(One("new", kDeployerToken).status, 200);
}

TEST_F(BundleRoutesTest, HeadIsRefusedSoNoKeyIsReadForNothing) {
  HttpRequest r;
  r.method = "HEAD";
  r.path = "/api/v1/profiles/web/latest-bundle";
  r.headers["authorization"] = std::string("Bearer ") + kDeployerToken;
  HttpResponse response = router_.Dispatch(r);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(Header(response, "Allow"), "GET");
  EXPECT_EQ(secret_reads_, 0);
}

}  // namespace
}  // namespace certplane::http

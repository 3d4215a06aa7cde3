// CRL ConfigMaps written in the publisher's shape reach Caches from a real API server,
// follow updates and deletes, and are served over HTTP by the public routes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crl_fixtures.h"
#include "free_port.h"
#include "http/http_server.h"
#include "http/routes/public_routes.h"
#include "kube/resource.h"
#include "kube_test.h"
#include "process.h"
#include "reconcile/caches.h"
#include "route_sources.h"
#include "test_files.h"

namespace certplane::reconcile {
namespace {

using certplane::testing::CommandResult;
using ::certplane::testing::Eventually;
using certplane::testing::RunTool;
using crl::testing::CrlConfigMapJson;
using crl::testing::DerString;
using crl::testing::TestCrl;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class CrlCachesTest : public certplane::testing::KubeTest {
 protected:
  // Caches watches the certplane kinds: their CRDs must be served for it to sync.
  static void SetUpTestSuite() { certplane::testing::ApplyCertplaneCrds(); }

  void SetUp() override {
    KubeTest::SetUp();
    caches_ = std::make_unique<Caches>(client_ptr(), CachesOptions{.controller_namespace = ns()});
  }
  void TearDown() override {
    caches_->Stop();
    KubeTest::TearDown();
  }

  void Create(const nlohmann::json& object) {
    auto created = client().Create(kube::kConfigMaps, ns(), object);
    ASSERT_TRUE(created.ok()) << created.status();
  }
  void StartCaches() {
    caches_->Start();
    ASSERT_TRUE(caches_->WaitForSync(std::chrono::seconds(60)));
  }

  std::unique_ptr<Caches> caches_;
};

TEST_F(CrlCachesTest, SeesTheShardsOfACaInTheControllerNamespace) {
  const pki::Crl shard0 = TestCrl(3, 2);
  const pki::Crl shard2 = TestCrl(4, 7);
  Create(CrlConfigMapJson("", "issuing", 0, shard0).Build());
  Create(CrlConfigMapJson("", "issuing", 2, shard2).Build());
  Create(CrlConfigMapJson("", "other", 0, shard0).Build());
  // Not a CRL ConfigMap: no shard label, so not even listed.
  Create(CrlConfigMapJson("", "unlabelled", 0, shard0).WithoutLabel(api::kCrlShardLabel).Build());
  StartCaches();

  std::shared_ptr<const crl::CrlConfigMap> got = caches_->CrlShard("issuing", 0);
  ASSERT_NE(got, nullptr);
  EXPECT_TRUE(got->usable()) << got->invalid;
  EXPECT_EQ(got->metadata.ns, ns());
  EXPECT_EQ(got->der, DerString(shard0));
  EXPECT_EQ(got->number, 3u);
  EXPECT_EQ(got->entries, 2);
  ASSERT_NE(caches_->CrlShard("issuing", 2), nullptr);
  EXPECT_EQ(caches_->CrlShard("issuing", 2)->der, DerString(shard2));
  EXPECT_EQ(caches_->CrlShard("issuing", 1), nullptr);
  EXPECT_EQ(caches_->CrlShard("unlabelled", 0), nullptr);
  EXPECT_EQ(caches_->crl_config_maps.store().size(), 3u);

  std::vector<std::string> names;
  for (const auto& cm : caches_->CrlShardsOfCa("issuing")) names.push_back(cm->metadata.name);
  EXPECT_THAT(names, UnorderedElementsAre("certplane-crl-issuing", "certplane-crl-issuing.shard-2"));
}

TEST_F(CrlCachesTest, FollowsUpdatesAndDeletes) {
  Create(CrlConfigMapJson("", "issuing", 0, TestCrl(3)).Build());
  StartCaches();
  ASSERT_NE(caches_->CrlShard("issuing", 0), nullptr);
  const std::string first_etag = caches_->CrlShard("issuing", 0)->etag;

  const pki::Crl next = TestCrl(4, 3);
  nlohmann::json update = CrlConfigMapJson("", "issuing", 0, next).Build();
  auto updated = client().Update(kube::kConfigMaps, ns(), update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(Eventually([&] {
    auto cm = caches_->CrlShard("issuing", 0);
    return cm && cm->number == 4;
  }));
  EXPECT_EQ(caches_->CrlShard("issuing", 0)->der, DerString(next));
  EXPECT_NE(caches_->CrlShard("issuing", 0)->etag, first_etag);

  // A malformed write is cached as unusable rather than leaving the old CRL served.
  update = CrlConfigMapJson("", "issuing", 0, next).WithLabel(api::kCrlShardLabel, "zero").Build();
  updated = client().Update(kube::kConfigMaps, ns(), update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(Eventually([&] {
    auto cm = caches_->CrlShard("issuing", 0);
    return cm && !cm->usable();
  }));
  EXPECT_THAT(caches_->CrlShard("issuing", 0)->invalid, HasSubstr("label certplane.io/crl-shard \"zero\""));

  auto deleted = client().Delete(kube::kConfigMaps, ns(), crl::CrlConfigMapName("issuing", 0));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_TRUE(Eventually([&] { return caches_->CrlShard("issuing", 0) == nullptr; }));
}

TEST_F(CrlCachesTest, EveryReplicaServesTheCachedCrlOverHttp) {
  const pki::Crl crl = TestCrl(5, 4);
  Create(CrlConfigMapJson("", "issuing", 0, crl).Build());
  StartCaches();

  http::Router router;
  http::RegisterPublicRoutes(router, controller::PublicRouteSourcesOf(*caches_, *kube::SystemClock()));
  const int port = certplane::testing::FreeLoopbackPort();
  ASSERT_GT(port, 0);
  http::HttpServer server("127.0.0.1:" + std::to_string(port), router);
  ASSERT_TRUE(server.Start().ok());
  const certplane::testing::TempDir dir;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/crl/issuing.crl";

  const CommandResult fetched =
      RunTool({"curl", "-sS", "-o", dir.File("crl.der"), "-w", "%{http_code}", url}, {.capture_stderr = false});
  EXPECT_EQ(fetched.output, "200");
  EXPECT_EQ(certplane::testing::ReadFile(dir.File("crl.der")), DerString(crl));
  const CommandResult text =
      RunTool({"openssl", "crl", "-inform", "DER", "-in", dir.File("crl.der"), "-noout", "-text"});
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("Serial Number: 83"));
  server.Stop();
}

}  // namespace
}  // namespace certplane::reconcile

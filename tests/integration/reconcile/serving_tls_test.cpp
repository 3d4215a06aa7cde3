// ServingTls's leader side against a real API server: the serving CA is published from
// the serving Secret, follows it, and a publish the API server refuses is retried
// (with backoff) until it goes through.
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "http/serving_identity.h"
#include "kube/logging.h"
#include "kube/resource.h"
#include "kube_test.h"
#include "reconcile/serving_tls.h"

namespace certplane::reconcile {
namespace {

using ::certplane::testing::Eventually;

class ServingTlsTest : public certplane::testing::KubeTest {
 protected:
  void SetUp() override {
    KubeTest::SetUp();
    kube::Logger("https")->sinks().push_back(log_);
  }
  void TearDown() override {
    if (tls_) {
      tls_->StopLeading();
      tls_->Stop();
    }
    auto& sinks = kube::Logger("https")->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), log_), sinks.end());
    KubeTest::TearDown();
  }

  // Whether the "https" logger has written a line containing `text` in this test.
  bool Logged(const std::string& text) {
    for (const std::string& line : log_->last_formatted()) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  // The serving Secret with `ca` as its ca.crt. Its tls.crt and tls.key do not load
  // (the listener keeps nothing); publishing does not depend on them.
  void PutSecret(const std::string& ca) {
    nlohmann::json secret = {
        {"apiVersion", "v1"},
        {"kind", "Secret"},
        {"metadata", {{"name", "serving"}, {"namespace", ns()}}},
        {"type", "Opaque"},
        {"stringData", {{"tls.crt", "not a certificate"}, {"tls.key", "not a key"}, {"ca.crt", ca}}}};
    auto existing = client().Get(kube::kSecrets, ns(), "serving");
    auto written = existing.ok()
                       ? client().MergePatch(kube::kSecrets, ns(), "serving", {{"stringData", {{"ca.crt", ca}}}})
                       : client().Create(kube::kSecrets, ns(), secret);
    ASSERT_TRUE(written.ok()) << written.status();
  }

  std::string PublishedCa() {
    auto cm = client().Get(kube::kConfigMaps, ns(), "serving-ca");
    if (!cm.ok()) return "";
    return cm->value("data", nlohmann::json::object()).value("ca.crt", "");
  }

  void StartLeading() {
    tls_ = std::make_unique<ServingTls>(
        client_ptr(), identity_,
        ServingTlsOptions{.ns = ns(), .secret_name = "serving", .manage = false, .ca_config_map = "serving-ca"});
    tls_->Start();
    tls_->StartLeading();
  }

  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  http::ServingIdentity identity_;
  std::unique_ptr<ServingTls> tls_;
};

TEST_F(ServingTlsTest, PublishesTheSecretsCaAndFollowsItsChanges) {
  PutSecret("first CA\n");
  StartLeading();
  EXPECT_TRUE(Eventually([&] { return PublishedCa() == "first CA\n"; }));
  PutSecret("second CA\n");
  EXPECT_TRUE(Eventually([&] { return PublishedCa() == "second CA\n"; }));
}

TEST_F(ServingTlsTest, RetriesAPublishTheApiServerRefusesUntilItGoesThrough) {
  // An immutable ConfigMap of that name: every apply that changes its data is refused.
  auto blocker = client().Create(kube::kConfigMaps, ns(),
                                 {{"apiVersion", "v1"},
                                  {"kind", "ConfigMap"},
                                  {"metadata", {{"name", "serving-ca"}, {"namespace", ns()}}},
                                  {"immutable", true},
                                  {"data", {{"ca.crt", "someone else's\n"}}}});
  ASSERT_TRUE(blocker.ok()) << blocker.status();
  PutSecret("the CA\n");
  StartLeading();
  // Refused, and refused again after the first backoff (the log says the next wait
  // doubled): still the blocker's.
  EXPECT_TRUE(Eventually([&] { return Logged("publishing the CA failed; trying again in 2s"); }))
      << "the publish was not retried";
  EXPECT_EQ(PublishedCa(), "someone else's\n");
  // Once it is gone, a retry (the next is at most 4 s away) publishes the CA.
  auto deleted = client().Delete(kube::kConfigMaps, ns(), "serving-ca");
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_TRUE(Eventually([&] { return PublishedCa() == "the CA\n"; }, std::chrono::seconds(20)));
}

}  // namespace
}  // namespace certplane::reconcile

// ServingTls's leader side against a real API server: the serving CA is published from
// the serving Secret, follows it, and a publish the API server refuses is retried
// (with backoff) until it goes through.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "http/serving_identity.h"
#include "kube/resource.h"
#include "kube_test.h"
#include "reconcile/serving_tls.h"

namespace certplane::reconcile {
namespace {

using ::certplane::testing::Eventually;

class ServingTlsTest : public certplane::testing::KubeTest {
 protected:
  void TearDown() override {
    if (tls_) {
      tls_->StopLeading();
      tls_->Stop();
    }
    KubeTest::TearDown();
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
  // Refused at 0 s and retried at about 1 s and 3 s: still the blocker's.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(PublishedCa(), "someone else's\n");
  // Once it is gone, a retry (the next is at most 4 s away) publishes the CA.
  auto deleted = client().Delete(kube::kConfigMaps, ns(), "serving-ca");
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_TRUE(Eventually([&] { return PublishedCa() == "the CA\n"; }, std::chrono::seconds(20)));
}

}  // namespace
}  // namespace certplane::reconcile

// Test support for integration and e2e tests that run against the shared control
// plane (the ctest fixture started by hack/control-plane).
//
//   class ConfigMapTest : public certplane::testing::KubeTest {};
//   TEST_F(ConfigMapTest, RoundTrips) {
//     auto created = client().Create(kube::kConfigMaps, ns(), cm);   // ns(): this test's namespace
//     ...
//     EXPECT_TRUE(Eventually([&] { return informer.store().size() == 3; }));
//   }
//
// Each test gets a fresh namespace named after it (SetUp) that is deleted with
// everything in it in TearDown, also when the test failed; SIGINT/SIGTERM delete the
// namespaces of the running test before the process exits. main() comes from this
// library.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "eventually.h"
#include "kube/config.h"
#include "kube/rest_client.h"

namespace certplane::testing {

// The kubeconfig's configuration ($KUBECONFIG). Aborts the test binary if unset.
const kube::ClusterConfig& TestClusterConfig();

// One client per process, built from $KUBECONFIG, with generous client-side limits.
std::shared_ptr<kube::Client> SharedClient();

// A new client with the given options (e.g. a low max_retries or qps).
std::shared_ptr<kube::Client> NewClient(kube::ClientOptions options);

// Creates a namespace named after `base` (made DNS-safe, with a random suffix) and
// registers it for deletion on a signal. Returns its name.
std::string CreateTestNamespace(const std::string& base);
// Deletes the namespace and everything in it (no kube-controller-manager runs in
// the test control plane, so this empties it and finalizes it itself).
void DeleteTestNamespace(const std::string& ns);

// Environment variable or a test failure.
std::string RequireEnv(const char* name);

// Applies certplane's CRDs (crds/ of the source tree) and waits until they are served:
// for tests that run Caches, which watches every certplane kind. A failure fails the test.
void ApplyCertplaneCrds();

class KubeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& ns() const { return ns_; }
  kube::Client& client() { return *client_; }
  const std::shared_ptr<kube::Client>& client_ptr() { return client_; }

 private:
  std::string ns_;
  std::shared_ptr<kube::Client> client_;
};

}  // namespace certplane::testing

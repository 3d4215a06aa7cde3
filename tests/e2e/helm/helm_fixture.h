// The fixtures of the chart's tests: the chart checked offline (helm lint and template,
// the Dockerfile) and on a real API server (install, upgrade, uninstall, RBAC).
//
// The cluster tests each start a private control plane, one per test, (hack/control-plane with a state
// folder of their own): installing the chart must be seen to create the CRDs, and
// uninstalling it to keep them, which needs a cluster where they do not exist yet; the
// shared control plane of the other tests has them. A private one costs about 4 s and
// leaves the shared one, and every other test's objects, alone.
//
//   class InstallE2E : public HelmE2E {};
//   TEST_F(InstallE2E, ...) {
//     Install("certplane", "certplane-system");
//     EXPECT_EQ(Get("deployment/certplane", "certplane-system", "{.spec.replicas}"), "2");
//   }
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "eventually.h"
#include "free_port.h"
#include "process.h"
#include "test_files.h"

namespace certplane::testing {

// An environment variable the test launcher sets (CERTPLANE_SOURCE_DIR, ...); fails the
// test when it is missing.
std::string Env(const char* name);
// <source>/charts/certplane
std::string ChartDir();

// Runs helm (the pinned one on PATH) with private cache/config folders; fails the test
// with the output on a non-zero exit unless `may_fail`.
CommandResult Helm(const std::vector<std::string>& args, bool may_fail = false);

// `helm template certplane <chart> -n certplane-system <extra...>`, one node per object;
// none when helm fails (which fails the test).
std::vector<YAML::Node> Render(const std::vector<std::string>& extra = {});

// A text's lines that are not empty.
std::vector<std::string> Lines(const std::string& text);

// Values helm must refuse (each `set` entry a KEY=VALUE), and the words it refuses them
// with; the parameter of the tests of what the schema refuses.
struct RefusedValues {
  std::string name;
  std::vector<std::string> set;
  std::string message;
};
inline void PrintTo(const RefusedValues& v, std::ostream* os) { *os << v.name; }

class HelmE2E : public ::testing::Test {
 protected:
  // Starts a private control plane for this test and points KUBECONFIG (for kubectl,
  // helm and the controller) at it; TearDown stops it and removes its folder.
  void SetUp() override;
  void TearDown() override;

  // kubectl as the cluster admin; fails the test (with the output) on a non-zero exit
  // unless `may_fail`.
  static CommandResult Kubectl(const std::vector<std::string>& args, const std::string& stdin_data = {},
                               bool may_fail = false);
  // `kubectl get <what> -o jsonpath=<path>` in `ns` ("" for cluster-scoped); "" when
  // the object does not exist.
  static std::string Get(const std::string& what, const std::string& ns, const std::string& jsonpath);

  // `helm install <release> charts/certplane -n <ns> --create-namespace <extra...>`.
  static void Install(const std::string& release, const std::string& ns, const std::vector<std::string>& extra = {});

  // A kubeconfig that authenticates as the ServiceAccount ns/sa and nothing else: a
  // token from the TokenRequest API (`kubectl create token`) and the cluster's server
  // and CA from the admin kubeconfig. Returns its path.
  std::string ServiceAccountKubeconfig(const std::string& ns, const std::string& sa);

  // The admin kubeconfig of the private control plane.
  static std::string AdminKubeconfig();

  TempDir tmp_;
};

}  // namespace certplane::testing

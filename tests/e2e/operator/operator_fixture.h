// The fixture of the operator's end-to-end tests: the real certplane-controller binary
// on the shared control plane, driven and checked from outside with kubectl, openssl
// and keytool, as a user would.
//
// One controller runs for the whole test binary (its own controller namespace, leader
// election off, loopback ports the fixture picks, its log in the build folder). Each
// test has its own namespace (KubeTest) and gives the cluster-scoped objects it creates
// a unique suffix and the label certplane-e2e=true, so tests never see each other's
// objects; the suite deletes them all at the end.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kube_test.h"
#include "process.h"
#include "test_files.h"

namespace certplane::testing {

class OperatorE2E : public KubeTest {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  // Flags added to the controller's command line; set before SetUpTestSuite runs.
  static std::vector<std::string>& ExtraControllerFlags();
  // Whether the controller serves HTTPS (on a loopback port, with a serving certificate
  // for 127.0.0.1 that it issues itself); set before SetUpTestSuite runs. Off, the
  // suite's controller runs with --https-bind-address= and issues no serving
  // certificate: suites that do not test HTTPS are not slowed by it.
  static bool& ServeHttps();

 protected:
  void SetUp() override;

  // kubectl with the test's KUBECONFIG; fails the test (with the output) on a non-zero
  // exit unless `may_fail`.
  static CommandResult Kubectl(const std::vector<std::string>& args, const std::string& stdin_data = {},
                               bool may_fail = false);
  static void Apply(const std::string& yaml);
  // `kubectl get <what> -o jsonpath=<path>` in this test's namespace (or cluster-wide
  // for cluster-scoped kinds); "" when the object does not exist.
  std::string Get(const std::string& what, const std::string& jsonpath, bool cluster_scoped = false);
  // The value of one condition's field, e.g. Condition("cpcert/web", "Ready", "status").
  std::string Condition(const std::string& what, const std::string& type, const std::string& field = "status",
                        bool cluster_scoped = false);
  // Waits until the object's Ready condition has `status`; false on timeout.
  bool WaitReady(const std::string& what, bool cluster_scoped = false, const std::string& status = "True",
                 std::chrono::seconds timeout = std::chrono::seconds(60));

  // A data key of a Secret in this test's namespace, decoded; "" when absent.
  std::string SecretData(const std::string& secret, const std::string& key);
  // Writes the Secret's tls.crt, tls.key and ca.crt into dir and returns it.
  std::string SaveTlsSecret(const std::string& secret);

  // A fresh suffix for cluster-scoped names of this test.
  const std::string& id() const { return id_; }

  // A root CA, a template (allowing *.example.com, *.svc.cluster.local, 10.0.0.0/8 and
  // every key algorithm unless told) and a profile over them, all named with id();
  // waits until the CA is Ready. Returns the profile's name.
  std::string MakeIssuer(const std::string& template_extra = {}, const std::string& profile_extra = {});

  static std::string ControllerLogPath();
  // The controller's Prometheus endpoint.
  static std::string MetricsUrl();
  static std::string ControllerNamespace();
  // The controller's public HTTP base (CRLs, CA certificates): http://127.0.0.1:<port>.
  static std::string PublicBaseUrl();
  // With ServeHttps: https://127.0.0.1:<port>, and the CA bundle that verifies it (from
  // ConfigMap certplane-serving-ca, saved under the build folder once it appears; ""
  // and a test failure when it does not within a minute).
  static std::string HttpsBaseUrl();
  static std::string ServingCaFile();

  // Stops the controller (SIGKILL when `crash`) and starts a new one.
  static void RestartController(bool crash);
  // Stops the controller until ResumeController starts a new one (to change objects
  // while no controller watches, as after a crash).
  static void PauseController();
  static void ResumeController();

  TempDir tmp_;

 private:
  std::string id_;
};

// The current time as RFC 3339 in whole seconds, as the renew-requested-at annotation
// takes it.
std::string NowRfc3339();

// Runs openssl with args; returns its output, failing the test on a non-zero exit.
std::string Openssl(const std::vector<std::string>& args, const std::string& stdin_data = {});

}  // namespace certplane::testing

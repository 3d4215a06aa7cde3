#include "operator_fixture.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "free_port.h"

namespace certplane::testing {
namespace {

struct Suite {
  std::unique_ptr<ChildProcess> controller;
  std::string controller_ns;
  std::string log_path;
  int http_port = 0;
  int health_port = 0;
  int metrics_port = 0;
  int https_port = 0;
  std::string serving_ca_file;  // once ServingCaFile has saved it (the CA lasts the suite)
};
Suite& S() {
  static Suite s;
  return s;
}

void StartController() {
  Suite& s = S();
  const std::string binary = RequireEnv("CERTPLANE_BINARY_DIR") + "/controller/certplane-controller";
  s.http_port = FreeLoopbackPort();
  s.health_port = FreeLoopbackPort();
  s.metrics_port = FreeLoopbackPort();
  std::vector<std::string> argv{binary,
                                "--kubeconfig",
                                RequireEnv("KUBECONFIG"),
                                "--namespace",
                                s.controller_ns,
                                "--leader-elect=false",
                                "--log-level=debug",
                                "--http-bind-address=127.0.0.1:" + std::to_string(s.http_port),
                                "--health-probe-bind-address=127.0.0.1:" + std::to_string(s.health_port),
                                "--metrics-bind-address=127.0.0.1:" + std::to_string(s.metrics_port),
                                "--public-base-url=http://127.0.0.1:" + std::to_string(s.http_port)};
  if (OperatorE2E::ServeHttps()) {
    s.https_port = FreeLoopbackPort();
    argv.push_back("--https-bind-address=127.0.0.1:" + std::to_string(s.https_port));
    argv.push_back("--https-ip-addresses=127.0.0.1");
  } else {
    argv.push_back("--https-bind-address=");
  }
  for (const auto& flag : OperatorE2E::ExtraControllerFlags()) argv.push_back(flag);
  s.controller = std::make_unique<ChildProcess>(argv, ChildOptions{.log_path = s.log_path});
  const std::string readyz = "http://127.0.0.1:" + std::to_string(s.health_port) + "/readyz";
  bool ready = Eventually(
      [&] {
        return RunTool({"curl", "-fsS", "--max-time", "2", readyz}).exit_code == 0;
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(ready) << "the controller did not become ready; log: " << s.log_path;
}

}  // namespace

std::string Openssl(const std::vector<std::string>& args, const std::string& stdin_data) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = RunTool(argv, {.stdin_data = stdin_data});
  EXPECT_EQ(r.exit_code, 0) << "openssl failed: " << r.output;
  return r.output;
}

std::string OperatorE2E::ControllerLogPath() { return S().log_path; }
std::string NowRfc3339() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string>& OperatorE2E::ExtraControllerFlags() {
  static std::vector<std::string> flags;
  return flags;
}

std::string OperatorE2E::PublicBaseUrl() { return "http://127.0.0.1:" + std::to_string(S().http_port); }

bool& OperatorE2E::ServeHttps() {
  static bool on = false;
  return on;
}

std::string OperatorE2E::HttpsBaseUrl() { return "https://127.0.0.1:" + std::to_string(S().https_port); }

std::string OperatorE2E::ServingCaFile() {
  if (!S().serving_ca_file.empty()) return S().serving_ca_file;
  const std::string path = RequireEnv("CERTPLANE_BINARY_DIR") + "/e2e-logs/serving-ca-" + S().controller_ns + ".crt";
  std::string pem;
  const bool published = Eventually(
      [&] {
        CommandResult r = Kubectl(
            {"get", "configmap", "certplane-serving-ca", "-n", S().controller_ns, "-o", "jsonpath={.data.ca\\.crt}"},
            {}, true);
        pem = r.exit_code == 0 ? r.output : "";
        return pem.find("BEGIN CERTIFICATE") != std::string::npos;
      },
      std::chrono::seconds(60));
  if (!published) {
    ADD_FAILURE() << "ConfigMap certplane-serving-ca never got ca.crt; log: " << S().log_path;
    return "";
  }
  WriteFile(path, pem);
  S().serving_ca_file = path;
  return path;
}

std::string OperatorE2E::MetricsUrl() { return "http://127.0.0.1:" + std::to_string(S().metrics_port) + "/metrics"; }
std::string OperatorE2E::ControllerNamespace() { return S().controller_ns; }

void OperatorE2E::SetUpTestSuite() {
  Suite& s = S();
  const std::string source = RequireEnv("CERTPLANE_SOURCE_DIR");
  Kubectl({"apply", "--server-side", "--force-conflicts", "-f", source + "/crds/"});
  Kubectl({"wait", "--for=condition=Established", "--timeout=60s", "-f", source + "/crds/"});
  s.controller_ns = CreateTestNamespace("certplane-e2e-system");
  s.serving_ca_file.clear();
  std::filesystem::create_directories(RequireEnv("CERTPLANE_BINARY_DIR") + "/e2e-logs");
  // Parameterized suites are named "Prefix/Suite": keep the name, not the slash.
  std::string suite = ::testing::UnitTest::GetInstance()->current_test_suite()->name();
  std::replace(suite.begin(), suite.end(), '/', '-');
  s.log_path = RequireEnv("CERTPLANE_BINARY_DIR") + "/e2e-logs/controller-" + suite + "-" + RandomSuffix() + ".log";
  StartController();
}

void OperatorE2E::TearDownTestSuite() {
  Suite& s = S();
  if (s.controller) {
    // SIGTERM must shut the controller down, not kill it: exit code 0.
    const int exit_code = s.controller->Stop();
    EXPECT_EQ(exit_code, 0) << "the controller did not exit cleanly on SIGTERM; log: " << s.log_path;
  }
  s.controller.reset();
  Kubectl({"delete", "certificates.certplane.io", "--all-namespaces", "-l", "certplane-e2e=true", "--wait=false"}, {},
          true);
  Kubectl({"delete",
           "certificateprofiles.certplane.io,certificatetemplates.certplane.io,"
           "certificateauthorities.certplane.io",
           "-l", "certplane-e2e=true", "--wait=false"},
          {}, true);
  // The serving certificate's cluster-scoped objects (serving_tls_objects.h).
  if (!s.controller_ns.empty() && OperatorE2E::ServeHttps()) {
    Kubectl({"delete",
             "certificateprofiles.certplane.io,certificatetemplates.certplane.io,"
             "certificateauthorities.certplane.io",
             "-l", "certplane.io/serving-tls-of=" + s.controller_ns, "--wait=false"},
            {}, true);
  }
  if (!s.controller_ns.empty()) DeleteTestNamespace(s.controller_ns);
  if (::testing::UnitTest::GetInstance()->failed_test_count() > 0) {
    std::fprintf(stderr, "controller log: %s\n", s.log_path.c_str());
  }
}

void OperatorE2E::RestartController(bool crash) {
  Suite& s = S();
  if (crash) {
    s.controller->Kill(SIGKILL);
  } else {
    const int exit_code = s.controller->Stop();
    EXPECT_EQ(exit_code, 0) << "the controller did not exit cleanly on SIGTERM; log: " << s.log_path;
  }
  s.controller.reset();
  StartController();
}

void OperatorE2E::PauseController() {
  Suite& s = S();
  if (s.controller) s.controller->Stop();
  s.controller.reset();
}

void OperatorE2E::ResumeController() { StartController(); }

void OperatorE2E::SetUp() {
  KubeTest::SetUp();
  id_ = RandomSuffix();
}

CommandResult OperatorE2E::Kubectl(const std::vector<std::string>& args, const std::string& stdin_data, bool may_fail) {
  std::vector<std::string> argv{"kubectl"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = RunTool(argv, {.stdin_data = stdin_data});
  if (!may_fail) {
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << " failed: " << r.output;
  }
  return r;
}

void OperatorE2E::Apply(const std::string& yaml) { Kubectl({"apply", "-f", "-"}, yaml); }

std::string OperatorE2E::Get(const std::string& what, const std::string& jsonpath, bool cluster_scoped) {
  std::vector<std::string> args{"get", what, "-o", "jsonpath=" + jsonpath};
  if (!cluster_scoped) {
    args.push_back("-n");
    args.push_back(ns());
  }
  CommandResult r = Kubectl(args, {}, true);
  return r.exit_code == 0 ? r.output : std::string();
}

std::string OperatorE2E::Condition(const std::string& what, const std::string& type, const std::string& field,
                                   bool cluster_scoped) {
  return Get(what, "{.status.conditions[?(@.type==\"" + type + "\")]." + field + "}", cluster_scoped);
}

bool OperatorE2E::WaitReady(const std::string& what, bool cluster_scoped, const std::string& status,
                            std::chrono::seconds timeout) {
  return Eventually([&] { return Condition(what, "Ready", "status", cluster_scoped) == status; }, timeout,
                    std::chrono::milliseconds(200));
}

std::string OperatorE2E::SecretData(const std::string& secret, const std::string& key) {
  std::string escaped;
  for (char c : key) {
    if (c == '.') escaped += '\\';
    escaped += c;
  }
  std::string b64 = Get("secret/" + secret, "{.data." + escaped + "}");
  if (b64.empty()) return {};
  CommandResult r = RunTool({"base64", "-d"}, {.stdin_data = b64});
  return r.exit_code == 0 ? r.output : std::string();
}

std::string OperatorE2E::SaveTlsSecret(const std::string& secret) {
  const std::string dir = tmp_.path() + "/" + secret + "-" + RandomSuffix();
  std::filesystem::create_directories(dir);
  for (const char* key : {"tls.crt", "tls.key", "ca.crt"}) WriteFile(dir + "/" + key, SecretData(secret, key));
  return dir;
}

std::string OperatorE2E::MakeIssuer(const std::string& template_extra, const std::string& profile_extra) {
  const std::string ca = "e2e-root-" + id_, tmpl = "e2e-template-" + id_, profile = "e2e-profile-" + id_;
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateAuthority\nmetadata:\n  name: " + ca +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  type: Root\n  subject:\n    commonName: E2E Root " + id_ +
        "\n  keyAlgorithm: ECDSA-P256\n  duration: 8760h\n");
  const bool custom_algorithms = template_extra.find("keyAlgorithms") != std::string::npos;
  Apply(
      "apiVersion: certplane.io/v1alpha1\nkind: CertificateTemplate\nmetadata:\n  name: " + tmpl +
      "\n  labels: {certplane-e2e: \"true\"}\nspec:\n"
      "  subject:\n    commonName:\n      allowed: [\"*.example.com\"]\n"
      "  subjectAltNames:\n"
      "    dnsNames:\n      allowed: [\"*.example.com\", \"*.svc.cluster.local\"]\n"
      "    ipAddresses:\n      allowed: [\"10.0.0.0/8\"]\n" +
      (custom_algorithms ? "" : "  keyAlgorithms: [ECDSA-P256, ECDSA-P384, RSA-2048, RSA-3072, RSA-4096, Ed25519]\n") +
      "  keyUsages: [digitalSignature, keyEncipherment]\n"
      "  extendedKeyUsages: [serverAuth, clientAuth]\n"
      "  defaultDuration: 720h\n  maxDuration: 2160h\n" +
      template_extra);
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateProfile\nmetadata:\n  name: " + profile +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  caRef:\n    name: " + ca + "\n  templateRef:\n    name: " +
        tmpl + "\n  enrollment:\n    api: {}\n  renewal:\n    autoRenewByDefault: true\n    renewBeforeDays: 10\n" +
        profile_extra);
  EXPECT_TRUE(WaitReady("cpca/" + ca, true)) << "CA " << ca << " not Ready";
  EXPECT_TRUE(WaitReady("cpprofile/" + profile, true)) << "profile " << profile << " not Ready";
  return profile;
}

}  // namespace certplane::testing

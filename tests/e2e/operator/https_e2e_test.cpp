// The HTTPS listener end to end: the real controller issues its own serving certificate
// through a CertificateAuthority, template, profile and Certificate it applies itself,
// publishes the CA in ConfigMap certplane-serving-ca, renews the certificate and serves
// the new one to new connections without a restart; ACME and the bundle API refuse
// plain HTTP and answer over HTTPS. Checked with openssl s_client and curl, trusting
// only the published CA.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "free_port.h"
#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class HttpsE2E : public OperatorE2E {
 public:
  static void SetUpTestSuite() {
    ServeHttps() = true;
    // The shortest life the CRDs allow, renewed 30 s after each issuance, so that a
    // renewal happens within a test.
    ExtraControllerFlags() = {"--https-certificate-duration=1h", "--https-renew-before=59m30s"};
    OperatorE2E::SetUpTestSuite();
  }

 protected:
  std::string HttpsAddress() { return HttpsBaseUrl().substr(std::string("https://").size()); }

  // The serial of the certificate a new TLS connection to `address` (default: the
  // suite's controller) is shown, verified against the published CA for 127.0.0.1 (""
  // when the handshake or the verification fails).
  std::string PresentedSerial(const std::string& ca, std::string address = "") {
    if (address.empty()) address = HttpsAddress();
    CommandResult r = RunShell("openssl s_client -connect " + address + " -CAfile " + ca +
                               " -verify_return_error -verify_ip 127.0.0.1 </dev/null 2>/dev/null | "
                               "openssl x509 -noout -serial");
    if (r.exit_code != 0 || r.output.rfind("serial=", 0) != 0) return "";
    std::string serial = r.output.substr(7, r.output.find('\n') - 7);
    for (char& c : serial) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return serial;
  }

  std::string ServingGet(const std::string& jsonpath) {
    CommandResult r =
        Kubectl({"get", "cpcert", kServing, "-n", ControllerNamespace(), "-o", "jsonpath=" + jsonpath}, {}, true);
    return r.exit_code == 0 ? r.output : "";
  }

  static constexpr const char* kServing = "certplane-serving";
};

TEST_F(HttpsE2E, ServesACertificateItIssuedItselfAndPublishesTheCaThatVerifiesIt) {
  ASSERT_TRUE(Eventually([&] { return ServingGet("{.status.conditions[?(@.type==\"Ready\")].status}") == "True"; },
                         std::chrono::seconds(60)))
      << "the serving Certificate never became Ready; log: " << ControllerLogPath();
  const std::string ca = ServingCaFile();
  ASSERT_NE(ca, "");
  // The CA is certplane's own, a CertificateAuthority like any other, and Ready.
  const std::string cluster_name = "certplane-serving-" + ControllerNamespace();
  EXPECT_EQ(Get("cpca/" + cluster_name, "{.status.conditions[?(@.type==\"Ready\")].status}", true), "True");
  ASSERT_TRUE(Eventually([&] { return !PresentedSerial(ca).empty(); }, std::chrono::seconds(30)))
      << "no verified handshake; log: " << ControllerLogPath();
  EXPECT_EQ(PresentedSerial(ca), ServingGet("{.status.serialNumber}"));
  // curl, trusting only that CA, reaches the routes over HTTPS.
  CommandResult crl = RunTool({"curl", "-fsS", "--cacert", ca, HttpsBaseUrl() + "/ca/" + cluster_name + ".crt"});
  EXPECT_EQ(crl.exit_code, 0) << crl.output;
  EXPECT_THAT(crl.output, HasSubstr("BEGIN CERTIFICATE"));
  // Without that CA, no trust.
  CommandResult untrusted =
      RunTool({"curl", "-sS", "--max-time", "10", HttpsBaseUrl() + "/ca/" + cluster_name + ".crt"});
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.output;
}

TEST_F(HttpsE2E, RenewsTheServingCertificateAndNewConnectionsGetItWithoutARestart) {
  const std::string ca = ServingCaFile();
  ASSERT_NE(ca, "");
  std::string first;
  ASSERT_TRUE(Eventually(
      [&] {
        first = PresentedSerial(ca);
        return !first.empty();
      },
      std::chrono::seconds(60)))
      << "log: " << ControllerLogPath();
  // Renewed 30 s after issuance; a new connection then sees the new serial.
  std::string next;
  ASSERT_TRUE(Eventually(
      [&] {
        next = PresentedSerial(ca);
        return !next.empty() && next != first;
      },
      std::chrono::seconds(90), std::chrono::milliseconds(500)))
      << "still serving " << first << " after 90 s; log: " << ControllerLogPath();
  EXPECT_THAT(ReadFile(ControllerLogPath()), HasSubstr("serving certificate loaded"));
  // The Secret and status agree on what is served (the next renewal may have happened).
  ASSERT_TRUE(Eventually([&] { return PresentedSerial(ca) == ServingGet("{.status.serialNumber}"); },
                         std::chrono::seconds(30)));
}

TEST_F(HttpsE2E, AcmeAndTheBundleApiRefusePlainHttpAndAnswerOverHttps) {
  const std::string ca = ServingCaFile();
  ASSERT_NE(ca, "");
  ASSERT_TRUE(Eventually([&] { return !PresentedSerial(ca).empty(); }, std::chrono::seconds(60)));
  const std::string profile = MakeIssuer();  // an API profile, for the bundle API
  // An ACME profile over the same CA and template.
  const std::string acme = "e2e-acme-" + id();
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateProfile\nmetadata:\n  name: " + acme +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  caRef:\n    name: e2e-root-" + id() +
        "\n  templateRef:\n    name: e2e-template-" + id() +
        "\n  enrollment:\n    acme:\n      challenges: [dns-01]\n");
  ASSERT_TRUE(WaitReady("cpprofile/" + acme, true));

  // Plain HTTP: a problem document that names the HTTPS directory.
  const std::string body = tmp_.File("plain.json");
  CommandResult plain =
      RunTool({"curl", "-sS", "-o", body, "-w", "%{http_code}", PublicBaseUrl() + "/acme/" + acme + "/directory"});
  EXPECT_EQ(plain.output, "403");
  const nlohmann::json problem = nlohmann::json::parse(ReadFile(body), nullptr, false);
  ASSERT_TRUE(problem.is_object()) << ReadFile(body);
  EXPECT_THAT(problem.value("detail", ""), HasSubstr(HttpsBaseUrl() + "/acme/" + acme + "/directory"));

  // HTTPS: the directory, whose URLs are https too.
  CommandResult directory = RunTool({"curl", "-fsS", "--cacert", ca, HttpsBaseUrl() + "/acme/" + acme + "/directory"});
  ASSERT_EQ(directory.exit_code, 0) << directory.output;
  const nlohmann::json dir = nlohmann::json::parse(directory.output, nullptr, false);
  ASSERT_TRUE(dir.is_object()) << directory.output;
  EXPECT_THAT(dir.value("newNonce", ""), StartsWith(HttpsBaseUrl() + "/acme/" + acme + "/"));
  EXPECT_THAT(dir.value("newOrder", ""), StartsWith("https://"));

  // The bundle API: 403 over plain HTTP before any token is read; over HTTPS it asks
  // for the token (401), as it always did.
  const std::string path = "/api/v1/profiles/" + profile + "/latest-bundle";
  CommandResult bundle_plain = RunTool({"curl", "-sS", "-o", body, "-w", "%{http_code}", "-H",
                                        "Authorization: Bearer not-a-token", PublicBaseUrl() + path});
  EXPECT_EQ(bundle_plain.output, "403");
  EXPECT_THAT(ReadFile(body), HasSubstr("only over HTTPS"));
  CommandResult bundle_tls =
      RunTool({"curl", "-sS", "-o", body, "-w", "%{http_code}", "--cacert", ca, HttpsBaseUrl() + path});
  EXPECT_EQ(bundle_tls.output, "401") << ReadFile(body);

  // CRLs and CA certificates stay on plain HTTP, where RFC 5280 clients fetch them.
  CommandResult ca_plain = RunTool({"curl", "-fsS", PublicBaseUrl() + "/ca/e2e-root-" + id() + ".crt"});
  EXPECT_EQ(ca_plain.exit_code, 0) << ca_plain.output;
}

// Every replica serves HTTPS with the Secret it watches, not only the leader: a second
// controller that campaigns for a Lease someone else holds presents the same
// certificate on its own HTTPS port.
TEST_F(HttpsE2E, AReplicaThatDoesNotLeadServesTheSameCertificate) {
  const std::string ca = ServingCaFile();
  ASSERT_NE(ca, "");
  const std::string lease = "blocked-" + id();
  std::string now = NowRfc3339();  // a MicroTime wants microseconds
  now.insert(now.size() - 1, ".000000");
  Apply("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: " + lease + "\n  namespace: " +
        ControllerNamespace() + "\nspec:\n  holderIdentity: someone-else\n  leaseDurationSeconds: 3600\n" +
        "  acquireTime: \"" + now + "\"\n  renewTime: \"" + now + "\"\n");
  const int http = FreeLoopbackPort(), health = FreeLoopbackPort(), metrics = FreeLoopbackPort(),
            https = FreeLoopbackPort();
  const std::string log = RequireEnv("CERTPLANE_BINARY_DIR") + "/e2e-logs/controller-HttpsE2E-replica-" + id() + ".log";
  ChildProcess replica({RequireEnv("CERTPLANE_BINARY_DIR") + "/controller/certplane-controller", "--kubeconfig",
                        RequireEnv("KUBECONFIG"), "--namespace", ControllerNamespace(), "--leader-elect=true",
                        "--leader-election-id", lease, "--http-bind-address=127.0.0.1:" + std::to_string(http),
                        "--health-probe-bind-address=127.0.0.1:" + std::to_string(health),
                        "--metrics-bind-address=127.0.0.1:" + std::to_string(metrics),
                        "--https-bind-address=127.0.0.1:" + std::to_string(https), "--https-ip-addresses=127.0.0.1",
                        "--https-certificate-duration=1h", "--https-renew-before=59m30s"},
                       {.log_path = log});
  ASSERT_TRUE(Eventually([&] { return ReadFile(log).find("leader is someone-else") != std::string::npos; },
                         std::chrono::seconds(60)))
      << "the replica never saw the Lease taken; log: " << log;
  const std::string replica_address = "127.0.0.1:" + std::to_string(https);
  // The two agree once both have loaded the current revision (renewals come every 30 s).
  EXPECT_TRUE(Eventually(
      [&] {
        const std::string served = PresentedSerial(ca, replica_address);
        return !served.empty() && served == PresentedSerial(ca);
      },
      std::chrono::seconds(60)))
      << "replica: " << PresentedSerial(ca, replica_address) << " leader: " << PresentedSerial(ca) << "; log: " << log;
  EXPECT_EQ(ReadFile(log).find("starting the controllers"), std::string::npos) << "the replica led; log: " << log;
  EXPECT_EQ(replica.Stop(), 0) << "log: " << log;
}

}  // namespace
}  // namespace certplane::testing

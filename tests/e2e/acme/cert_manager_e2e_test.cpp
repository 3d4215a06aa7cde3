// cert-manager as an ACME client of certplane: its controller (built outside the
// clone from cert-manager's source, passed to CMake by path; CI cannot build it, see
// CMakeLists.txt) runs out of cluster against the test control plane, with an ACME
// ClusterIssuer on certplane's HTTPS directory (caBundle from the published serving CA),
// EAB, and the dns-01 RFC 2136 provider sending TSIG-signed updates to the tests' DNS
// server, which is also its recursive nameserver for the propagation self-check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "acme/token.h"
#include "acme_fixture.h"
#include "free_port.h"

namespace certplane::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr const char* kTsigKeyName = "certplane-e2e-key.";
// How often Eventually polls here: each poll runs kubectl, and issuance takes a minute.
constexpr std::chrono::seconds kPoll{1};

struct CertManager {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<ChildProcess> controller;
  std::string resource_namespace;  // --cluster-resource-namespace: ClusterIssuers' Secrets
  std::string tsig_secret_b64;
};

CertManager& Cm() {
  static CertManager cm;
  return cm;
}

std::string Base64(const std::string& bytes) {
  return RunTool({"bash", "-c", "base64 -w0"}, {.stdin_data = bytes}).output;
}

class CertManagerE2E : public AcmeE2E {
 public:
  static void SetUpTestSuite() {
    SetUpAcmeSuite(/*https=*/true);
    CertManager& cm = Cm();
    cm.dir = std::make_unique<TempDir>();
    CommandResult crds = RunTool({"kubectl", "apply", "--server-side", "-f", CERTPLANE_CERT_MANAGER_CRDS});
    ASSERT_EQ(crds.exit_code, 0) << crds.output;
    CommandResult established =
        RunTool({"kubectl", "wait", "--for=condition=Established", "--timeout=60s", "-f", CERTPLANE_CERT_MANAGER_CRDS});
    ASSERT_EQ(established.exit_code, 0) << established.output;
    cm.resource_namespace = CreateTestNamespace("cert-manager");

    // The TSIG key both sides share: the DNS server takes the raw bytes, cert-manager
    // (miekg/dns) the base64 text.
    std::mt19937_64 rng(std::random_device{}());
    std::string raw(32, '\0');
    for (char& c : raw) c = static_cast<char>(rng() & 0xff);
    cm.tsig_secret_b64 = Base64(raw);
    Dns().AllowUpdates(kTsigKeyName, raw);

    const int metrics = FreeLoopbackPort();
    cm.controller = std::make_unique<ChildProcess>(
        std::vector<std::string>{CERTPLANE_CERT_MANAGER_CONTROLLER, "--kubeconfig", RequireEnv("KUBECONFIG"),
                                 "--leader-elect=false", "--cluster-resource-namespace=" + cm.resource_namespace,
                                 "--metrics-listen-address=127.0.0.1:" + std::to_string(metrics),
                                 "--profiler-address=127.0.0.1:" + std::to_string(FreeLoopbackPort()),
                                 "--dns01-recursive-nameservers=" + Dns().address(),
                                 "--dns01-recursive-nameservers-only", "--dns01-check-retry-period=2s",
                                 "--max-concurrent-challenges=10"},
        ChildOptions{.log_path = LogPath()});
    ASSERT_TRUE(cm.controller->running()) << ReadFile(LogPath());
  }

  static void TearDownTestSuite() {
    CertManager& cm = Cm();
    if (cm.controller) cm.controller->Stop();
    cm.controller.reset();
    if (!cm.resource_namespace.empty()) DeleteTestNamespace(cm.resource_namespace);
    RunTool({"kubectl", "delete", "clusterissuers.cert-manager.io", "-l", "certplane-e2e=true", "--wait=false"});
    cm.dir.reset();
    TearDownAcmeSuite();
  }

 protected:
  // Beside the certplane controller's log.
  static std::string LogPath() {
    const std::string certplane = ControllerLogPath();
    return certplane.substr(0, certplane.rfind('/') + 1) + "cert-manager-controller.log";
  }

  static std::string LogTail(std::size_t lines = 40) {
    const std::string log = ReadFile(LogPath());
    size_t pos = log.size();
    for (size_t i = 0; i <= lines && pos != std::string::npos && pos > 0; ++i) pos = log.rfind('\n', pos - 1);
    return "\n--- cert-manager's log (tail) ---\n" + log.substr(pos == std::string::npos ? 0 : pos) +
           "\n--- certplane's ACME log (tail) ---\n" + AcmeLogTail();
  }

  // A ClusterIssuer on profile p's directory, registering with EAB key `eab_hmac_b64`
  // (base64url, as certplane hands it out) and solving dns-01 with RFC 2136. Its name.
  std::string MakeClusterIssuer(const AcmeProfile& p, const std::string& eab_hmac_b64) {
    const std::string name = "certplane-" + id();
    const std::string& ns = Cm().resource_namespace;
    Kubectl({"create", "secret", "generic", "eab-" + id(), "-n", ns, "--from-literal=hmac=" + eab_hmac_b64});
    Kubectl({"create", "secret", "generic", "tsig-" + id(), "-n", ns, "--from-literal=secret=" + Cm().tsig_secret_b64});
    Apply("apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: " + name +
          "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  acme:\n    server: " + p.directory_url +
          "\n    caBundle: " + Base64(ReadFile(ServingCaFile())) + "\n    privateKeySecretRef: {name: account-" + id() +
          "}\n    externalAccountBinding:\n      keyID: " + p.eab_kid + "\n      keySecretRef: {name: eab-" + id() +
          ", key: hmac}\n    solvers:\n    - dns01:\n        rfc2136:\n          nameserver: " + Dns().address() +
          "\n          tsigKeyName: " + kTsigKeyName +
          "\n          tsigAlgorithm: HMACSHA256\n          tsigSecretSecretRef: {name: tsig-" + id() +
          ", key: secret}\n");
    return name;
  }

  std::string IssuerCondition(const std::string& issuer, const std::string& field) {
    return Kubectl({"get", "clusterissuers.cert-manager.io", issuer, "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")]." + field + "}"},
                   {}, /*may_fail=*/true)
        .output;
  }

  std::string CertManagerCertificateReady(const std::string& name) {
    return Get("certificates.cert-manager.io/" + name, "{.status.conditions[?(@.type==\"Ready\")].status}");
  }

  // The serial of the certificate in Secret `secret` (lowercase hex), saved as NAME.crt under tmp_.
  std::string SecretSerial(const std::string& secret, const std::string& file) {
    const std::string pem = SecretData(secret, "tls.crt");
    if (pem.empty()) return "";
    WriteFile(tmp_.File(file), pem);
    return SerialOf(tmp_.File(file));
  }
};

TEST_F(CertManagerE2E, IssuesRenewsAndRevokesOverDns01WithTsigSignedUpdates) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}, .intermediate = true});
  const std::string issuer = MakeClusterIssuer(p, p.eab_hmac_b64);
  ASSERT_TRUE(Eventually([&] { return IssuerCondition(issuer, "status") == "True"; }, std::chrono::seconds(120), kPoll))
      << IssuerCondition(issuer, "message") << LogTail();

  const std::string dns_name = "web-" + id() + ".cm.test";
  Apply("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\n  namespace: " + ns() +
        "\nspec:\n  secretName: web-tls\n  dnsNames: [" + dns_name +
        "]\n  privateKey: {algorithm: ECDSA, size: 256}\n" +
        "  issuerRef: {group: cert-manager.io, kind: ClusterIssuer, name: " + issuer + "}\n");
  // About 65 s: after its self-check passes, cert-manager waits out the TXT record's TTL
  // (60 s, what its RFC 2136 provider sets) before it accepts the challenge.
  ASSERT_TRUE(
      Eventually([&] { return CertManagerCertificateReady("web") == "True"; }, std::chrono::seconds(240), kPoll))
      << Kubectl({"describe", "certificates.cert-manager.io", "web", "-n", ns()}, {}, true).output << LogTail();
  EXPECT_GE(Dns().updates(), 2u) << "cert-manager presents and cleans up its record with RFC 2136 updates";

  // The Secret cert-manager wrote verifies against certplane's chain and names the host.
  const std::string first = SecretSerial("web-tls", "first.crt");
  ASSERT_FALSE(first.empty());
  CommandResult verified = RunTool({"openssl", "verify", "-CAfile", SaveTrustBundle(p), tmp_.File("first.crt")});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(Openssl({"x509", "-in", tmp_.File("first.crt"), "-noout", "-ext", "subjectAltName"}),
              HasSubstr("DNS:" + dns_name));
  // certplane's own inventory has it: a Certificate in the controller's namespace,
  // counted on the profile and listed under it by the kubectl plugin. (Not as the
  // profile's latestActiveCertificate: that names only certificates whose key the
  // controller holds, for the bundle API to hand out.)
  EXPECT_THAT(AcmeCertificateSerials(p.name), Contains(first)) << AcmeLogTail();
  EXPECT_TRUE(Eventually([&] { return Get("cpprofile/" + p.name, "{.status.certificates}", true) == "1"; },
                         std::chrono::seconds(30), kPoll))
      << Get("cpprofile/" + p.name, "{.status}", true);
  CommandResult inventory = RunTool({RequireEnv("CERTPLANE_BINARY_DIR") + "/plugin/kubectl-certplane", "inventory",
                                     "--profile", p.name, "-n", ControllerNamespace(), "-o", "json"});
  EXPECT_EQ(inventory.exit_code, 0) << inventory.output;
  EXPECT_THAT(inventory.output, HasSubstr(first));
  // Its challenge record is gone again.
  EXPECT_TRUE(Eventually(
      [&] {
        return RunTool({"dig", "@127.0.0.1", "-p", std::to_string(Dns().port()), "+short", "TXT",
                        "_acme-challenge." + dns_name})
            .output.empty();
      },
      std::chrono::seconds(60), kPoll));

  // Renewal through cert-manager (what `cmctl renew` does: an Issuing condition).
  Kubectl({"patch", "certificates.cert-manager.io", "web", "-n", ns(), "--subresource=status", "--type=json", "-p",
           R"([{"op":"add","path":"/status/conditions/-","value":{"type":"Issuing","status":"True",)"
           R"("reason":"ManuallyTriggered","message":"renewal requested by the e2e test","lastTransitionTime":")" +
               NowRfc3339() + R"("}}])"});
  std::string second;
  ASSERT_TRUE(Eventually(
      [&] {
        second = SecretSerial("web-tls", "second.crt");
        return !second.empty() && second != first && CertManagerCertificateReady("web") == "True";
      },
      std::chrono::seconds(240), kPoll))
      << Kubectl({"describe", "certificates.cert-manager.io", "web", "-n", ns()}, {}, true).output << LogTail();
  EXPECT_THAT(AcmeCertificateSerials(p.name), Contains(second));

  // Revoking certplane's Certificate puts the serial on the CRL, and openssl then refuses it.
  const std::string object = AcmeCertificateWithSerial(p.name, second);
  ASSERT_FALSE(object.empty());
  Kubectl({"patch", "cpcert", object, "-n", ControllerNamespace(), "--type=merge", "-p",
           R"({"spec":{"revocation":{"reason":"keyCompromise"}}})"});
  const std::string crl = WaitForCrlListing(p.ca, second);
  ASSERT_FALSE(crl.empty()) << "serial " << second << " not on the CRL" << AcmeLogTail();
  CommandResult checked = VerifyWithCrl(SaveTrustBundle(p), crl, tmp_.File("second.crt"));
  EXPECT_NE(checked.exit_code, 0);
  EXPECT_THAT(checked.output, HasSubstr("certificate revoked"));
}

TEST_F(CertManagerE2E, AWrongEabKeyLeavesTheClusterIssuerNotReadyAndSaysWhy) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  // A well-formed key that is not the profile's.
  const std::string issuer = MakeClusterIssuer(p, acme::NewToken());
  ASSERT_TRUE(
      Eventually([&] { return IssuerCondition(issuer, "status") == "False"; }, std::chrono::seconds(120), kPoll))
      << IssuerCondition(issuer, "message") << LogTail();
  const std::string message = IssuerCondition(issuer, "message");
  EXPECT_THAT(message, HasSubstr("externalAccountBinding")) << message;
  EXPECT_THAT(message, HasSubstr("unauthorized")) << message;
  // It stays that way: cert-manager says it will not retry this issuer's registration
  // (its log names the issuer), and after that the issuer is still not Ready.
  EXPECT_TRUE(Eventually(
      [&] {
        std::istringstream log(ReadFile(LogPath()));
        for (std::string line; std::getline(log, line);) {
          if (line.find("skipping retrying account registration") != std::string::npos &&
              line.find("resource_name=\"" + issuer + "\"") != std::string::npos) {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(60), kPoll))
      << LogTail();
  EXPECT_EQ(IssuerCondition(issuer, "status"), "False");
}

}  // namespace
}  // namespace certplane::testing

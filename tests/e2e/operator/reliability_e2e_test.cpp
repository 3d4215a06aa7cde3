// Reliability end to end: what one bad object or one other writer may cost. Each test
// provokes a failure for a minute and counts, from the controller's own request metric
// and from the objects, what it cost; each also has a positive witness (something that
// must change in the same window does), so a stuck controller cannot pass it.
//
// Its own binary: the controller runs with the default backoff (10s doubling to 1h),
// and the request counts are this binary's alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <sstream>
#include <thread>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::string CertificateYaml(const std::string& name, const std::string& ns, const std::string& profile,
                            const std::string& secret, const std::string& extra_spec = {}) {
  return "apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile +
         "\n  secretName: " + secret + "\n  commonName: " + name + ".example.com\n  dnsNames: [" + name +
         ".example.com]\n" + extra_spec;
}

class ReliabilityE2E : public OperatorE2E {
 protected:
  std::string Serial(const std::string& cert) { return Get("cpcert/" + cert, "{.status.serialNumber}"); }
  long Revision(const std::string& cert) { return std::atol(Get("cpcert/" + cert, "{.status.revision}").c_str()); }

  // Every API request the controller has made so far (its own metric, all methods and codes).
  static long ApiRequests() {
    CommandResult metrics = RunTool({"curl", "-fsS", MetricsUrl()});
    EXPECT_EQ(metrics.exit_code, 0) << metrics.output;
    static const std::regex kLine(R"(^certplane_kube_api_requests_total\{[^}]*\} ([0-9.e+]+)$)");
    long total = 0;
    std::istringstream lines(metrics.output);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_match(line, m, kLine)) total += std::lround(std::stod(m[1]));
    }
    return total;
  }

  void Report(const std::string& what, long value) {
    std::cout << "[measured] " << what << " = " << value << std::endl;
    RecordProperty(what, std::to_string(value));
  }
};

// Finding 1: a Certificate whose PKCS#12 password Secret does not exist yet used to send
// about 1,500 requests in 30 s. Now it backs off, and it is issued as soon as the
// Secret appears, not when the backoff ends.
TEST_F(ReliabilityE2E, ACertificateThatCannotBeIssuedForAMinuteCostsAHandfulOfRequests) {
  const std::string profile = MakeIssuer();
  Apply(
      CertificateYaml("keystore", ns(), profile, "keystore-tls",
                      "  additionalOutputFormats:\n  - type: PKCS12\n    passwordSecretRef: {name: p12-password, key: "
                      "password}\n"));
  ASSERT_TRUE(
      Eventually([&] { return Condition("cpcert/keystore", "Issuing", "reason") == "ReferencedSecretNotFound"; }, 30s))
      << "log: " << ControllerLogPath();
  EXPECT_THAT(Condition("cpcert/keystore", "Issuing", "message"), HasSubstr("p12-password"));
  EXPECT_EQ(Condition("cpcert/keystore", "Ready"), "False");

  const long before = ApiRequests();
  const auto window_start = std::chrono::steady_clock::now();
  // The witness: another Certificate created in the window is issued meanwhile.
  Apply(CertificateYaml("witness", ns(), profile, "witness-tls"));
  ASSERT_TRUE(WaitReady("cpcert/witness"));
  std::this_thread::sleep_until(window_start + 60s);
  const long during = ApiRequests() - before;
  const long attempts = std::atol(Get("cpcert/keystore", "{.status.failedIssuanceAttempts}").c_str());
  Report("api_requests_in_60s_with_one_unissuable_certificate_and_one_issuance", during);
  Report("failed_attempts_in_60s", attempts);
  // The witness's issuance costs about 5 requests (Secret, status, event, profile);
  // the failing Certificate a few per attempt (10 s, 20 s, 40 s apart).
  EXPECT_LE(during, 40) << "the failing Certificate is not backing off";
  EXPECT_GE(attempts, 2) << "the failing Certificate was not retried at all";
  EXPECT_LE(attempts, 4);

  // The Secret appears: the watch on it wakes the Certificate at once (the next
  // attempt by backoff alone is up to 40 s away).
  const auto created = std::chrono::steady_clock::now();
  Kubectl({"create", "secret", "generic", "p12-password", "-n", ns(), "--from-literal=password=changeit"});
  ASSERT_TRUE(WaitReady("cpcert/keystore", false, "True", 60s)) << "log: " << ControllerLogPath();
  const long waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - created).count();
  Report("ms_from_password_secret_to_ready", waited);
  EXPECT_LT(waited, 8000) << "issued by the backoff, not by the watch on the Secret";
  EXPECT_FALSE(SecretData("keystore-tls", "keystore.p12").empty());
  EXPECT_EQ(Get("cpcert/keystore", "{.status.failedIssuanceAttempts}"), "");
}

// Finding 2: something else keeps rewriting the Secret (a GitOps tool syncing an old
// copy without certplane's labels). Reissues back off instead of storming.
TEST_F(ReliabilityE2E, AWriterRewritingTheSecretEvery200msForAMinuteCausesAHandfulOfReissues) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("fought", ns(), profile, "fought-tls"));
  ASSERT_TRUE(WaitReady("cpcert/fought")) << "log: " << ControllerLogPath();
  const long revision_before = Revision("fought");

  // The stale copy: the same data, none of certplane's labels or annotations.
  const std::string copy = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: fought-tls\n  namespace: " + ns() +
                           "\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: stale\n  tls.key: stale\n";
  WriteFile(tmp_.File("stale.yaml"), copy);
  const long requests_before = ApiRequests();
  const std::string kubeconfig = RequireEnv("KUBECONFIG");
  CommandResult writer =
      RunTool({"timeout", "90", "bash", "-c",
               "end=$((SECONDS + 60)); n=0; while ((SECONDS < end)); do kubectl replace -f '" +
                   tmp_.File("stale.yaml") + "' >/dev/null 2>&1 && n=$((n + 1)); sleep 0.2; done; echo writes=$n"});
  ASSERT_EQ(writer.exit_code, 0) << writer.output;
  const long writes = std::atol(writer.output.substr(writer.output.find("writes=") + 7).c_str());
  const long reissues = Revision("fought") - revision_before;
  Report("writer_rewrites_in_60s", writes);
  Report("reissues_in_60s", reissues);
  Report("api_requests_in_60s_of_the_fight", ApiRequests() - requests_before);
  ASSERT_GE(writes, 100) << "the writer did not really fight: " << writer.output;
  // The witness: the controller did fight back (the first rewrite is repaired at once).
  EXPECT_GE(reissues, 1);
  EXPECT_LE(reissues, 6) << "reissues are not backing off";
  EXPECT_GE(std::atol(Get("cpcert/fought", "{.status.unplannedReissues}").c_str()), 1);

  // The writer stops: within the backoff the controller repairs the Secret and says
  // why it waited.
  EXPECT_TRUE(Eventually(
      [&] {
        return Condition("cpcert/fought", "Issuing", "reason") == "Backoff" ||
               Condition("cpcert/fought", "Ready") == "True";
      },
      30s));
  ASSERT_TRUE(WaitReady("cpcert/fought", false, "True", 180s)) << "log: " << ControllerLogPath();
  EXPECT_EQ(Get("secret/fought-tls", "{.metadata.labels.certplane\\.io/certificate-name}"), "fought");
}

// Finding 3: two Certificates naming one Secret. Exactly one (the oldest) owns it, the
// same one across restarts; the other says who does and issues nothing.
TEST_F(ReliabilityE2E, TwinCertificatesNamingOneSecretHaveOneOwnerAcrossRestarts) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("first", ns(), profile, "shared-tls"));
  ASSERT_TRUE(WaitReady("cpcert/first")) << "log: " << ControllerLogPath();
  std::this_thread::sleep_for(1100ms);  // creation timestamps have whole seconds
  Apply(CertificateYaml("second", ns(), profile, "shared-tls"));
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/second", "Ready", "reason") == "SecretInUse"; }, 30s))
      << "log: " << ControllerLogPath();
  const std::string first_serial = Serial("first");
  const long first_revision = Revision("first");

  for (bool crash : {false, true}) {
    RestartController(crash);
    // The witness: the new controller is reconciling (a new Certificate becomes Ready).
    const std::string witness = crash ? "after-crash" : "after-restart";
    Apply(CertificateYaml(witness, ns(), profile, witness + "-tls"));
    ASSERT_TRUE(WaitReady("cpcert/" + witness)) << "log: " << ControllerLogPath();
    EXPECT_EQ(Get("secret/shared-tls", "{.metadata.labels.certplane\\.io/certificate-name}"), "first");
    EXPECT_EQ(Get("secret/shared-tls", "{.metadata.annotations.certplane\\.io/serial-number}"), first_serial);
    EXPECT_EQ(Serial("first"), first_serial);
    EXPECT_EQ(Revision("first"), first_revision) << "the owner reissued";
    EXPECT_EQ(Condition("cpcert/first", "Ready"), "True");
    EXPECT_EQ(Condition("cpcert/second", "Ready"), "False");
    EXPECT_EQ(Condition("cpcert/second", "Ready", "reason"), "SecretInUse");
    EXPECT_THAT(Condition("cpcert/second", "Ready", "message"), HasSubstr("belongs to Certificate " + ns() + "/first"));
    EXPECT_EQ(Serial("second"), "") << "the other Certificate issued";
  }
  std::cout << "[measured] owner=first other=second says: " << Condition("cpcert/second", "Ready", "message")
            << std::endl;

  // The owner goes away: the other takes the Secret over.
  Kubectl({"delete", "cpcert", "first", "-n", ns(), "--wait=true"});
  ASSERT_TRUE(WaitReady("cpcert/second")) << "log: " << ControllerLogPath();
  EXPECT_EQ(Get("secret/shared-tls", "{.metadata.labels.certplane\\.io/certificate-name}"), "second");
  EXPECT_EQ(Get("secret/shared-tls", "{.metadata.annotations.certplane\\.io/serial-number}"), Serial("second"));
}

// Finding 5: deleting the issuing CA is no longer silent; the Secret is left alone.
TEST_F(ReliabilityE2E, DeletingTheIssuingCaSaysTheCertificateCannotBeRenewedAndLeavesItsSecret) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("orphan", ns(), profile, "orphan-tls"));
  ASSERT_TRUE(WaitReady("cpcert/orphan")) << "log: " << ControllerLogPath();
  const std::string ca = Get("cpprofile/" + profile, "{.spec.caRef.name}", true);
  ASSERT_FALSE(ca.empty());
  const std::string secret_version = Get("secret/orphan-tls", "{.metadata.resourceVersion}");
  const std::string serial = Serial("orphan");

  Kubectl({"delete", "cpca", ca, "--wait=true"});
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/orphan", "Issuing", "reason") == "CANotFound"; }, 30s))
      << "log: " << ControllerLogPath();
  EXPECT_EQ(Condition("cpcert/orphan", "Issuing"), "False");
  EXPECT_THAT(Condition("cpcert/orphan", "Issuing", "message"),
              HasSubstr("CertificateAuthority " + ca + " (of profile " + profile + ") does not exist"));
  EXPECT_THAT(Condition("cpcert/orphan", "Issuing", "message"), HasSubstr("cannot be renewed or reissued"));
  EXPECT_EQ(Condition("cpcert/orphan", "Ready"), "True") << "the certificate itself is still valid";
  EXPECT_EQ(Get("secret/orphan-tls", "{.metadata.resourceVersion}"), secret_version) << "the Secret was touched";
  EXPECT_EQ(Serial("orphan"), serial);

  // A renew request cannot be honoured either, and says so. (Renew requests have whole
  // seconds and must be newer than the last issuance.)
  std::this_thread::sleep_for(1100ms);
  Kubectl(
      {"annotate", "cpcert", "orphan", "-n", ns(), "--overwrite", "certplane.io/renew-requested-at=" + NowRfc3339()});
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/orphan", "Ready", "reason") == "CANotFound"; }, 30s))
      << Kubectl({"get", "cpcert", "orphan", "-n", ns(), "-o", "yaml"}).output;
  EXPECT_EQ(Get("secret/orphan-tls", "{.metadata.resourceVersion}"), secret_version);
}

// Finding 6 (the crash window): a controller that died between writing the Secret and
// writing status left status naming the older serial. A revocation then revokes both.
TEST_F(ReliabilityE2E, ARevocationAfterACrashBetweenSecretAndStatusRevokesEveryLiveSerial) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("crashed", ns(), profile, "crashed-tls"));
  ASSERT_TRUE(WaitReady("cpcert/crashed")) << "log: " << ControllerLogPath();
  const std::string old_serial = Serial("crashed");
  const std::string old_not_after = Get("cpcert/crashed", "{.status.notAfter}");
  std::this_thread::sleep_for(1100ms);
  Kubectl(
      {"annotate", "cpcert", "crashed", "-n", ns(), "--overwrite", "certplane.io/renew-requested-at=" + NowRfc3339()});
  ASSERT_TRUE(Eventually([&] { return Serial("crashed") != old_serial && Revision("crashed") == 2; }, 60s));
  const std::string new_serial = Serial("crashed");

  // The crash: status back as it was before the renewal, the Secret holding the new one.
  PauseController();
  Kubectl({"patch", "cpcert", "crashed", "-n", ns(), "--subresource=status", "--type=merge", "-p",
           R"({"status":{"serialNumber":")" + old_serial + R"(","revision":1,"history":null,"notAfter":")" +
               old_not_after + R"("}})"});
  ASSERT_EQ(Serial("crashed"), old_serial);
  Kubectl({"patch", "cpcert", "crashed", "-n", ns(), "--type=merge", "-p",
           R"({"spec":{"revocation":{"reason":"keyCompromise"}}})"});
  ResumeController();

  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/crashed", "Revoked") == "True"; }, 60s))
      << "log: " << ControllerLogPath();
  const std::string ca = Get("cpprofile/" + profile, "{.spec.caRef.name}", true);
  CommandResult crl = Kubectl(
      {"get", "configmap", "certplane-crl-" + ca, "-n", ControllerNamespace(), "-o", "jsonpath={.data.crl\\.pem}"});
  const std::string text = Openssl({"crl", "-noout", "-text"}, crl.output);
  auto upper = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  EXPECT_THAT(text, HasSubstr("Serial Number: " + upper(new_serial))) << "the Secret's serial is not revoked";
  EXPECT_THAT(text, HasSubstr("Serial Number: " + upper(old_serial)));
  EXPECT_EQ(Serial("crashed"), new_serial) << "status names the serial the Secret holds";
  EXPECT_THAT(Condition("cpcert/crashed", "Revoked", "message"), HasSubstr(new_serial));
}

}  // namespace
}  // namespace certplane::testing

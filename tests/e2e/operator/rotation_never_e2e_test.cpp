// rotationPolicy: Never under a flaky API server: a validating admission webhook
// (tests/support/flaky_webhook.py) registered on the real kube-apiserver denies every
// second write to the Secret and every third to the Certificate's status in the test's
// namespace. The two rates differ so that, over the renewals, the Secret write fails,
// the status write fails, and the Secret write succeeds while the status write after it
// fails (the controller then holds a certificate in the Secret that status does not name).
// Renewals requested one after another must each land, and every certificate issued
// must carry the key of the first: a failed write must never make the controller
// generate a new key, and a lost status write must not make it issue again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "free_port.h"
#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::literals::operator""_json_pointer;

constexpr int kRenewals = 4;
// A denied write is retried after the controller's issuance backoff, so a renewal may
// need a few retries; each gets a generous bound.
constexpr std::chrono::seconds kRenewalTimeout{120};

class RotationNeverE2E : public OperatorE2E {
 public:
  static void SetUpTestSuite() {
    // Denied writes are retried after the issuance backoff: a short one keeps the test
    // quick (the default, 10 s doubling, is what kRenewalTimeout still allows for).
    ExtraControllerFlags() = {"--issuance-backoff-initial=1s"};
    OperatorE2E::SetUpTestSuite();
  }

 protected:
  void TearDown() override {
    // Unregister before anything else, even when the test failed: with failurePolicy
    // Fail, writes in the namespace would fail once the webhook has stopped.
    if (!webhook_config_.empty()) {
      Kubectl({"delete", "validatingwebhookconfiguration", webhook_config_, "--ignore-not-found", "--wait=false"}, {},
              true);
    }
    webhook_.reset();  // stops it
    OperatorE2E::TearDown();
  }

  std::string Serial(const std::string& cert) { return Get("cpcert/" + cert, "{.status.serialNumber}"); }

  // The SHA-256 of the certificate's SubjectPublicKeyInfo (DER), as openssl prints it.
  // "" (and a test failure) when openssl cannot read it, so two unreadable certificates
  // never compare equal.
  std::string SpkiHash(const std::string& cert_pem) {
    const std::string base = tmp_.File("spki-" + std::to_string(++files_));
    WriteFile(base + ".pem", Openssl({"x509", "-noout", "-pubkey"}, cert_pem));
    Openssl({"pkey", "-pubin", "-in", base + ".pem", "-outform", "DER", "-out", base + ".der"});
    if (ReadFile(base + ".der").empty()) {
      ADD_FAILURE() << "no public key in the certificate";
      return "";
    }
    const std::string out = Openssl({"dgst", "-sha256", "-r", base + ".der"});
    return out.substr(0, out.find(' '));
  }

  // Makes a CA and a serving certificate for 127.0.0.1 with the openssl CLI, starts the
  // webhook on a free loopback port, registers it for Secrets and certificates/status
  // in this test's namespace only, and waits until the API server calls it.
  void StartFlakyWebhook() {
    const std::string dir = tmp_.path();
    auto run = [](const std::vector<std::string>& argv) {
      CommandResult r = RunTool(argv);
      ASSERT_EQ(r.exit_code, 0) << r.output;
    };
    ASSERT_NO_FATAL_FAILURE(run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                 "-nodes", "-days", "1", "-subj", "/CN=flaky webhook CA " + id(), "-keyout",
                                 dir + "/webhook-ca.key", "-out", dir + "/webhook-ca.crt"}));
    ASSERT_NO_FATAL_FAILURE(
        run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
             "/CN=flaky webhook", "-keyout", dir + "/webhook.key", "-out", dir + "/webhook.csr"}));
    WriteFile(dir + "/webhook.ext", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    ASSERT_NO_FATAL_FAILURE(run({"openssl", "x509", "-req", "-in", dir + "/webhook.csr", "-CA", dir + "/webhook-ca.crt",
                                 "-CAkey", dir + "/webhook-ca.key", "-CAcreateserial", "-days", "1", "-extfile",
                                 dir + "/webhook.ext", "-out", dir + "/webhook.crt"}));

    webhook_port_ = FreeLoopbackPort();
    webhook_log_ = RequireEnv("CERTPLANE_BINARY_DIR") + "/e2e-logs/flaky-webhook-" + id() + ".log";
    webhook_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"python3", RequireEnv("CERTPLANE_SOURCE_DIR") + "/tests/support/flaky_webhook.py",
                                 "--port", std::to_string(webhook_port_), "--cert", dir + "/webhook.crt", "--key",
                                 dir + "/webhook.key", "--match", "secrets=2", "--match", "certificates/status=3",
                                 "--namespace", ns(),
                                 // Longer than this test may run (ctest's timeout), so it never
                                 // stops under the test, but it always stops.
                                 "--deadline", "900", "--verbose"},
        ChildOptions{.log_path = webhook_log_});
    ASSERT_TRUE(Eventually([&] { return Stats().contains("reviewed"); }, std::chrono::seconds(30)))
        << "the webhook did not start; log: " << webhook_log_;

    webhook_config_ = "certplane-e2e-flaky-" + id();
    const std::string ca_bundle = RunTool({"base64", "-w0", dir + "/webhook-ca.crt"}).output;
    Apply("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: " +
          webhook_config_ +
          "\n  labels: {certplane-e2e: \"true\"}\nwebhooks:\n- name: flaky.e2e.certplane.io\n"
          "  clientConfig:\n    url: https://127.0.0.1:" +
          std::to_string(webhook_port_) +
          "/validate\n"
          "    caBundle: " +
          ca_bundle +
          "\n"
          "  rules:\n"
          "  - {apiGroups: [\"\"], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [secrets], "
          "scope: Namespaced}\n"
          "  - {apiGroups: [certplane.io], apiVersions: [v1alpha1], operations: [UPDATE], "
          "resources: [certificates/status], scope: Namespaced}\n"
          "  namespaceSelector:\n    matchLabels: {kubernetes.io/metadata.name: " +
          ns() +
          "}\n"
          "  failurePolicy: Fail\n  sideEffects: None\n  admissionReviewVersions: [v1]\n  timeoutSeconds: 5\n");
    // The API server picks the configuration up asynchronously: probe with server-side
    // dry runs (which the webhook counts apart and never denies) until it is called.
    ASSERT_TRUE(Eventually(
        [&] {
          Kubectl({"create", "secret", "generic", "webhook-probe", "-n", ns(), "--dry-run=server"}, {}, true);
          return Stats().value("dry_runs", 0) > 0;
        },
        std::chrono::seconds(30), std::chrono::milliseconds(500)))
        << "the API server never called the webhook; log: " << webhook_log_;
  }

  // The webhook's counters (GET /stats); an empty object when it does not answer.
  nlohmann::json Stats() {
    CommandResult r = RunTool({"curl", "-fsS", "--max-time", "5", "--cacert", tmp_.File("webhook-ca.crt"),
                               "https://127.0.0.1:" + std::to_string(webhook_port_) + "/stats"});
    if (r.exit_code != 0) return nlohmann::json::object();
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }

  std::unique_ptr<ChildProcess> webhook_;
  std::string webhook_config_, webhook_log_;
  int webhook_port_ = 0;
  int files_ = 0;
};

TEST_F(RotationNeverE2E, RenewalsThroughFailingWritesKeepTheKey) {
  const std::string profile = MakeIssuer();
  Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: pinned\n  namespace: " + ns() +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile +
        "\n  secretName: pinned-tls\n  commonName: pinned.example.com\n  dnsNames: [pinned.example.com]\n"
        "  privateKey:\n    algorithm: ECDSA-P256\n    rotationPolicy: Never\n");
  ASSERT_TRUE(WaitReady("cpcert/pinned")) << "log: " << ControllerLogPath();
  const std::string first_serial = Serial("pinned");
  const std::string key = SpkiHash(SecretData("pinned-tls", "tls.crt"));
  ASSERT_EQ(key.size(), 64u) << key;

  ASSERT_NO_FATAL_FAILURE(StartFlakyWebhook());

  std::vector<std::string> serials{first_serial};
  for (int i = 1; i <= kRenewals; ++i) {
    // A renew request counts when it is later than the last issuance (whole seconds).
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    Kubectl(
        {"annotate", "cpcert", "pinned", "-n", ns(), "--overwrite", "certplane.io/renew-requested-at=" + NowRfc3339()});
    const std::string previous = serials.back();
    // Landed: a new serial in status, the Secret carrying that same certificate, Ready.
    ASSERT_TRUE(Eventually(
        [&] {
          const std::string serial = Serial("pinned");
          return !serial.empty() && serial != previous &&
                 Get("secret/pinned-tls", "{.metadata.annotations.certplane\\.io/serial-number}") == serial &&
                 Condition("cpcert/pinned", "Ready") == "True";
        },
        kRenewalTimeout, std::chrono::milliseconds(500)))
        << "renewal " << i << " did not land; webhook: " << Stats().dump() << "; log: " << ControllerLogPath();
    serials.push_back(Serial("pinned"));
    const std::string cert = SecretData("pinned-tls", "tls.crt");
    std::string cert_serial = Openssl({"x509", "-noout", "-serial"}, cert);
    std::string want = serials.back();
    for (char& c : want) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_THAT(cert_serial, HasSubstr(want)) << "tls.crt is not the certificate status names";
    EXPECT_EQ(SpkiHash(cert), key) << "renewal " << i << " (serial " << serials.back() << ") changed the key";
    EXPECT_EQ(Openssl({"x509", "-noout", "-pubkey"}, cert),
              Openssl({"pkey", "-pubout"}, SecretData("pinned-tls", "tls.key")))
        << "tls.key is not the key of tls.crt after renewal " << i;
  }
  EXPECT_EQ(std::set<std::string>(serials.begin(), serials.end()).size(), serials.size())
      << "a renewal reused a serial";

  // The positive witness: failures really were injected, on the Secret's writes and the
  // status's, so the renewals above went through retries.
  const nlohmann::json stats = Stats();
  RecordProperty("webhook_stats", stats.dump());
  EXPECT_GT(stats.value("denied", 0), 0) << stats.dump();
  EXPECT_GT(stats.value("/by_resource/secrets/denied"_json_pointer, 0), 0) << stats.dump();
  EXPECT_GT(stats.value("/by_resource/certificates~1status/denied"_json_pointer, 0), 0) << stats.dump();
  EXPECT_THAT(ReadFile(ControllerLogPath()), HasSubstr("injected failure"))
      << "the controller never saw a denied write";
  // What the failures cost: a renewal takes at most one denied Secret write and the one
  // that lands. A status write lost after the Secret's is answered by adopting the Secret
  // (its certplane.io/issued-at says the renew request was served), not by issuing again.
  EXPECT_LE(stats.value("/by_resource/secrets/matched"_json_pointer, 0), 2 * kRenewals) << stats.dump();
}

}  // namespace
}  // namespace certplane::testing

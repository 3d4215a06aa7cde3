// CertificateSyncs as a user meets them: kubectl applies a Certificate and a sync to
// AWS (moto's server on loopback, with IAM signature checking on), the controller pushes,
// and boto3 reads back what arrived. Renewal, a controller restart between renewals,
// revocation and deletion each leave the destination as the product promises.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include "moto.h"
#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using sync::aws::testing::MotoServer;
using sync::aws::testing::PemBody;

class SyncE2E : public OperatorE2E {
 protected:
  void SetUp() override {
    OperatorE2E::SetUp();
    moto_ = std::make_unique<MotoServer>(MotoServer::kSignaturesChecked);
    const sync::aws::AwsCredentials creds = moto_->Credentials();
    Apply("apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws-credentials\n  namespace: " + ns() +
          "\nstringData:\n  accessKeyID: " + creds.access_key_id +
          "\n  secretAccessKey: " + std::string(creds.secret_access_key.view()) + "\n");
    profile_ = MakeIssuer();
  }

  void Certificate(const std::string& name, const std::string& labels = "{}") {
    Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name + "\n  namespace: " +
          ns() + "\n  labels: " + labels + "\nspec:\n  profileRef:\n    name: " + profile_ + "\n  secretName: " + name +
          "-tls\n  commonName: " + name + ".example.com\n  dnsNames: [" + name + ".example.com]\n");
    ASSERT_TRUE(WaitReady("cpcert/" + name)) << name << " not Ready";
  }

  std::string Serial(const std::string& cert) { return Get("cpcert/" + cert, "{.status.serialNumber}"); }
  long Revision(const std::string& cert) { return std::atol(Get("cpcert/" + cert, "{.status.revision}").c_str()); }
  std::string Entry(const std::string& sync, const std::string& cert, const std::string& field) {
    return Get("cpsync/" + sync, "{.status.certificates[?(@.name==\"" + cert + "\")]." + field + "}");
  }
  bool WaitEntry(const std::string& sync, const std::string& cert, const std::string& field, const std::string& want,
                 std::chrono::seconds timeout = std::chrono::seconds(60)) {
    return Eventually([&] { return Entry(sync, cert, field) == want; }, timeout, std::chrono::milliseconds(500));
  }
  void Renew(const std::string& cert) {
    const long before = Revision(cert);
    Kubectl({"annotate", "cpcert", cert, "-n", ns(), "--overwrite", "certplane.io/renew-requested-at=" + NowRfc3339()});
    ASSERT_TRUE(
        Eventually([&] { return Revision(cert) > before; }, std::chrono::seconds(60), std::chrono::milliseconds(500)))
        << cert << " was not renewed";
  }

  // API requests the controller has made so far (its own metric): every one, or only
  // the writes (POST, PUT, PATCH, DELETE).
  static long ApiRequests(bool writes_only = false) {
    CommandResult metrics = RunTool({"curl", "-fsS", MetricsUrl()});
    EXPECT_EQ(metrics.exit_code, 0) << metrics.output;
    static const std::regex kLine(R"(^certplane_kube_api_requests_total\{([^}]*)\} ([0-9.e+]+)$)");
    static const std::regex kWrite(R"re(method="(POST|PUT|PATCH|DELETE)")re");
    long total = 0;
    std::istringstream lines(metrics.output);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (!std::regex_match(line, m, kLine)) continue;
      const std::string labels = m[1];
      if (writes_only && !std::regex_search(labels, kWrite)) continue;
      total += std::lround(std::stod(m[2]));
    }
    return total;
  }

  std::unique_ptr<MotoServer> moto_;
  std::string profile_;
};

TEST_F(SyncE2E, AcmHoldsTheCurrentSerialUnderOneArnThroughRenewalsAndARestartAndLosesItOnRevocation) {
  Certificate("frontend");
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateSync\nmetadata:\n  name: to-acm\n  namespace: " + ns() +
        "\nspec:\n  certificates:\n    names: [frontend]\n  awsCertificateManager:\n    region: us-east-1\n"
        "    endpoint: " +
        moto_->endpoint() +
        "\n    tags:\n      team: shop\n    auth:\n      secretRef:\n        name: aws-credentials\n");
  ASSERT_TRUE(WaitReady("cpsync/to-acm")) << Get("cpsync/to-acm", "{.status}");
  const std::string arn = Entry("to-acm", "frontend", "destinationID");
  ASSERT_TRUE(arn.starts_with("arn:aws:acm:us-east-1:")) << arn;
  EXPECT_EQ(Entry("to-acm", "frontend", "serialNumber"), Serial("frontend"));

  // boto3 reads back the leaf of the Secret, the chain, and certplane's tags.
  nlohmann::json got = moto_->Tool({"acm-get", arn});
  const std::string leaf = Openssl({"x509"}, SecretData("frontend-tls", "tls.crt"));
  EXPECT_EQ(PemBody(got["certificate"].get<std::string>()), PemBody(leaf));
  EXPECT_EQ(got["serial_hex"], Serial("frontend"));
  const std::string uid = Get("cpcert/frontend", "{.metadata.uid}");
  EXPECT_EQ(got["tags"]["certplane.io/certificate-uid"], uid);
  EXPECT_EQ(got["tags"]["team"], "shop");
  // moto keeps the imported key without exporting it; the key that signed the request is
  // the Secret's, checked by the controller before pushing (MaterialFromSecret) and
  // pushed in the same request as this certificate, which moto parsed.

  // The kubectl plugin shows it: status lists the destination with its id and serial,
  // inventory -o wide counts the syncs holding the current serial.
  const std::string plugin = RequireEnv("CERTPLANE_BINARY_DIR") + "/plugin/kubectl-certplane";
  CommandResult status = RunTool({plugin, "status", "frontend", "-n", ns()});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("awsCertificateManager"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find(arn), std::string::npos) << status.output;
  CommandResult inventory = RunTool({plugin, "inventory", "-n", ns(), "-o", "wide"});
  EXPECT_EQ(inventory.exit_code, 0) << inventory.output;
  EXPECT_NE(inventory.output.find("SYNCED"), std::string::npos) << inventory.output;
  EXPECT_NE(inventory.output.find(" 1/1"), std::string::npos) << inventory.output;

  // A renewal re-imports into the same ARN. Its cost to the API server, with the sync:
  // the renewal's own writes (the Secret, the Certificate's status, an Event) and the
  // sync's (its status, a Pushed Event).
  std::this_thread::sleep_for(std::chrono::seconds(2));  // earlier events written
  const long writes_before = ApiRequests(true);
  Renew("frontend");
  const std::string second = Serial("frontend");
  ASSERT_TRUE(WaitEntry("to-acm", "frontend", "serialNumber", second)) << Get("cpsync/to-acm", "{.status}");
  std::this_thread::sleep_for(std::chrono::seconds(2));  // its events written
  const long writes = ApiRequests(true) - writes_before;
  std::cout << "[measured] API writes for one renewal with a CertificateSync attached = " << writes << std::endl;
  RecordProperty("api_writes_per_renewal_with_sync", std::to_string(writes));
  EXPECT_EQ(Entry("to-acm", "frontend", "destinationID"), arn);
  EXPECT_EQ(moto_->Tool({"acm-get", arn})["serial_hex"], second);

  // A new controller (nothing in memory) and a lost status between two renewals: the
  // object tagged with the uid is adopted, not duplicated.
  PauseController();
  Kubectl({"patch", "cpsync", "to-acm", "-n", ns(), "--subresource=status", "--type=merge", "-p",
           R"({"status":{"certificates":null}})"});
  ResumeController();
  Renew("frontend");
  const std::string third = Serial("frontend");
  ASSERT_TRUE(WaitEntry("to-acm", "frontend", "serialNumber", third)) << Get("cpsync/to-acm", "{.status}");
  EXPECT_EQ(Entry("to-acm", "frontend", "destinationID"), arn);
  EXPECT_EQ(moto_->Tool({"acm-count"})["count"], 1) << moto_->Tool({"acm-count"}).dump();
  EXPECT_EQ(moto_->Tool({"acm-get", arn})["serial_hex"], third);

  // Revocation removes it (deletionPolicy Remove, the default).
  Kubectl({"patch", "cpcert", "frontend", "-n", ns(), "--type=merge", "-p",
           R"({"spec":{"revocation":{"reason":"keyCompromise"}}})"});
  ASSERT_TRUE(WaitEntry("to-acm", "frontend", "reason", "Revoked")) << Get("cpsync/to-acm", "{.status}");
  EXPECT_EQ(Entry("to-acm", "frontend", "destinationID"), "");
  EXPECT_EQ(moto_->Tool({"acm-get", arn})["error"], "ResourceNotFoundException");
  EXPECT_EQ(moto_->Tool({"acm-count"})["count"], 0);
}

TEST_F(SyncE2E, SecretsManagerHoldsTheChosenFieldsUnderTheKmsKeyAndTheSecretGoesWithTheSync) {
  Certificate("api", "{push: \"yes\"}");
  Certificate("batch", "{push: \"yes\"}");
  Certificate("internal");  // not labelled: not pushed
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateSync\nmetadata:\n  name: to-sm\n  namespace: " + ns() +
        "\nspec:\n  certificates:\n    selector: {matchLabels: {push: \"yes\"}}\n  includeRoot: true\n"
        "  awsSecretsManager:\n"
        "    region: us-east-1\n    endpoint: " +
        moto_->endpoint() + "\n    kmsKeyID: " + moto_->kms_key_id() +
        "\n    fields: [certificate, privateKey, chain]\n    auth:\n      secretRef:\n        name: aws-credentials\n");
  ASSERT_TRUE(WaitReady("cpsync/to-sm")) << Get("cpsync/to-sm", "{.status}");
  const std::string name = "certplane/" + ns() + "/api";
  nlohmann::json got = moto_->Tool({"sm-get", name});
  ASSERT_FALSE(got.contains("error")) << got.dump();
  EXPECT_EQ(Entry("to-sm", "api", "destinationID"), got["arn"]);
  EXPECT_EQ(got["kms_key_id"], moto_->kms_key_id());
  EXPECT_EQ(got["tags"]["certplane.io/certificate-uid"], Get("cpcert/api", "{.metadata.uid}"));
  const nlohmann::json& value = got["value"];
  EXPECT_FALSE(value.contains("ca")) << "fields leaves ca out";
  EXPECT_EQ(PemBody(value["certificate"].get<std::string>()),
            PemBody(Openssl({"x509"}, SecretData("api-tls", "tls.crt"))));
  // The key is the Secret's (the same public key), and the chain ends in the root.
  EXPECT_EQ(Openssl({"pkey", "-pubout"}, value["privateKey"].get<std::string>()),
            Openssl({"pkey", "-pubout"}, SecretData("api-tls", "tls.key")));
  EXPECT_EQ(PemBody(value["chain"].get<std::string>()), PemBody(SecretData("api-tls", "ca.crt")));
  EXPECT_EQ(Entry("to-sm", "api", "version"), got["version_id"]);

  Renew("api");
  ASSERT_TRUE(WaitEntry("to-sm", "api", "serialNumber", Serial("api"))) << Get("cpsync/to-sm", "{.status}");
  nlohmann::json renewed = moto_->Tool({"sm-get", name});
  EXPECT_EQ(renewed["arn"], got["arn"]);
  EXPECT_NE(renewed["version_id"], got["version_id"]);

  EXPECT_EQ(Get("cpsync/to-sm", "{.status.syncedCertificates}"), "2");
  EXPECT_EQ(Entry("to-sm", "internal", "name"), "") << "the selector does not match it";
  EXPECT_FALSE(moto_->Tool({"sm-get", "certplane/" + ns() + "/batch"}).contains("error"));

  // A Certificate that goes takes its secret with it.
  Kubectl({"delete", "cpcert", "batch", "-n", ns()});
  ASSERT_TRUE(Eventually([&] { return Entry("to-sm", "batch", "name").empty(); }, std::chrono::seconds(60),
                         std::chrono::milliseconds(500)))
      << Get("cpsync/to-sm", "{.status}");
  EXPECT_EQ(moto_->Tool({"sm-get", "certplane/" + ns() + "/batch"})["error"], "ResourceNotFoundException");

  // The metrics count the pushes.
  CommandResult metrics = RunTool({"curl", "-fsS", MetricsUrl()});
  EXPECT_NE(metrics.output.find("certplane_certificate_sync_pushes_total{destination=\"awsSecretsManager\"}"),
            std::string::npos);
  EXPECT_NE(metrics.output.find("certplane_certificate_sync_unsynced_age_seconds{namespace=\"" + ns() +
                                "\",name=\"to-sm\"} 0"),
            std::string::npos)
      << metrics.output.substr(0, 4000);

  // Deleting the sync removes the secret before the finalizer lets it go.
  EXPECT_NE(Get("cpsync/to-sm", "{.metadata.finalizers}").find("certplane.io/sync-cleanup"), std::string::npos);
  Kubectl({"delete", "cpsync", "to-sm", "-n", ns(), "--wait=true", "--timeout=60s"});
  nlohmann::json gone = moto_->Tool({"sm-get", name});
  EXPECT_EQ(gone["error"], "ResourceNotFoundException") << gone.dump();
}

TEST_F(SyncE2E, WrongCredentialsSayAwsErrorCodeAndCostAHandfulOfRequests) {
  Certificate("pay");
  Apply("apiVersion: v1\nkind: Secret\nmetadata:\n  name: wrong\n  namespace: " + ns() +
        "\nstringData:\n  accessKeyID: " + moto_->Credentials().access_key_id +
        "\n  secretAccessKey: not-the-secret\n");
  const long before = ApiRequests();
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateSync\nmetadata:\n  name: wrong-key\n  namespace: " + ns() +
        "\nspec:\n  certificates:\n    names: [pay]\n  awsCertificateManager:\n    region: us-east-1\n"
        "    endpoint: " +
        moto_->endpoint() + "\n    auth:\n      secretRef:\n        name: wrong\n");
  ASSERT_TRUE(Eventually([&] { return Condition("cpsync/wrong-key", "Ready", "reason") == "Unauthenticated"; },
                         std::chrono::seconds(60), std::chrono::milliseconds(500)))
      << Get("cpsync/wrong-key", "{.status}");
  EXPECT_NE(Condition("cpsync/wrong-key", "Ready", "message").find("SignatureDoesNotMatch"), std::string::npos)
      << Condition("cpsync/wrong-key", "Ready", "message");
  EXPECT_EQ(Condition("cpsync/wrong-key", "Ready", "status"), "False");
  EXPECT_NE(Get("events", "{.items[?(@.reason==\"PushFailed\")].message}").find("SignatureDoesNotMatch"),
            std::string::npos);
  // For a minute: the pushes back off (10 s, 20 s, 40 s), and each costs a Secret read, a
  // status write and an event.
  std::this_thread::sleep_for(std::chrono::seconds(60));
  const long during = ApiRequests() - before;
  const std::string attempts = Entry("wrong-key", "pay", "failedAttempts");
  std::cout << "[measured] API requests in the minute after a sync with a wrong secret key = " << during
            << " (failed pushes: " << attempts << ")" << std::endl;
  RecordProperty("api_requests_per_minute_wrong_credentials", std::to_string(during));
  // Still trying (10 s, 20 s, 40 s apart), not stuck: at least two attempts in the minute.
  EXPECT_GE(std::atoi(attempts.c_str()), 2);
  EXPECT_LE(std::atoi(attempts.c_str()), 4);
  EXPECT_LE(during, 40) << "the failing sync is not backing off";
}

// Web identity: the controller asks the API server for a token of the sync's
// ServiceAccount (TokenRequest, audience sts.amazonaws.com) and exchanges it with STS
// AssumeRoleWithWebIdentity for the role's credentials. moto's STS answers without
// checking the token (and its signature checking would refuse the unsigned STS call
// AWS accepts), so this moto runs without authentication; what the test proves is the
// path: no static keys, the token minted for the named ServiceAccount, and a missing
// ServiceAccount reported as such.
TEST_F(SyncE2E, WebIdentityPushesWithAServiceAccountTokenAndSaysWhenTheServiceAccountIsMissing) {
  MotoServer open_moto(MotoServer::kNoAuthentication);
  Certificate("edge");
  Apply("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: tls-pusher\n  namespace: " + ns() + "\n");
  auto sync = [&](const std::string& name, const std::string& service_account) {
    Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateSync\nmetadata:\n  name: " + name +
          "\n  namespace: " + ns() +
          "\nspec:\n  certificates:\n    names: [edge]\n  awsCertificateManager:\n    region: us-east-1\n"
          "    endpoint: " +
          open_moto.endpoint() +
          "\n    auth:\n      webIdentity:\n        roleARN: arn:aws:iam::123456789012:role/certplane-sync\n"
          "        serviceAccountName: " +
          service_account + "\n");
  };
  sync("by-role", "tls-pusher");
  ASSERT_TRUE(WaitReady("cpsync/by-role")) << Get("cpsync/by-role", "{.status}");
  const std::string arn = Entry("by-role", "edge", "destinationID");
  EXPECT_EQ(open_moto.Tool({"acm-get", arn})["serial_hex"], Serial("edge"));

  sync("no-such-account", "nobody");
  ASSERT_TRUE(Eventually([&] { return Condition("cpsync/no-such-account", "Ready", "status") == "False"; },
                         std::chrono::seconds(60), std::chrono::milliseconds(500)));
  EXPECT_NE(Condition("cpsync/no-such-account", "Ready", "message").find("ServiceAccount " + ns() + "/nobody"),
            std::string::npos)
      << Condition("cpsync/no-such-account", "Ready", "message");
}

}  // namespace
}  // namespace certplane::testing

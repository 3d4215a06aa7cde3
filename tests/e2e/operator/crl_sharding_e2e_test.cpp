// CRL sharding at scale: 5,000 certificates of a CA planned for 500 revocations per
// shard are revoked; every shard's CRL verifies, fits its ConfigMap, names itself in a
// critical IssuingDistributionPoint, and lists exactly the serials whose certificates
// point at it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kube/base64.h"
#include "operator_fixture.h"
#include "pki/certificate.h"
#include "pki/crl.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kCertificates = 5000;
constexpr int kMaxEntriesPerShard = 500;
constexpr int kApplyProcesses = 8;

class CrlShardingE2E : public OperatorE2E {
 public:
  static void SetUpTestSuite() {
    // The test measures sharding, not the default client-side rate limit.
    ExtraControllerFlags() = {"--kube-api-qps=2000", "--kube-api-burst=4000", "--workers=8", "--log-level=info"};
    OperatorE2E::SetUpTestSuite();
  }

 protected:
  std::string Ca() const { return "e2e-sharded-" + id(); }

  // How many Certificates of the test namespace are Ready (one list, not one wait each).
  int CountReady() {
    CommandResult r =
        RunTool({"kubectl", "get", "cpcert", "-n", ns(), "-o",
                 "jsonpath={range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}"});
    int n = 0;
    for (std::size_t pos = r.output.find("True"); pos != std::string::npos; pos = r.output.find("True", pos + 4)) ++n;
    return n;
  }

  // Applies kCertificates Certificates (revoked when `revoke`) with kApplyProcesses
  // kubectl processes side by side.
  void ApplyCertificates(const std::string& profile, bool revoke) {
    std::vector<std::string> files(kApplyProcesses);
    for (int i = 0; i < kCertificates; ++i) {
      const std::string name = "c" + std::to_string(i);
      files[i % kApplyProcesses] +=
          "---\napiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name +
          "\n  namespace: " + ns() + "\n  labels: {certplane-e2e: \"true\"}\nspec:\n" +
          "  profileRef: {name: " + profile + "}\n  secretName: " + name + "-tls\n  commonName: " + name +
          ".example.com\n" + (revoke ? "  revocation: {reason: keyCompromise}\n" : "");
    }
    std::string command = "set -e; pids=;";
    for (int p = 0; p < kApplyProcesses; ++p) {
      const std::string path = tmp_.path() + "/certs-" + std::to_string(p) + ".yaml";
      WriteFile(path, files[p]);
      command += " kubectl apply --server-side --field-manager=e2e -f " + path + " >/dev/null & pids=\"$pids $!\";";
    }
    command += " for p in $pids; do wait $p; done";
    CommandResult r = RunShell(command, {.timeout = std::chrono::seconds(600)});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
};

TEST_F(CrlShardingE2E, FiveThousandRevocationsMakeShardedCrlsThatAllVerifyAndFit) {
  const std::string tmpl = "e2e-sharded-template-" + id(), profile = "e2e-sharded-profile-" + id();
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateAuthority\nmetadata:\n  name: " + Ca() +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  type: Root\n  subject:\n    commonName: E2E Sharded " + id() +
        "\n  keyAlgorithm: ECDSA-P256\n  duration: 8760h\n  crl:\n    maxEntriesPerShard: " +
        std::to_string(kMaxEntriesPerShard) + "\n");
  Apply(
      "apiVersion: certplane.io/v1alpha1\nkind: CertificateTemplate\nmetadata:\n  name: " + tmpl +
      "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  subject:\n    commonName:\n      allowed: [\"*.example.com\"]\n"
      "  keyAlgorithms: [ECDSA-P256]\n  defaultDuration: 720h\n  maxDuration: 720h\n");
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateProfile\nmetadata:\n  name: " + profile +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  caRef: {name: " + Ca() + "}\n  templateRef: {name: " + tmpl +
        "}\n  enrollment: {api: {}}\n");
  ASSERT_TRUE(WaitReady("cpca/" + Ca(), true));
  ASSERT_TRUE(WaitReady("cpprofile/" + profile, true));

  ApplyCertificates(profile, false);
  ASSERT_TRUE(
      Eventually([&] { return CountReady() == kCertificates; }, std::chrono::seconds(600), std::chrono::seconds(2)))
      << CountReady() << " Ready; log: " << ControllerLogPath();

  ApplyCertificates(profile, true);
  ASSERT_TRUE(
      Eventually([&] { return Get("cpca/" + Ca(), "{.status.crl.entries}", true) == std::to_string(kCertificates); },
                 std::chrono::seconds(600), std::chrono::seconds(2)))
      << "CRL entries: " << Get("cpca/" + Ca(), "{.status.crl.entries}", true) << "; log: " << ControllerLogPath();

  // Every ConfigMap fits (the API server's limit is 1 MiB of data).
  CommandResult cms =
      Kubectl({"get", "configmaps", "-n", ControllerNamespace(), "-l", "certplane.io/ca-name=" + Ca(), "-o", "json"});
  auto config_maps = nlohmann::json::parse(cms.output)["items"];
  ASSERT_GE(config_maps.size(), 2u) << "5,000 revocations at 500 per shard must shard";
  const std::string ca_pem = Get("cpca/" + Ca(), "{.status.certificate}", true);
  auto ca_cert = pki::ParseCertificatePem(ca_pem);
  ASSERT_TRUE(ca_cert.ok());
  std::size_t largest = 0;
  for (const auto& cm : config_maps) {
    std::size_t bytes = 0;
    for (const auto& [k, v] : cm["data"].items()) bytes += v.get<std::string>().size();
    for (const auto& [k, v] : cm["binaryData"].items()) bytes += v.get<std::string>().size();
    largest = std::max(largest, bytes);
    EXPECT_LT(bytes, 1024u * 1024u) << cm["metadata"]["name"];
  }
  std::printf("[ measured ] %zu shards; largest ConfigMap %zu bytes\n", config_maps.size(), largest);

  // Each certificate's distribution point names a shard whose CRL (over HTTP) verifies,
  // names that URL in a critical IssuingDistributionPoint, and lists its serial.
  CommandResult secrets = Kubectl({"get", "secrets", "-n", ns(), "-o", "json"});
  std::map<std::string, pki::Crl> crls;  // by URL
  int checked = 0;
  std::map<std::string, std::string> sample_secret_of_url;
  const nlohmann::json secret_list = nlohmann::json::parse(secrets.output);
  for (const auto& secret : secret_list["items"]) {
    auto pem = kube::Base64Decode(secret["data"].value("tls.crt", ""));
    ASSERT_TRUE(pem.has_value());
    auto chain = pki::ParseCertificateChainPem(*pem);
    ASSERT_TRUE(chain.ok() && !chain->empty());
    const pki::Certificate& leaf = chain->front();
    auto dps = leaf.crl_distribution_points();
    ASSERT_EQ(dps.size(), 1u);
    const std::string& url = dps[0];
    if (!crls.count(url)) {
      const std::string path = tmp_.path() + "/shard.crl";
      CommandResult got = RunTool({"curl", "-fsS", "-o", path, url});
      ASSERT_EQ(got.exit_code, 0) << url << ": " << got.output;
      std::string der = ReadFile(path);
      auto crl = pki::ParseCrlDer(pki::ByteView(reinterpret_cast<const std::uint8_t*>(der.data()), der.size()));
      ASSERT_TRUE(crl.ok()) << url << ": " << crl.status().ToString();
      EXPECT_TRUE(crl->VerifySignature(*ca_cert).ok()) << url;
      ASSERT_TRUE(crl->distribution_point().has_value()) << url << " has no IssuingDistributionPoint";
      EXPECT_THAT(crl->distribution_point()->uris, ::testing::Contains(url));
      crls.emplace(url, std::move(*crl));
      sample_secret_of_url[url] = secret["metadata"]["name"];
    }
    EXPECT_TRUE(crls.at(url).Find(leaf.serial()).has_value()) << leaf.serial().ToHex() << " missing from " << url;
    ++checked;
  }
  EXPECT_EQ(checked, kCertificates);
  EXPECT_EQ(crls.size(), config_maps.size()) << "every shard is named by some certificate";
  std::size_t total = 0;
  for (const auto& [url, crl] : crls) total += crl.size();
  EXPECT_EQ(total, static_cast<std::size_t>(kCertificates)) << "each serial is on exactly one shard";

  // openssl agrees, shard by shard, following each certificate's distribution point.
  for (const auto& [url, secret] : sample_secret_of_url) {
    std::string dir = SaveTlsSecret(secret);
    CommandResult r =
        RunTool({"openssl", "verify", "-crl_check", "-crl_download", "-CAfile", dir + "/ca.crt", dir + "/tls.crt"});
    EXPECT_NE(r.exit_code, 0) << url;
    EXPECT_THAT(r.output, HasSubstr("certificate revoked")) << url;
    CommandResult text = RunTool({"openssl", "crl", "-inform", "DER", "-noout", "-text", "-in", [&] {
                                    RunTool({"curl", "-fsS", "-o", dir + "/shard.crl", url});
                                    return dir + "/shard.crl";
                                  }()});
    EXPECT_THAT(text.output, HasSubstr("X509v3 Issuing Distribution Point: critical")) << url;
  }
}

}  // namespace
}  // namespace certplane::testing

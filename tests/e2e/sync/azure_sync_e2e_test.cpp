// A CertificateSync to Azure Key Vault through the controller: the Key Vault test server
// (tests/support/key_vault_server: it follows the REST reference, it is not Azure) over
// HTTPS on loopback, trusted through the sync's caBundle, its Entra ID-like authority
// through auth.authorityHost; Azure's own Python SDK reads back what arrived.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "free_port.h"
#include "operator_fixture.h"
#include "pki/certificate.h"

namespace certplane::testing {
namespace {

constexpr const char* kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
constexpr const char* kClientId = "5b1e0d6c-0000-4000-8000-000000000002";
constexpr const char* kClientSecret = "e2e-client-secret~value";

// The SHA-256 of the leaf's DER (the first certificate of a PEM chain), lower-case hex.
std::string LeafSha256(const std::string& chain_pem) {
  Result<pki::Certificate> leaf = pki::ParseCertificatePem(chain_pem);
  EXPECT_TRUE(leaf.ok()) << leaf.status();
  return leaf.ok() ? leaf->sha256_fingerprint() : std::string();
}

std::string Python() { return RequireEnv("CERTPLANE_PYTHON_TOOLS_DIR") + "/bin/python"; }

class AzureSyncE2E : public OperatorE2E {
 protected:
  void SetUp() override {
    OperatorE2E::SetUp();
    // A test CA and a certificate for 127.0.0.1 that the server presents.
    CommandResult ca = RunShell(
        "set -e; cd '" + tmp_.path() +
        "'; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt "
        "-subj /CN=certplane-kv-e2e-ca -days 2 -addext basicConstraints=critical,CA:true "
        "-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null; "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr "
        "-subj /CN=127.0.0.1 2>/dev/null; "
        "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:false\\nextendedKeyUsage=serverAuth\\n' > ext; "
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 "
        "-extfile ext 2>/dev/null");
    ASSERT_EQ(ca.exit_code, 0) << ca.output;
    port_ = FreeLoopbackPort();
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{Python(), CERTPLANE_KEY_VAULT_SERVER, "--port", std::to_string(port_), "--cert",
                                 tmp_.File("server.crt"), "--key", tmp_.File("server.key"), "--tenant", kTenant,
                                 "--client-id", kClientId, "--client-secret", kClientSecret, "--ttl-seconds", "600"});
    ASSERT_TRUE(server_->WaitForLine("listening on https://127.0.0.1:", std::chrono::seconds(30)));
    Apply("apiVersion: v1\nkind: Secret\nmetadata:\n  name: azure-credentials\n  namespace: " + ns() +
          "\nstringData:\n  tenantID: " + kTenant + "\n  clientID: " + kClientId +
          "\n  clientSecret: " + kClientSecret + "\n");
    profile_ = MakeIssuer();
  }

  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_); }

  // read_back.py (Azure's SDK) `args`; the JSON it printed last.
  nlohmann::json ReadBack(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {Python(), CERTPLANE_KEY_VAULT_READ_BACK};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = RunTool(
        argv,
        {.extra_env = {"KV_URL=" + Url(), std::string("KV_TENANT=") + kTenant, std::string("KV_CLIENT_ID=") + kClientId,
                       std::string("KV_CLIENT_SECRET=") + kClientSecret, "KV_CA_FILE=" + tmp_.File("ca.crt")}});
    const std::size_t start = r.output.rfind("\n{");
    nlohmann::json out =
        nlohmann::json::parse(start == std::string::npos ? r.output : r.output.substr(start + 1), nullptr, false);
    if (!out.is_object()) out = {{"exit_code", r.exit_code}, {"output", r.output}};
    return out;
  }

  std::string Entry(const std::string& field) {
    return Get("cpsync/to-vault", "{.status.certificates[?(@.name==\"portal\")]." + field + "}");
  }

  int port_ = 0;
  std::unique_ptr<ChildProcess> server_;
  std::string profile_;
};

TEST_F(AzureSyncE2E, KeyVaultGetsANewVersionPerRenewalThatAzuresSdkReadsAndLosesItWhenTheSyncGoes) {
  Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: portal\n  namespace: " + ns() +
        "\nspec:\n  profileRef:\n    name: " + profile_ +
        "\n  secretName: portal-tls\n  commonName: portal.example.com\n  dnsNames: [portal.example.com]\n");
  ASSERT_TRUE(WaitReady("cpcert/portal"));
  // The sync trusts the server's CA through caBundle, as for a private endpoint.
  const std::string ca_pem = ReadFile(tmp_.File("ca.crt"));
  std::string indented;
  for (std::size_t i = 0; i < ca_pem.size();) {
    std::size_t j = ca_pem.find('\n', i);
    if (j == std::string::npos) j = ca_pem.size();
    indented += "    " + ca_pem.substr(i, j - i) + "\n";
    i = j + 1;
  }
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateSync\nmetadata:\n  name: to-vault\n  namespace: " + ns() +
        "\nspec:\n  certificates:\n    names: [portal]\n  azureKeyVault:\n    vaultURL: " + Url() +
        "\n    tags: {team: portal}\n    auth:\n      secretRef: {name: azure-credentials}\n      authorityHost: " +
        Url() + "\n  caBundle: |\n" + indented);
  ASSERT_TRUE(WaitReady("cpsync/to-vault")) << Get("cpsync/to-vault", "{.status}");
  const std::string uid = Get("cpcert/portal", "{.metadata.uid}");
  const std::string name = ns() + "-portal-" + uid;
  EXPECT_EQ(Entry("destinationID"), Url() + "/certificates/" + name + "/" + Entry("version"));

  nlohmann::json shown = ReadBack({"show", name});
  ASSERT_TRUE(shown.contains("id")) << shown.dump();
  EXPECT_EQ(shown["id"], Entry("destinationID"));
  EXPECT_EQ(shown["tags"]["certplane.io/certificate-uid"], uid);
  EXPECT_EQ(shown["tags"]["team"], "portal");
  const std::string leaf_sha256 = LeafSha256(SecretData("portal-tls", "tls.crt"));
  EXPECT_EQ(shown["cer_sha256"], leaf_sha256);

  // A renewal is a new version of the same certificate.
  const std::string first_version = Entry("version");
  const std::string old_serial = Get("cpcert/portal", "{.status.serialNumber}");
  Kubectl(
      {"annotate", "cpcert", "portal", "-n", ns(), "--overwrite", "certplane.io/renew-requested-at=" + NowRfc3339()});
  ASSERT_TRUE(Eventually(
      [&] {
        const std::string serial = Get("cpcert/portal", "{.status.serialNumber}");
        return serial != old_serial && Entry("serialNumber") == serial;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(500)))
      << Get("cpsync/to-vault", "{.status}");
  EXPECT_NE(Entry("version"), first_version);
  nlohmann::json renewed = ReadBack({"show", name});
  EXPECT_EQ(renewed["version"], Entry("version"));
  EXPECT_EQ(renewed["cer_sha256"], LeafSha256(SecretData("portal-tls", "tls.crt")));
  EXPECT_EQ(renewed["versions"].size(), 2u) << renewed.dump();

  // The sync goes, and the certificate with it (deleted and purged).
  Kubectl({"delete", "cpsync", "to-vault", "-n", ns(), "--wait=true", "--timeout=60s"});
  nlohmann::json missing = ReadBack({"missing", name});
  EXPECT_NE(missing.dump().find("ResourceNotFoundError"), std::string::npos) << missing.dump();
}

}  // namespace
}  // namespace certplane::testing

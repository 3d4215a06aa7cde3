// KeyVaultDestination end to end over HTTPS: certplane's transport and Entra ID client
// credential against the Key Vault test server (tests/support/key_vault_server), read
// back with Azure's own Python SDK (read_back.py) as an independent client.
//
// One server for the suite, on a free loopback port, with a test CA made by the openssl
// CLI; each test uses its own certificate names. The ChildProcess handle stops the server
// when the suite ends, whatever happened, and the server's --ttl-seconds stops it if the
// test binary itself is killed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "free_port.h"
#include "pki/certificate.h"
#include "process.h"
#include "sync/azure/key_vault.h"
#include "sync/azure/token.h"
#include "sync/https_transport.h"
#include "test_files.h"
#include "test_material.h"

namespace certplane::sync::azure {
namespace {

using testing::FailsWith;
using ::testing::HasSubstr;
using testing::MakeMaterial;
using ::testing::Not;
using json = nlohmann::json;

constexpr const char* kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
constexpr const char* kClientId = "5b1e0d6c-0000-4000-8000-000000000001";
constexpr const char* kClientSecret = "test-client-secret~value";
// The one client_assertion the server accepts (a workload identity token stands here).
constexpr const char* kAssertion = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2VydHBsYW5lIn0.c2ln";

std::string Python() {
  const char* dir = std::getenv("CERTPLANE_PYTHON_TOOLS_DIR");
  return dir == nullptr ? std::string() : std::string(dir) + "/bin/python";
}

std::string StripLeadingZeros(std::string hex) {
  const std::size_t first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

class KeyVaultServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(std::filesystem::exists(Python()))
        << "no Python test tools at " << Python() << ": run hack/install-deps.sh";
    dir_ = new certplane::testing::TempDir;
    // A test CA and a server certificate for 127.0.0.1, by the openssl CLI.
    const std::string make_ca =
        "set -e; cd '" + dir_->path() +
        "'; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt "
        "-subj /CN=certplane-kv-test-ca -days 2 -addext basicConstraints=critical,CA:true "
        "-addext keyUsage=critical,keyCertSign,cRLSign; "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr "
        "-subj /CN=127.0.0.1; "
        "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:false\\nextendedKeyUsage=serverAuth\\n' > ext; "
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 "
        "-extfile ext";
    certplane::testing::CommandResult ca = certplane::testing::RunShell(make_ca);
    ASSERT_EQ(ca.exit_code, 0) << ca.output;
    port_ = certplane::testing::FreeLoopbackPort();
    server_ = new certplane::testing::ChildProcess(
        {Python(), CERTPLANE_KEY_VAULT_SERVER, "--port", std::to_string(port_), "--cert", dir_->File("server.crt"),
         "--key", dir_->File("server.key"), "--tenant", kTenant, "--client-id", kClientId, "--client-secret",
         kClientSecret, "--client-assertion", kAssertion, "--ttl-seconds", "600"});
    ASSERT_TRUE(server_->WaitForLine("listening on https://127.0.0.1:", std::chrono::seconds(30)))
        << "the Key Vault test server did not start";
  }

  static void TearDownTestSuite() {
    delete server_;  // stops and reaps it
    server_ = nullptr;
    delete dir_;  // removes it
    dir_ = nullptr;
  }

  static std::string Url() { return "https://127.0.0.1:" + std::to_string(port_); }

  void SetUp() override {
    transport_ = std::make_unique<HttpsTransport>(HttpsTransportOptions{
        .ca_bundle_pem = certplane::testing::ReadFile(dir_->File("ca.crt")), .timeout = std::chrono::seconds(20)});
    tokens_ = MakeCredential(kClientSecret);
  }

  std::unique_ptr<ClientSecretCredential> MakeCredential(const std::string& secret) {
    return std::make_unique<ClientSecretCredential>(
        *transport_,
        AzureCredentialOptions{
            .tenant_id = kTenant, .client_id = kClientId, .authority = Url(), .scope = *KeyVaultScope(Url())},
        SensitiveString(secret));
  }

  KeyVaultDestination Destination(KeyVaultOptions::Format format = KeyVaultOptions::Format::kPkcs12,
                                  AzureTokenProvider* tokens = nullptr) {
    KeyVaultOptions options;
    options.vault_url = Url();
    options.format = format;
    options.tags = {{"team", "payments"}};
    options.poll_interval = std::chrono::milliseconds(100);
    return KeyVaultDestination(*transport_, tokens != nullptr ? *tokens : *tokens_, std::move(options));
  }

  // Runs read_back.py; its stdout and stderr in *output.
  static int ReadBack(const std::vector<std::string>& args, std::string* output) {
    std::vector<std::string> argv = {Python(), CERTPLANE_KEY_VAULT_READ_BACK};
    argv.insert(argv.end(), args.begin(), args.end());
    certplane::testing::CommandResult r = certplane::testing::RunTool(
        argv,
        {.extra_env = {"KV_URL=" + Url(), std::string("KV_TENANT=") + kTenant, std::string("KV_CLIENT_ID=") + kClientId,
                       std::string("KV_CLIENT_SECRET=") + kClientSecret, "KV_CA_FILE=" + dir_->File("ca.crt")}});
    *output = r.output;
    return r.exit_code;
  }

  // What the SDK sees of `name` (read_back.py show).
  static json Show(const std::string& name) {
    std::string output;
    const int code = ReadBack({"show", name}, &output);
    EXPECT_EQ(code, 0) << output;
    // The JSON is the last line; anything before it is the SDK's warnings.
    const std::size_t start = output.rfind("\n{");
    json shown = json::parse(start == std::string::npos ? output : output.substr(start + 1), nullptr, false);
    EXPECT_TRUE(shown.is_object()) << output;
    return shown;
  }

  static std::string LeafSha256(const CertificateMaterial& m) {
    return pki::ParseCertificatePem(m.certificate_pem)->sha256_fingerprint();
  }
  static std::string LeafKeySha256(const CertificateMaterial& m) {
    return pki::ParseCertificatePem(m.certificate_pem)->public_key()->Sha256Fingerprint();
  }

  void ExpectPushedAndReadBack(KeyVaultOptions::Format format, const std::string& name,
                               const std::string& content_type) {
    KeyVaultDestination kv = Destination(format);
    const CertificateMaterial m = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
    SyncResult<PushResult> pushed =
        kv.Push({.certificate_uid = "uid-" + name, .certificate = "shop/" + name, .name = name, .known_id = ""}, m);
    ASSERT_TRUE(pushed.ok()) << pushed.error().status;
    EXPECT_EQ(pushed->id, Url() + "/certificates/" + name + "/" + pushed->version);
    EXPECT_FALSE(pushed->adopted);

    json shown = Show(name);
    EXPECT_EQ(shown["id"], pushed->id);
    EXPECT_EQ(shown["cer_sha256"], LeafSha256(m));
    EXPECT_EQ(shown["tags"]["certplane.io/certificate-uid"], "uid-" + name);
    EXPECT_EQ(shown["tags"]["certplane.io/certificate"], "shop/" + name);
    EXPECT_EQ(shown["tags"]["certplane.io/serial"], m.serial_hex);
    EXPECT_EQ(shown["tags"]["team"], "payments");
    EXPECT_EQ(shown["versions"], json::array({pushed->version}));
    EXPECT_EQ(shown["secret_content_type"], content_type);
    EXPECT_EQ(shown["secret_key_spki_sha256"], LeafKeySha256(m));
    EXPECT_EQ(shown["secret_leaf_spki_sha256"], LeafKeySha256(m));
  }

  static certplane::testing::TempDir* dir_;
  static int port_;
  static certplane::testing::ChildProcess* server_;
  std::unique_ptr<HttpsTransport> transport_;
  std::unique_ptr<ClientSecretCredential> tokens_;
};

certplane::testing::TempDir* KeyVaultServerTest::dir_ = nullptr;
int KeyVaultServerTest::port_ = 0;
certplane::testing::ChildProcess* KeyVaultServerTest::server_ = nullptr;

PushTarget Target(const std::string& name, const std::string& uid = "") {
  return {.certificate_uid = uid.empty() ? "uid-" + name : uid,
          .certificate = "shop/" + name,
          .name = name,
          .known_id = ""};
}

TEST_F(KeyVaultServerTest, PushesPkcs12ThatTheSdkReadsBackWithItsKey) {
  ExpectPushedAndReadBack(KeyVaultOptions::Format::kPkcs12, "web-p12", "application/x-pkcs12");
}

TEST_F(KeyVaultServerTest, PushesPemThatTheSdkReadsBackWithItsKey) {
  ExpectPushedAndReadBack(KeyVaultOptions::Format::kPem, "web-pem", "application/x-pem-file");
}

TEST_F(KeyVaultServerTest, ASecondPushMakesANewVersionThatTheSdkSeesAsLatest) {
  KeyVaultDestination kv = Destination();
  const CertificateMaterial first = MakeMaterial(pki::KeyAlgorithm::kRsa2048);
  const CertificateMaterial second = MakeMaterial(pki::KeyAlgorithm::kRsa2048);
  SyncResult<PushResult> one = kv.Push(Target("renewed"), first);
  ASSERT_TRUE(one.ok()) << one.error().status;
  SyncResult<PushResult> two = kv.Push(Target("renewed"), second);
  ASSERT_TRUE(two.ok()) << two.error().status;
  EXPECT_NE(one->version, two->version);
  EXPECT_TRUE(two->adopted);

  json shown = Show("renewed");
  EXPECT_EQ(shown["version"], two->version);
  EXPECT_EQ(shown["serial_hex"], StripLeadingZeros(second.serial_hex));
  EXPECT_EQ(shown["tags"]["certplane.io/serial"], second.serial_hex);
  EXPECT_THAT(shown["versions"].get<std::vector<std::string>>(),
              ::testing::UnorderedElementsAre(one->version, two->version));
}

TEST_F(KeyVaultServerTest, RemovePurgesSoTheSdkFindsNothingAndTheNameCanBeReused) {
  KeyVaultDestination kv = Destination();
  ASSERT_TRUE(kv.Push(Target("removed"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256)).ok());
  SyncStatus removed = kv.Remove(Target("removed"));
  ASSERT_TRUE(removed.ok()) << removed.error().status;

  std::string output;
  EXPECT_EQ(ReadBack({"missing", "removed"}, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("ResourceNotFoundError"));
  // Purged, not only soft-deleted: the same name imports again without a conflict.
  SyncResult<PushResult> again = kv.Push(Target("removed"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256));
  ASSERT_TRUE(again.ok()) << again.error().status;
  EXPECT_FALSE(again->adopted);
  // Removing twice is fine.
  EXPECT_TRUE(kv.Remove(Target("removed")).ok());
  EXPECT_TRUE(kv.Remove(Target("removed")).ok());
}

TEST_F(KeyVaultServerTest, AWrongClientSecretIsUnauthenticatedWithTheAadstsMessage) {
  std::unique_ptr<ClientSecretCredential> wrong = MakeCredential("not-the-secret");
  KeyVaultDestination kv = Destination(KeyVaultOptions::Format::kPkcs12, wrong.get());
  SyncResult<PushResult> pushed = kv.Push(Target("wrong-secret"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256));
  EXPECT_THAT(pushed, FailsWith(StatusCode::kUnauthenticated,
                                "invalid_client: AADSTS7000215: Invalid client secret provided."));
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().code, "invalid_client");
  EXPECT_THAT(pushed.error().status.message(), Not(HasSubstr("not-the-secret")));
}

TEST_F(KeyVaultServerTest, AWorkloadIdentityAssertionGetsATokenThatPushes) {
  int reads = 0;
  ClientAssertionCredential federated(
      *transport_,
      AzureCredentialOptions{
          .tenant_id = kTenant, .client_id = kClientId, .authority = Url(), .scope = *KeyVaultScope(Url())},
      [&]() -> Result<SensitiveString> {
        ++reads;
        return SensitiveString(kAssertion);
      });
  KeyVaultDestination kv = Destination(KeyVaultOptions::Format::kPkcs12, &federated);
  SyncResult<PushResult> pushed = kv.Push(Target("federated"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP384));
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(Show("federated")["version"], pushed->version);
}

TEST_F(KeyVaultServerTest, ARefusedAssertionIsUnauthenticatedWithTheAadstsMessage) {
  ClientAssertionCredential federated(
      *transport_,
      AzureCredentialOptions{
          .tenant_id = kTenant, .client_id = kClientId, .authority = Url(), .scope = *KeyVaultScope(Url())},
      []() -> Result<SensitiveString> { return SensitiveString("eyJhbGciOiJub25lIn0.e30.forged"); });
  KeyVaultDestination kv = Destination(KeyVaultOptions::Format::kPkcs12, &federated);
  SyncResult<PushResult> pushed = kv.Push(Target("forged"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256));
  EXPECT_THAT(pushed, FailsWith(StatusCode::kUnauthenticated,
                                "invalid_client: AADSTS700027: Client assertion failed signature validation."));
  ASSERT_FALSE(pushed.ok());
  EXPECT_THAT(pushed.error().status.message(), Not(HasSubstr("forged")));
}

TEST_F(KeyVaultServerTest, ATenantTheAuthorityDoesNotKnowIsReportedInItsWords) {
  ClientSecretCredential other(*transport_,
                               AzureCredentialOptions{.tenant_id = "00000000-0000-0000-0000-00000000beef",
                                                      .client_id = kClientId,
                                                      .authority = Url(),
                                                      .scope = *KeyVaultScope(Url())},
                               SensitiveString(kClientSecret));
  KeyVaultDestination kv = Destination(KeyVaultOptions::Format::kPkcs12, &other);
  EXPECT_THAT(kv.Push(Target("other-tenant"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256)),
              FailsWith(StatusCode::kInvalidArgument,
                        "invalid_request: AADSTS90002: Tenant '00000000-0000-0000-0000-00000000beef' not found."));
}

TEST_F(KeyVaultServerTest, ANameHeldByAnotherCertificateIsRefused) {
  KeyVaultDestination kv = Destination();
  ASSERT_TRUE(kv.Push(Target("shared", "uid-first"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256)).ok());
  SyncResult<PushResult> pushed = kv.Push(Target("shared", "uid-second"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256));
  EXPECT_THAT(pushed, FailsWith(StatusCode::kFailedPrecondition,
                                "certificate shared in " + Url() +
                                    " exists and is not certplane's: it is tagged for Certificate uid uid-first"));
  EXPECT_THAT(kv.Remove(Target("shared", "uid-second")), FailsWith(StatusCode::kFailedPrecondition, "not certplane's"));
  EXPECT_EQ(Show("shared")["tags"]["certplane.io/certificate-uid"], "uid-first");
}

TEST_F(KeyVaultServerTest, ANameSomeoneElseImportedIsNeverOverwritten) {
  const CertificateMaterial theirs = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
  const std::string pem =
      dir_->Write("foreign.pem", std::string(theirs.private_key_pem.view()) + theirs.certificate_pem);
  std::string output;
  ASSERT_EQ(ReadBack({"import-foreign", "foreign", pem}, &output), 0) << output;

  KeyVaultDestination kv = Destination();
  EXPECT_THAT(kv.Push(Target("foreign"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256)),
              FailsWith(StatusCode::kFailedPrecondition,
                        "exists and is not certplane's: it has no "
                        "certplane.io/certificate-uid tag"));
  EXPECT_EQ(Show("foreign")["cer_sha256"], LeafSha256(theirs));
}

TEST_F(KeyVaultServerTest, OurSoftDeletedNameIsRecoveredThenImported) {
  KeyVaultDestination kv = Destination();
  SyncResult<PushResult> first = kv.Push(Target("recovered"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256));
  ASSERT_TRUE(first.ok()) << first.error().status;
  std::string output;
  ASSERT_EQ(ReadBack({"soft-delete", "recovered"}, &output), 0) << output;

  const CertificateMaterial next = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
  SyncResult<PushResult> pushed = kv.Push(Target("recovered"), next);
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_TRUE(pushed->adopted);
  json shown = Show("recovered");
  EXPECT_EQ(shown["version"], pushed->version);
  EXPECT_EQ(shown["cer_sha256"], LeafSha256(next));
  EXPECT_EQ(shown["versions"].size(), 2u);
}

TEST_F(KeyVaultServerTest, AnotherSoftDeletedNameIsAConflictInKeyVaultsWords) {
  KeyVaultDestination kv = Destination();
  ASSERT_TRUE(kv.Push(Target("deleted-other", "uid-other"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256)).ok());
  std::string output;
  ASSERT_EQ(ReadBack({"soft-delete", "deleted-other"}, &output), 0) << output;
  SyncResult<PushResult> pushed = kv.Push(Target("deleted-other"), MakeMaterial(pki::KeyAlgorithm::kEcdsaP256));
  EXPECT_THAT(pushed, FailsWith(StatusCode::kFailedPrecondition,
                                "Conflict: Certificate deleted-other is currently in a deleted but recoverable state, "
                                "and its name cannot be reused"));
}

}  // namespace
}  // namespace certplane::sync::azure

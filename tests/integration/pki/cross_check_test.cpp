// Cross-checks of what the PKI engine writes, with the real tools that relying parties
// use: the openssl CLI (verify with CRLs, crl -text, pkcs12 -info, req -verify), Java's
// keytool, and zlint for RFC 5280 conformance. Every test builds its artifacts with
// certplane's code, writes them to a temporary folder and runs the tool on them. A tool
// that is missing is a failure, never a skip.
#include <nlohmann/json.hpp>

#include <chrono>

#include "fixtures.h"
#include "pki/csr.h"
#include "pki/pkcs12.h"
#include "pki/verify.h"
#include "process.h"
#include "test_files.h"

namespace certplane::pki::testing {
namespace {

using namespace std::chrono_literals;
using certplane::testing::CommandResult;
using certplane::testing::FindTool;
using certplane::testing::ReadFile;
using certplane::testing::RunShell;
using certplane::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Tool(std::string_view name, std::string_view extra_dirs = "") {
  std::string path = FindTool(name, extra_dirs);
  EXPECT_FALSE(path.empty()) << name << " is not installed (see hack/install-deps.sh)";
  return path.empty() ? std::string(name) : path;
}

std::string Openssl() { return Tool("openssl"); }
std::string Keytool() { return Tool("keytool"); }
std::string Zlint() {
  const char* home = std::getenv("HOME");
  return Tool("zlint", home != nullptr ? std::string(home) + "/go/bin" : "");
}

// kNow as the Unix time openssl's -attime wants.
std::string AtTime() { return std::to_string(std::chrono::system_clock::to_time_t(kNow)); }

Crl CrlOf(const Issuer& issuer, std::vector<RevokedCertificate> revoked,
          std::optional<IssuingDistributionPoint> idp = std::nullopt) {
  CrlSpec spec;
  spec.number = 7;
  spec.this_update = kNow - 1h;
  spec.next_update = kNow + 24h;
  spec.revoked = std::move(revoked);
  spec.distribution_point = std::move(idp);
  return Must(BuildCrl(spec, issuer));
}

class EveryAlgorithm : public ::testing::TestWithParam<KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, EveryAlgorithm, ::testing::ValuesIn(kAllKeyAlgorithms),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

// ---- openssl verify ----

TEST_P(EveryAlgorithm, OpensslVerifiesTheChainInStrictMode) {
  const auto& pki = Hierarchy(GetParam());
  Certificate leaf =
      IssueLeaf(pki.intermediate, GetParam(), LeafSpec().WithKeyUsages(DefaultLeafKeyUsages(GetParam())));
  TempDir dir;
  std::string root = dir.Write("root.pem", pki.root_cert.ToPem());
  std::string intermediate = dir.Write("intermediate.pem", pki.intermediate_cert.ToPem());
  std::string leaf_pem = dir.Write("leaf.pem", leaf.ToPem());
  CommandResult r = RunShell(Openssl() + " verify -x509_strict -purpose sslserver -attime " + AtTime() + " -CAfile " +
                             root + " -untrusted " + intermediate + " " + leaf_pem);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("leaf.pem: OK"));
}

TEST_P(EveryAlgorithm, OpensslVerifyWithCrlCheckAllSeesRevocations) {
  const auto& pki = Hierarchy(GetParam());
  Certificate good = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  Certificate revoked = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  TempDir dir;
  std::string root = dir.Write("root.pem", pki.root_cert.ToPem());
  std::string intermediate = dir.Write("intermediate.pem", pki.intermediate_cert.ToPem());
  std::string root_crl = dir.Write("root.crl.pem", CrlOf(pki.root, {}).ToPem());
  std::string intermediate_crl =
      dir.Write("intermediate.crl.pem",
                CrlOf(pki.intermediate, {{revoked.serial(), kNow - 2h, RevocationReason::kKeyCompromise}}).ToPem());
  std::string base = Openssl() + " verify -x509_strict -attime " + AtTime() + " -CAfile " + root + " -untrusted " +
                     intermediate + " -CRLfile " + root_crl + " -CRLfile " + intermediate_crl;

  CommandResult ok = RunShell(base + " -crl_check_all " + dir.Write("good.pem", good.ToPem()));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_THAT(ok.output, HasSubstr("good.pem: OK"));

  CommandResult leaf_only = RunShell(base + " -crl_check " + dir.Write("good2.pem", good.ToPem()));
  EXPECT_EQ(leaf_only.exit_code, 0) << leaf_only.output;

  CommandResult bad = RunShell(base + " -crl_check_all " + dir.Write("revoked.pem", revoked.ToPem()));
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("certificate revoked"));
}

TEST(OpensslVerify, UseDeltasSeesARevocationThatOnlyTheDeltaCrlLists) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  const std::string delta_url = "http://crl.example/delta.crl";
  CertificateSpec leaf_spec = LeafSpec();
  leaf_spec.freshest_crl = {delta_url};
  Certificate old_revoked = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256, leaf_spec);
  Certificate fresh_revoked = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256, leaf_spec);
  EXPECT_FALSE(fresh_revoked.IsExtensionCritical("2.5.29.46"));

  CrlSpec base;
  base.number = 10;
  base.this_update = kNow - 2h;
  base.next_update = kNow + 24h;
  base.revoked = {{old_revoked.serial(), kNow - 3h, RevocationReason::kKeyCompromise}};
  base.freshest_crl_urls = {delta_url};
  CrlSpec delta;
  delta.number = 11;
  delta.delta_of = 10;
  delta.this_update = kNow - 1h;
  delta.next_update = kNow + 1h;
  delta.revoked = {{fresh_revoked.serial(), kNow - 90min, RevocationReason::kAffiliationChanged}};
  Crl base_crl = Must(BuildCrl(base, pki.intermediate));
  Crl delta_crl = Must(BuildCrl(delta, pki.intermediate));
  EXPECT_EQ(base_crl.delta_of(), std::nullopt);
  EXPECT_EQ(Must(ParseCrlDer(delta_crl.ToDer())).delta_of(), std::optional<std::uint64_t>(10));

  TempDir dir;
  std::string root = dir.Write("root.pem", pki.root_cert.ToPem());
  std::string intermediate = dir.Write("intermediate.pem", pki.intermediate_cert.ToPem());
  std::string base_pem = dir.Write("base.crl.pem", base_crl.ToPem());
  std::string delta_pem = dir.Write("delta.crl.pem", delta_crl.ToPem());
  std::string text = RunShell(Openssl() + " crl -noout -text -in " + delta_pem).output;
  EXPECT_THAT(text, HasSubstr("Delta CRL Indicator: critical"));
  EXPECT_THAT(RunShell(Openssl() + " crl -noout -text -in " + base_pem).output, HasSubstr("Freshest CRL"));
  std::string verify = Openssl() + " verify -attime " + AtTime() + " -crl_check -CAfile " + root + " -untrusted " +
                       intermediate + " -CRLfile " + base_pem;
  std::string leaf = dir.Write("fresh.pem", fresh_revoked.ToPem());
  CommandResult base_only = RunShell(verify + " " + leaf);
  EXPECT_EQ(base_only.exit_code, 0) << base_only.output;
  CommandResult with_delta = RunShell(verify + " -use_deltas -CRLfile " + delta_pem + " " + leaf);
  EXPECT_NE(with_delta.exit_code, 0) << with_delta.output;
  EXPECT_THAT(with_delta.output, HasSubstr("certificate revoked"));
  // The base alone lists the older revocation. (OpenSSL 3.0 with -use_deltas then takes
  // the newer delta as the complete CRL for it and says OK: a delta must repeat what a
  // relying party may not have in its base, or the base must be re-signed with it.)
  CommandResult old = RunShell(verify + " " + dir.Write("old.pem", old_revoked.ToPem()));
  EXPECT_THAT(old.output, HasSubstr("certificate revoked"));
}

TEST(OpensslVerify, AcceptsAShardedCrlOnlyForItsOwnShard) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256,
                               LeafSpec().WithCrlDistributionPoints({"http://crl.example/shard/1"}));
  TempDir dir;
  std::string root = dir.Write("root.pem", pki.root_cert.ToPem());
  std::string intermediate = dir.Write("intermediate.pem", pki.intermediate_cert.ToPem());
  std::string leaf_pem = dir.Write("leaf.pem", leaf.ToPem());
  auto verify_with = [&](const std::string& uri) {
    IssuingDistributionPoint idp;
    idp.uris = {uri};
    idp.only_user_certs = true;
    std::string crl =
        dir.Write("shard.crl.pem",
                  CrlOf(pki.intermediate, {{leaf.serial(), kNow - 2h, RevocationReason::kSuperseded}}, idp).ToPem());
    return RunShell(Openssl() + " verify -attime " + AtTime() + " -crl_check -CAfile " + root + " -untrusted " +
                    intermediate + " -CRLfile " + crl + " " + leaf_pem);
  };
  CommandResult own = verify_with("http://crl.example/shard/1");
  EXPECT_NE(own.exit_code, 0);
  EXPECT_THAT(own.output, HasSubstr("certificate revoked"));
  CommandResult other = verify_with("http://crl.example/shard/0");
  EXPECT_NE(other.exit_code, 0);
  EXPECT_THAT(other.output, HasSubstr("different CRL scope"));  // the other shard's CRL does not count
}

// ---- openssl crl -text ----

TEST_P(EveryAlgorithm, OpensslCrlPrintsEveryFieldAndVerifiesTheSignature) {
  const auto& pki = Hierarchy(GetParam());
  IssuingDistributionPoint idp;
  idp.uris = {"http://certplane.svc/crl/acme/2"};
  idp.only_user_certs = true;
  Crl crl = CrlOf(pki.intermediate,
                  {{Must(SerialNumber::FromHex("0a1b")), kNow - 3h, RevocationReason::kKeyCompromise},
                   {Must(SerialNumber::FromHex("0a1c")), kNow - 2h, RevocationReason::kUnspecified}},
                  idp);
  TempDir dir;
  Bytes der = crl.ToDer();
  for (const auto& [name, inform, data] :
       {std::tuple{"crl.pem", "PEM", crl.ToPem()}, std::tuple{"crl.der", "DER", std::string(der.begin(), der.end())}}) {
    std::string path = dir.Write(name, data);
    CommandResult r = RunShell(Openssl() + " crl -inform " + inform + " -in " + path + " -noout -text");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("Version 2 (0x1)"));
    EXPECT_THAT(r.output, HasSubstr("Issuer: O = certplane tests, CN = Test Intermediate"));
    EXPECT_THAT(r.output, HasSubstr("Last Update: Jun  1 11:00:00 2030 GMT"));
    EXPECT_THAT(r.output, HasSubstr("Next Update: Jun  2 12:00:00 2030 GMT"));
    EXPECT_THAT(r.output, HasSubstr("X509v3 CRL Number: \n                7"));
    EXPECT_THAT(r.output, HasSubstr("X509v3 Authority Key Identifier: \n"));
    EXPECT_THAT(r.output, HasSubstr("X509v3 Issuing Distribution Point: critical\n"));
    EXPECT_THAT(r.output, HasSubstr("URI:http://certplane.svc/crl/acme/2"));
    EXPECT_THAT(r.output, HasSubstr("Only User Certificates"));
    EXPECT_THAT(r.output, HasSubstr("Serial Number: 0A1B\n        Revocation Date: Jun  1 09:00:00 2030 GMT\n"
                                    "        CRL entry extensions:\n            X509v3 CRL Reason Code: \n"
                                    "                Key Compromise"));
    EXPECT_THAT(r.output, HasSubstr("Serial Number: 0A1C\n        Revocation Date: Jun  1 10:00:00 2030 GMT\n"));
  }
  CommandResult verify = RunShell(Openssl() + " crl -in " + dir.File("crl.pem") + " -noout -CAfile " +
                                  dir.Write("issuer.pem", pki.intermediate_cert.ToPem()));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("verify OK"));
}

// ---- openssl req -verify ----

TEST_P(EveryAlgorithm, OpensslVerifiesOurCsrSelfSignature) {
  CsrSpec spec;
  spec.subject.common_name = "frontend";
  spec.subject_alt_names.dns_names = {"frontend.shop.svc"};
  spec.subject_alt_names.ip_addresses = {"10.1.2.3"};
  CertificateRequest csr = Must(CreateCertificateRequest(spec, TestKey(GetParam())));
  TempDir dir;
  CommandResult r = RunShell(Openssl() + " req -verify -noout -text -in " + dir.Write("csr.pem", csr.ToPem()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("verify OK"));
  EXPECT_THAT(r.output, HasSubstr("DNS:frontend.shop.svc, IP Address:10.1.2.3"));
}

TEST(OpensslReq, OpensslsCsrParsesAndATamperedOneIsRefusedByBoth) {
  TempDir dir;
  std::string key = dir.File("key.pem");
  std::string csr_path = dir.File("csr.pem");
  CommandResult made = RunShell(
      Openssl() + " req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout " + key +
      " -subj /CN=acme-client/O=Acme -addext subjectAltName=DNS:a.example,DNS:b.example,IP:::1 -out " + csr_path);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  CommandResult der = RunShell(Openssl() + " req -in " + csr_path + " -outform DER -out " + csr_path + ".der");
  ASSERT_EQ(der.exit_code, 0) << der.output;
  const std::string der_text = ReadFile(csr_path + ".der");
  Bytes bytes(der_text.begin(), der_text.end());
  CertificateRequest csr = Must(ParseCsrDer(bytes));
  EXPECT_EQ(csr.subject().common_name, "acme-client");
  EXPECT_EQ(csr.subject_alt_names().dns_names, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(csr.subject_alt_names().ip_addresses, (std::vector<std::string>{"::1"}));
  EXPECT_EQ(csr.public_key().algorithm(), KeyAlgorithm::kEcdsaP384);

  // Change one octet of the subject (the "acme-client" CN), leaving the signature.
  std::string text(bytes.begin(), bytes.end());
  size_t at = text.find("acme-client");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'X';
  EXPECT_THAT(ParseCsrDer(bytes), IsErrorWith(StatusCode::kInvalidArgument, "self-signature does not verify"));
  CommandResult tampered =
      RunShell(Openssl() + " req -verify -noout -inform DER -in " + dir.Write("tampered.der", bytes));
  // OpenSSL 3.0's `req -verify` reports the failure but still exits 0.
  EXPECT_THAT(tampered.output, HasSubstr("verify failure"));
}

// ---- keys ----

// GeneratePrivateKey makes RSA keys with certplane's own prime search
// (internal/rsa_keygen.h), not OpenSSL's generator: every fresh key of every size must
// pass the openssl CLI's full key check (primality of p and q with OpenSSL's own
// rounds, n = p * q, d and the CRT values consistent).
class GeneratedRsaKeys : public ::testing::TestWithParam<KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(RsaSizes, GeneratedRsaKeys,
                         ::testing::Values(KeyAlgorithm::kRsa2048, KeyAlgorithm::kRsa3072, KeyAlgorithm::kRsa4096),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(GeneratedRsaKeys, OpensslPkeyCheckAcceptsTwentyFreshKeys) {
  constexpr int kKeys = 20;
  TempDir dir;
  for (int i = 0; i < kKeys; ++i) {
    PrivateKey key = Must(GeneratePrivateKey(GetParam()));
    std::string name = "key-" + std::to_string(i) + ".pem";
    std::string path = dir.Write(name, std::string(Must(key.ToPkcs8Pem()).view()));
    CommandResult check = RunShell(Openssl() + " pkey -in " + path + " -check -noout");
    EXPECT_EQ(check.exit_code, 0) << name << ": " << check.output;
    EXPECT_THAT(check.output, HasSubstr("Key is valid")) << name;
    if (i == 0) {  // the traditional form and openssl rsa's own check too
      std::string pkcs1 = dir.Write("key-pkcs1.pem", std::string(Must(key.ToPkcs1Pem()).view()));
      CommandResult rsa = RunShell(Openssl() + " rsa -in " + pkcs1 + " -check -noout");
      EXPECT_EQ(rsa.exit_code, 0) << rsa.output;
      EXPECT_THAT(rsa.output, HasSubstr("RSA key ok"));
    }
  }
}

TEST_P(EveryAlgorithm, OpensslReadsOurKeysAndWeReadOpensslsPublicKeyOfOurCertificate) {
  const PrivateKey& key = TestKey(GetParam());
  const auto& pki = Hierarchy(GetParam());
  TempDir dir;
  std::string pkcs8 = dir.Write("key.pem", std::string(Must(key.ToPkcs8Pem()).view()));
  CommandResult check = RunShell(Openssl() + " pkey -in " + pkcs8 + " -check -noout");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("valid"));
  if (IsRsa(GetParam())) {
    std::string pkcs1 = dir.Write("rsa.pem", std::string(Must(key.ToPkcs1Pem()).view()));
    CommandResult rsa = RunShell(Openssl() + " rsa -in " + pkcs1 + " -check -noout");
    EXPECT_EQ(rsa.exit_code, 0) << rsa.output;
    EXPECT_THAT(rsa.output, HasSubstr("RSA key ok"));
  }
  CommandResult pub = RunShell(Openssl() + " x509 -noout -pubkey -in " + dir.Write("root.pem", pki.root_cert.ToPem()));
  ASSERT_EQ(pub.exit_code, 0) << pub.output;
  EXPECT_EQ(pub.output, key.public_key().ToPem());
}

struct OpensslKeyCase {
  std::string name;
  std::string command;  // writes KEY
  KeyAlgorithm algorithm;
};

class OpensslKeys : public ::testing::TestWithParam<OpensslKeyCase> {};

INSTANTIATE_TEST_SUITE_P(
    Formats, OpensslKeys,
    ::testing::Values(OpensslKeyCase{"GenpkeyRsaPkcs8", "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out KEY",
                                     KeyAlgorithm::kRsa2048},
                      OpensslKeyCase{"GenrsaTraditionalPkcs1", "genrsa -traditional -out KEY 3072",
                                     KeyAlgorithm::kRsa3072},
                      OpensslKeyCase{"EcparamSec1WithParameters", "ecparam -name prime256v1 -genkey -out KEY",
                                     KeyAlgorithm::kEcdsaP256},
                      OpensslKeyCase{"GenpkeyP384", "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out KEY",
                                     KeyAlgorithm::kEcdsaP384},
                      OpensslKeyCase{"GenpkeyEd25519", "genpkey -algorithm ED25519 -out KEY", KeyAlgorithm::kEd25519}),
    [](const auto& info) { return info.param.name; });

TEST_P(OpensslKeys, ParseAndSignACertificateTheKeyMatches) {
  TempDir dir;
  std::string key_path = dir.File("key.pem");
  std::string command = GetParam().command;
  command.replace(command.find("KEY"), 3, key_path);
  CommandResult r = RunShell(Openssl() + " " + command);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string pem = ReadFile(key_path);
  PrivateKey key = Must(ParsePrivateKeyPem(pem));
  EXPECT_EQ(key.algorithm(), GetParam().algorithm);
  Certificate cert = Must(IssueCertificate(LeafSpec().WithKeyUsages(DefaultLeafKeyUsages(key.algorithm())),
                                           key.public_key(), Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate, kNow));
  EXPECT_TRUE(CheckKeyMatchesCertificate(key, cert).ok());
  EXPECT_THAT(CheckKeyMatchesCertificate(TestKey(KeyAlgorithm::kEcdsaP256), cert),
              IsErrorWith(StatusCode::kFailedPrecondition, "does not match"));
}

// ---- PKCS#12: openssl pkcs12 -info and keytool ----

struct Pkcs12Case {
  std::string name;
  Pkcs12Profile profile;
  std::string openssl_flags;
  std::vector<std::string> info;  // what `openssl pkcs12 -info` must print
};

class Pkcs12Interop : public ::testing::TestWithParam<Pkcs12Case> {};

INSTANTIATE_TEST_SUITE_P(
    Profiles, Pkcs12Interop,
    ::testing::Values(
        Pkcs12Case{"Modern",
                   Pkcs12Profile::kModern,
                   "",
                   {"MAC: sha256, Iteration 10000",
                    "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256",
                    "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256"}},
        Pkcs12Case{"Legacy",
                   Pkcs12Profile::kLegacy,
                   " -legacy",
                   {"MAC: sha1, Iteration 10000", "PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 10000",
                    "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 10000"}}),
    [](const auto& info) { return info.param.name; });

TEST_P(Pkcs12Interop, OpensslReadsTheKeystoreWithThePassword) {
  const auto& pki = Hierarchy(KeyAlgorithm::kRsa2048);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  Pkcs12Options options;
  options.profile = GetParam().profile;
  Bytes p12 = Must(BuildPkcs12Keystore(TestKey(KeyAlgorithm::kEcdsaP256), leaf, {pki.intermediate_cert, pki.root_cert},
                                       "s3cret-pw", options));
  TempDir dir;
  std::string path = dir.Write("keystore.p12", p12);
  CommandResult info = RunShell(Openssl() + " pkcs12" + GetParam().openssl_flags + " -info -in " + path +
                                " -passin pass:s3cret-pw -nodes");
  ASSERT_EQ(info.exit_code, 0) << info.output;
  for (const std::string& line : GetParam().info) EXPECT_THAT(info.output, HasSubstr(line));
  EXPECT_THAT(info.output, HasSubstr("friendlyName: certificate"));
  EXPECT_THAT(info.output, HasSubstr("-----BEGIN PRIVATE KEY-----"));
  EXPECT_THAT(info.output, HasSubstr("subject=CN = leaf"));
  EXPECT_THAT(info.output, HasSubstr("subject=O = certplane tests, CN = Test Intermediate RSA-2048"));
  EXPECT_THAT(info.output, HasSubstr("subject=O = certplane tests, CN = Test Root RSA-2048"));

  CommandResult wrong =
      RunShell(Openssl() + " pkcs12" + GetParam().openssl_flags + " -info -in " + path + " -passin pass:wrong -noout");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_THAT(wrong.output, HasSubstr("Mac verify error"));
}

TEST_P(Pkcs12Interop, KeytoolListsTheKeystoreEntryWithItsChain) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP384);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kRsa2048,
                               LeafSpec().WithKeyUsages(DefaultLeafKeyUsages(KeyAlgorithm::kRsa2048)));
  Pkcs12Options options;
  options.profile = GetParam().profile;
  Bytes p12 = Must(BuildPkcs12Keystore(TestKey(KeyAlgorithm::kRsa2048), leaf, {pki.intermediate_cert, pki.root_cert},
                                       "changeit", options));
  TempDir dir;
  CommandResult r = RunShell(Keytool() + " -list -v -storetype PKCS12 -storepass changeit -keystore " +
                             dir.Write("keystore.p12", p12));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Your keystore contains 1 entry"));
  EXPECT_THAT(r.output, HasSubstr("Alias name: certificate"));
  EXPECT_THAT(r.output, HasSubstr("Entry type: PrivateKeyEntry"));
  EXPECT_THAT(r.output, HasSubstr("Certificate chain length: 3"));
  EXPECT_THAT(r.output, HasSubstr("Serial number: " + leaf.serial().ToHex()));
}

TEST_P(Pkcs12Interop, KeytoolListsTheTruststoreAsTrustedCertificates) {
  Pkcs12Options options;
  options.profile = GetParam().profile;
  Bytes p12 = Must(BuildPkcs12Truststore(
      {Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert, Hierarchy(KeyAlgorithm::kEd25519).root_cert}, "changeit",
      options));
  TempDir dir;
  std::string path = dir.Write("truststore.p12", p12);
  CommandResult r = RunShell(Keytool() + " -list -storetype PKCS12 -storepass changeit -keystore " + path);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Your keystore contains 2 entries"));
  EXPECT_THAT(r.output, HasSubstr("ca, "));
  EXPECT_THAT(r.output, HasSubstr("ca-1, "));
  EXPECT_THAT(r.output, HasSubstr("trustedCertEntry"));
  EXPECT_THAT(r.output, Not(HasSubstr("PrivateKeyEntry")));
  CommandResult info = RunShell(Openssl() + " pkcs12" + GetParam().openssl_flags + " -info -in " + path +
                                " -passin pass:changeit -noout");
  EXPECT_EQ(info.exit_code, 0) << info.output;
}

// ---- zlint: RFC 5280 and friends ----

// Lint sources that apply to a private PKI. CA/Browser Forum, Mozilla, Apple and Chrome
// rules are for the public web PKI (e.g. they demand certificate policies, OCSP URLs,
// public suffixes and 398-day leaves) and do not apply.
constexpr char kLintSources[] = "RFC5280,RFC5480,RFC5891,RFC8813,RFC3279,Community";

// The lints that did not pass, as "name: result (details)".
std::vector<std::string> LintFindings(const Certificate& cert) {
  TempDir dir;
  CommandResult r = RunShell(Zlint() + " -includeSources " + kLintSources + " " + dir.Write("cert.pem", cert.ToPem()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> findings;
  nlohmann::json report = nlohmann::json::parse(r.output, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(report.is_discarded()) << r.output;
  if (report.is_discarded()) return {"unparseable zlint output"};
  for (const auto& [name, result] : report.items()) {
    std::string status = result.value("result", "");
    if (status == "pass" || status == "NA" || status == "NE") continue;
    findings.push_back(name + ": " + status +
                       (result.contains("details") ? " (" + result["details"].get<std::string>() + ")" : ""));
  }
  return findings;
}

TEST_P(EveryAlgorithm, ZlintFindsNothingInARootAnIntermediateAndALeaf) {
  const auto& pki = Hierarchy(GetParam());
  Certificate leaf = IssueLeaf(pki.intermediate, GetParam(),
                               LeafSpec()
                                   .WithKeyUsages(DefaultLeafKeyUsages(GetParam()))
                                   .WithIps({"10.0.0.1", "fd00::1"})
                                   .WithUris({"spiffe://cluster.local/ns/shop/sa/frontend"})
                                   .WithEmails({"ops@acme.example"})
                                   .WithCrlDistributionPoints({"http://certplane.certplane.svc/crl/acme"})
                                   .WithOcsp({"http://certplane.certplane.svc/ocsp"})
                                   .WithCaIssuers({"http://certplane.certplane.svc/ca/acme.crt"}));
  Certificate sans_only = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256, LeafSpec().WithSubject({}));
  EXPECT_THAT(LintFindings(pki.root_cert), ::testing::IsEmpty()) << "root";
  EXPECT_THAT(LintFindings(pki.intermediate_cert), ::testing::IsEmpty()) << "intermediate";
  EXPECT_THAT(LintFindings(leaf), ::testing::IsEmpty()) << "leaf";
  EXPECT_THAT(LintFindings(sans_only), ::testing::IsEmpty()) << "leaf with an empty subject";
}

// The negative control: a certificate that breaks a rule must produce a finding, so an
// empty result above means "conforms" and not "zlint ran no lints".
TEST(Zlint, ReportsANonCriticalKeyUsageInACertificateOpensslMade) {
  TempDir dir;
  std::string key = dir.File("key.pem");
  std::string cert_path = dir.File("cert.pem");
  CommandResult made =
      RunShell(Openssl() + " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + key +
               " -subj /CN=sloppy -days 30 -addext keyUsage=digitalSignature,keyCertSign -out " + cert_path);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::string pem = ReadFile(cert_path);
  EXPECT_THAT(LintFindings(Must(ParseCertificatePem(pem))),
              ::testing::Contains(::testing::StartsWith("w_ext_key_usage_not_critical: warn")));
}

TEST(Zlint, FindsNothingInANameConstrainedCa) {
  NameConstraints nc;
  nc.permitted.dns_domains = {"shop.svc.cluster.local"};
  nc.permitted.ip_ranges = {"10.0.0.0/8", "fd00::/8"};
  nc.permitted.email_addresses = {"acme.example"};
  nc.permitted.uri_domains = {".cluster.local"};
  nc.excluded.dns_domains = {"admin.shop.svc.cluster.local"};
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP384);
  Certificate ca =
      Must(IssueCertificate(CaSpec("Shop CA").WithNameConstraints(nc).WithPathLen(0).WithValidity(24h * 365),
                            TestKey(KeyAlgorithm::kEcdsaP256).public_key(), pki.root, kNow));
  EXPECT_THAT(LintFindings(ca), ::testing::IsEmpty());
}

}  // namespace
}  // namespace certplane::pki::testing

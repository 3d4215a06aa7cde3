#include "export_bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixtures.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "pki/pem.h"

namespace certplane::plugin {
namespace {

using pki::KeyAlgorithm;
using pki::testing::Hierarchy;
using pki::testing::IsErrorWith;
using pki::testing::IssueLeaf;
using pki::testing::Must;
using pki::testing::OtherTestKey;
using pki::testing::TestKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// What certplane writes into a Secret: tls.crt = leaf + intermediate, ca.crt = root.
struct Secret {
  pki::Certificate leaf;
  SecretMaterial material;
};

Secret MakeSecret(KeyAlgorithm algorithm, bool pkcs1 = false) {
  const pki::testing::TestHierarchy& h = Hierarchy(KeyAlgorithm::kEcdsaP256);
  pki::Certificate leaf = IssueLeaf(h.intermediate, algorithm);
  const pki::PrivateKey& key = TestKey(algorithm);
  Secret s{leaf, {}};
  s.material.tls_crt = SensitiveString(leaf.ToPem() + h.intermediate_cert.ToPem());
  s.material.tls_key = pkcs1 ? Must(key.ToPkcs1Pem()) : Must(key.ToPkcs8Pem());
  s.material.ca_crt = SensitiveString(h.root_cert.ToPem());
  return s;
}

std::vector<std::string> Names(const ExportBundle& b) {
  std::vector<std::string> out;
  for (const auto& f : b.files) out.push_back(f.name + (f.secret ? " (secret)" : ""));
  return out;
}

const ExportFile& File(const ExportBundle& b, const std::string& name) {
  for (const auto& f : b.files) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no file " << name;
  std::abort();
}

pki::ByteView Bytes(const ExportFile& f) {
  return {reinterpret_cast<const std::uint8_t*>(f.content.view().data()), f.content.size()};
}

TEST(BuildExport, PemWritesSerialLeafChainAndTheKeyAsTheSecretHasIt) {
  Secret s = MakeSecret(KeyAlgorithm::kEcdsaP256);
  const pki::testing::TestHierarchy& h = Hierarchy(KeyAlgorithm::kEcdsaP256);
  ExportBundle b = Must(BuildExport(s.material, {.format = ExportFormat::kPem}));
  EXPECT_EQ(b.serial, s.leaf.serial().ToHex());
  EXPECT_THAT(Names(b), ElementsAre("serial.txt", "tls.crt", "chain.pem", "tls.key (secret)"));
  EXPECT_EQ(File(b, "serial.txt").content.view(), s.leaf.serial().ToHex() + "\n");
  std::vector<pki::Certificate> leaf = Must(pki::ParseCertificateChainPem(File(b, "tls.crt").content.view()));
  ASSERT_EQ(leaf.size(), 1u) << "tls.crt holds the leaf only";
  EXPECT_TRUE(leaf[0] == s.leaf);
  std::vector<pki::Certificate> chain = Must(pki::ParseCertificateChainPem(File(b, "chain.pem").content.view()));
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_TRUE(chain[0] == h.intermediate_cert) << "the issuer first";
  EXPECT_TRUE(chain[1] == h.root_cert) << "the root last";
  EXPECT_EQ(File(b, "tls.key").content.view(), s.material.tls_key.view());
  EXPECT_THAT(File(b, "chain.pem").description, HasSubstr("2 certificates"));
}

TEST(BuildExport, PemKeepsAPkcs1KeyAndDerAlwaysWritesPkcs8) {
  Secret s = MakeSecret(KeyAlgorithm::kRsa2048, /*pkcs1=*/true);
  ExportBundle pem = Must(BuildExport(s.material, {.format = ExportFormat::kPem}));
  EXPECT_THAT(std::string(File(pem, "tls.key").content.view()), HasSubstr("BEGIN RSA PRIVATE KEY"));
  ExportBundle der = Must(BuildExport(s.material, {.format = ExportFormat::kDer}));
  pki::PrivateKey key = Must(pki::ParsePrivateKeyDer(Bytes(File(der, "key.der"))));
  EXPECT_TRUE(pki::CheckKeyMatchesCertificate(key, s.leaf).ok());
}

TEST(BuildExport, DerWritesOneFilePerCertificateIssuerFirst) {
  Secret s = MakeSecret(KeyAlgorithm::kEd25519);
  const pki::testing::TestHierarchy& h = Hierarchy(KeyAlgorithm::kEcdsaP256);
  ExportBundle b = Must(BuildExport(s.material, {.format = ExportFormat::kDer}));
  EXPECT_THAT(Names(b), ElementsAre("serial.txt", "certificate.der", "chain-1.der", "chain-2.der", "key.der (secret)"));
  EXPECT_TRUE(Must(pki::ParseCertificateDer(Bytes(File(b, "certificate.der")))) == s.leaf);
  EXPECT_TRUE(Must(pki::ParseCertificateDer(Bytes(File(b, "chain-1.der")))) == h.intermediate_cert);
  EXPECT_TRUE(Must(pki::ParseCertificateDer(Bytes(File(b, "chain-2.der")))) == h.root_cert);
  pki::PrivateKey key = Must(pki::ParsePrivateKeyDer(Bytes(File(b, "key.der"))));
  EXPECT_TRUE(key.public_key() == TestKey(KeyAlgorithm::kEd25519).public_key());
}

TEST(BuildExport, ARootAlsoInTlsCrtIsInTheChainOnce) {
  Secret s = MakeSecret(KeyAlgorithm::kEcdsaP256);
  const pki::testing::TestHierarchy& h = Hierarchy(KeyAlgorithm::kEcdsaP256);
  s.material.tls_crt = SensitiveString(std::string(s.material.tls_crt.view()) + h.root_cert.ToPem());
  ExportBundle b = Must(BuildExport(s.material, {.format = ExportFormat::kPem}));
  EXPECT_EQ(Must(pki::ParseCertificateChainPem(File(b, "chain.pem").content.view())).size(), 2u);
}

TEST(BuildExport, WithoutCaCrtTheChainHasTheIntermediatesOnly) {
  Secret s = MakeSecret(KeyAlgorithm::kEcdsaP256);
  s.material.ca_crt = {};
  ExportBundle b = Must(BuildExport(s.material, {.format = ExportFormat::kPem}));
  EXPECT_EQ(Must(pki::ParseCertificateChainPem(File(b, "chain.pem").content.view())).size(), 1u);
}

TEST(BuildExport, Pkcs12HoldsTheKeyLeafAndChainUnderTheAlias) {
  Secret s = MakeSecret(KeyAlgorithm::kEcdsaP384);
  ExportBundle b =
      Must(BuildExport(s.material, {.format = ExportFormat::kPkcs12, .alias = "frontend", .password = "s3cret"}));
  EXPECT_THAT(Names(b), ElementsAre("keystore.p12 (secret)"));
  pki::Pkcs12Contents p12 = Must(pki::ParsePkcs12(Bytes(File(b, "keystore.p12")), "s3cret"));
  ASSERT_TRUE(p12.key.has_value());
  ASSERT_TRUE(p12.certificate.has_value());
  EXPECT_TRUE(*p12.certificate == s.leaf);
  EXPECT_TRUE(p12.key->public_key() == TestKey(KeyAlgorithm::kEcdsaP384).public_key());
  EXPECT_EQ(p12.other_certificates.size(), 2u);
  EXPECT_THAT(File(b, "keystore.p12").description, HasSubstr("alias frontend"));
  EXPECT_THAT(pki::ParsePkcs12(Bytes(File(b, "keystore.p12")), "wrong"),
              IsErrorWith(StatusCode::kInvalidArgument, "wrong password"));
}

TEST(BuildExport, Pkcs12RefusesAnEmptyPassword) {
  Secret s = MakeSecret(KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(BuildExport(s.material, {.format = ExportFormat::kPkcs12, .password = ""}),
              IsErrorWith(StatusCode::kInvalidArgument, "building the PKCS#12 keystore: "));
}

TEST(BuildExport, RefusesAKeyThatIsNotTheLeafs) {
  Secret s = MakeSecret(KeyAlgorithm::kEcdsaP256);
  s.material.tls_key = Must(OtherTestKey(KeyAlgorithm::kEcdsaP256).ToPkcs8Pem());
  EXPECT_THAT(BuildExport(s.material, {}),
              IsErrorWith(StatusCode::kFailedPrecondition,
                          "tls.key and tls.crt: the private key does not match the certificate"));
}

TEST(BuildExport, NamesTheSecretKeyThatDoesNotParse) {
  Secret s = MakeSecret(KeyAlgorithm::kEcdsaP256);
  Secret bad_crt = MakeSecret(KeyAlgorithm::kEcdsaP256);
  bad_crt.material.tls_crt = SensitiveString("not pem");
  EXPECT_THAT(BuildExport(bad_crt.material, {}), IsErrorWith(StatusCode::kInvalidArgument, "tls.crt: "));
  Secret bad_ca = MakeSecret(KeyAlgorithm::kEcdsaP256);
  bad_ca.material.ca_crt = SensitiveString("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  EXPECT_THAT(BuildExport(bad_ca.material, {}), IsErrorWith(StatusCode::kInvalidArgument, "ca.crt: "));
  Secret no_key = MakeSecret(KeyAlgorithm::kEcdsaP256);
  no_key.material.tls_key = {};
  EXPECT_THAT(BuildExport(no_key.material, {}),
              IsErrorWith(StatusCode::kInvalidArgument, "tls.key is missing or empty"));
  Secret bad_key = MakeSecret(KeyAlgorithm::kEcdsaP256);
  bad_key.material.tls_key = SensitiveString(Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert.ToPem());
  EXPECT_THAT(BuildExport(bad_key.material, {}), IsErrorWith(StatusCode::kInvalidArgument, "tls.key: "));
}

}  // namespace
}  // namespace certplane::plugin

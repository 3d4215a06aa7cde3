#include "pki/pkcs12.h"

#include "fixtures.h"

namespace certplane::pki {
namespace {

using ::certplane::pki::testing::Hierarchy;
using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::IssueLeaf;
using ::certplane::pki::testing::Must;
using ::certplane::pki::testing::OtherTestKey;
using ::certplane::pki::testing::TestKey;

struct ProfileCase {
  std::string name;
  Pkcs12Profile profile;
};

class Pkcs12Profiles : public ::testing::TestWithParam<ProfileCase> {};

INSTANTIATE_TEST_SUITE_P(Profiles, Pkcs12Profiles,
                         ::testing::Values(ProfileCase{"Modern", Pkcs12Profile::kModern},
                                           ProfileCase{"Legacy", Pkcs12Profile::kLegacy}),
                         [](const auto& info) { return info.param.name; });

TEST_P(Pkcs12Profiles, KeystoreRoundTripsKeyCertificateAndChain) {
  const auto& pki = Hierarchy(KeyAlgorithm::kRsa2048);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  Pkcs12Options options;
  options.profile = GetParam().profile;
  Bytes p12 = Must(BuildPkcs12Keystore(TestKey(KeyAlgorithm::kEcdsaP256), leaf, {pki.intermediate_cert, pki.root_cert},
                                       "s3cret", options));
  Pkcs12Contents contents = Must(ParsePkcs12(p12, "s3cret"));
  ASSERT_TRUE(contents.key.has_value());
  ASSERT_TRUE(contents.certificate.has_value());
  EXPECT_TRUE(contents.key->public_key() == TestKey(KeyAlgorithm::kEcdsaP256).public_key());
  EXPECT_TRUE(*contents.certificate == leaf);
  ASSERT_EQ(contents.other_certificates.size(), 2u);
}

TEST_P(Pkcs12Profiles, TruststoreHoldsCertificatesOnly) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP384);
  Pkcs12Options options;
  options.profile = GetParam().profile;
  Bytes p12 = Must(BuildPkcs12Truststore({pki.root_cert, pki.intermediate_cert}, "changeit", options));
  Pkcs12Contents contents = Must(ParsePkcs12(p12, "changeit"));
  EXPECT_FALSE(contents.key.has_value());
  EXPECT_FALSE(contents.certificate.has_value());
  EXPECT_EQ(contents.other_certificates.size(), 2u);
}

TEST_P(Pkcs12Profiles, ParsingWithTheWrongPasswordFails) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP384);
  Pkcs12Options options;
  options.profile = GetParam().profile;
  Bytes p12 = Must(BuildPkcs12Truststore({pki.root_cert}, "right", options));
  EXPECT_THAT(ParsePkcs12(p12, "wrong"), IsErrorWith(StatusCode::kInvalidArgument, "wrong password or corrupted file"));
}

TEST(BuildPkcs12Keystore, RefusesAKeyThatDoesNotMatch) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEd25519);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEd25519);
  EXPECT_THAT(BuildPkcs12Keystore(OtherTestKey(KeyAlgorithm::kEd25519), leaf, {}, "pw"),
              IsErrorWith(StatusCode::kInvalidArgument, "does not match"));
}

TEST(BuildPkcs12Keystore, RefusesAnEmptyPassword) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEd25519);
  EXPECT_THAT(BuildPkcs12Keystore(TestKey(KeyAlgorithm::kEd25519), pki.root_cert, {}, ""),
              IsErrorWith(StatusCode::kInvalidArgument, "password is empty"));
}

TEST(BuildPkcs12Keystore, RefusesAPasswordWithANul) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEd25519);
  EXPECT_THAT(BuildPkcs12Keystore(TestKey(KeyAlgorithm::kEd25519), pki.root_cert, {}, std::string_view("a\0b", 3)),
              IsErrorWith(StatusCode::kInvalidArgument, "contains a NUL"));
}

TEST(BuildPkcs12Keystore, RefusesAbsurdIterationCounts) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEd25519);
  EXPECT_THAT(BuildPkcs12Keystore(TestKey(KeyAlgorithm::kEd25519), pki.root_cert, {}, "pw",
                                  testing::With<Pkcs12Options>([](auto& v) { v.iterations = 0; })),
              IsErrorWith(StatusCode::kInvalidArgument, "iterations must be within"));
}

TEST(BuildPkcs12Truststore, RefusesAnEmptyList) {
  EXPECT_THAT(BuildPkcs12Truststore({}, "pw"), IsErrorWith(StatusCode::kInvalidArgument, "at least one certificate"));
}

TEST(ParsePkcs12, RefusesGarbage) {
  EXPECT_THAT(ParsePkcs12(Bytes{0x30, 0x03, 0x02, 0x01, 0x03}, "pw"),
              IsErrorWith(StatusCode::kInvalidArgument, "malformed DER in PKCS#12"));
}

}  // namespace
}  // namespace certplane::pki

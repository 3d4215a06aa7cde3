// The pure pieces of the bundle API: reading a Secret into a bundle, its JSON and
// PKCS#12 forms, and the parsing of what the caller sent.
#include "http/routes/bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bundle_fixtures.h"
#include "pki/pkcs12.h"

namespace certplane::http {
namespace {

using namespace std::chrono_literals;
using testing::BundleHierarchy;
using ::testing::HasSubstr;
using testing::Issue;
using testing::IssuedCertificate;
using testing::LeafKey;
using ::testing::Not;

pki::ByteView AsBytes(const pki::Bytes& b) { return {b.data(), b.size()}; }

class ReadBundleTest : public ::testing::Test {
 protected:
  void ExpectUnavailable(const std::string& message_part) {
    Result<Bundle> b = ReadBundle(web_.certificate, web_.secret);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().code(), StatusCode::kUnavailable) << b.status();
    EXPECT_THAT(b.status().message(), HasSubstr("Secret shop/web-tls"));
    EXPECT_THAT(b.status().message(), HasSubstr(message_part));
    EXPECT_THAT(b.status().message(), Not(HasSubstr("PRIVATE KEY")));
  }

  IssuedCertificate web_ = Issue("shop", "web", api::ToTime(pki::testing::kNow));
};

TEST_F(ReadBundleTest, ReadsTheLeafTheChainAndTheKeyOfTheCurrentSerial) {
  Result<Bundle> b = ReadBundle(web_.certificate, web_.secret);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->ns, "shop");
  EXPECT_EQ(b->name, "web");
  EXPECT_EQ(b->profile, "web");
  EXPECT_EQ(b->serial_number, web_.leaf.serial().ToHex());
  EXPECT_EQ(b->leaf, web_.leaf);
  ASSERT_EQ(b->chain.size(), 2u);
  EXPECT_EQ(b->chain[0], BundleHierarchy().intermediate_cert);
  EXPECT_EQ(b->chain[1], BundleHierarchy().root_cert);
  EXPECT_EQ(b->key.public_key(), LeafKey().public_key());
  EXPECT_EQ(b->key_pem.view(), pki::testing::Must(LeafKey().ToPkcs8Pem()).view());
}

TEST_F(ReadBundleTest, ASecretStillHoldingThePreviousSerialIsBeingReissued) {
  web_.secret["metadata"]["annotations"][std::string(api::kSerialNumberAnnotation)] = "0badc0de";
  ExpectUnavailable("holds serial \"0badc0de\" but the Certificate's status says " +
                    web_.certificate.status.serial_number);
}

TEST_F(ReadBundleTest, ASecretWithoutTheSerialAnnotationIsBeingReissued) {
  web_.secret["metadata"].erase("annotations");
  ExpectUnavailable("being reissued");
}

TEST_F(ReadBundleTest, SerialsCompareByValueNotBySpelling) {
  std::string upper = web_.certificate.status.serial_number;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  web_.secret["metadata"]["annotations"][std::string(api::kSerialNumberAnnotation)] = "00" + upper;
  EXPECT_TRUE(ReadBundle(web_.certificate, web_.secret).ok());
}

TEST_F(ReadBundleTest, ALeafOfAnotherSerialIsBeingReissued) {
  IssuedCertificate other = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  web_.secret["data"]["tls.crt"] = other.secret["data"]["tls.crt"];
  ExpectUnavailable("tls.crt holds serial " + other.leaf.serial().ToHex());
}

TEST_F(ReadBundleTest, AKeyThatIsNotTheLeafsIsRefused) {
  web_.secret["data"]["tls.key"] = kube::Base64Encode(
      pki::testing::Must(pki::testing::OtherTestKey(pki::KeyAlgorithm::kEcdsaP256).ToPkcs8Pem()).view());
  ExpectUnavailable("tls.key is not the key of the certificate in tls.crt");
}

TEST_F(ReadBundleTest, MissingOrUnparsableDataIsRefused) {
  web_.secret["data"].erase("ca.crt");
  ExpectUnavailable("tls.crt, tls.key or ca.crt is missing");
  web_ = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  web_.secret["data"]["tls.key"] = kube::Base64Encode("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  ExpectUnavailable("tls.key does not parse");
  web_ = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  web_.secret["data"]["ca.crt"] = kube::Base64Encode("not a certificate");
  ExpectUnavailable("ca.crt: ");
}

TEST_F(ReadBundleTest, ACertificateNotYetIssuedHasNoBundle) {
  web_.certificate.status.serial_number.clear();
  ExpectUnavailable("has not been issued yet");
}

TEST(BundleJsonTest, HoldsEveryFieldInTheFormsTheyAreDocumentedIn) {
  IssuedCertificate web = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  Bundle b = pki::testing::Must(ReadBundle(web.certificate, web.secret));
  nlohmann::json j = nlohmann::json::parse(BundleJson(b));
  EXPECT_EQ(j["namespace"], "shop");
  EXPECT_EQ(j["name"], "web");
  EXPECT_EQ(j["profile"], "web");
  EXPECT_EQ(j["serialNumber"], web.leaf.serial().ToHex());
  EXPECT_EQ(j["notBefore"], api::FormatTime(api::ToTime(web.leaf.not_before())));
  EXPECT_EQ(j["notAfter"], api::FormatTime(api::ToTime(web.leaf.not_after())));
  EXPECT_EQ(pki::testing::Must(pki::ParseCertificatePem(j["certificate"].get<std::string>())), web.leaf);
  std::vector<pki::Certificate> chain =
      pki::testing::Must(pki::ParseCertificateChainPem(j["certificateChain"].get<std::string>()));
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_TRUE(web.leaf.VerifySignedBy(chain[0]).ok());
  EXPECT_TRUE(chain[0].VerifySignedBy(chain[1]).ok());
  EXPECT_TRUE(chain[1].IsSelfSigned());
  pki::PrivateKey key = pki::testing::Must(pki::ParsePrivateKeyPem(j["privateKey"].get<std::string>()));
  EXPECT_TRUE(pki::CheckKeyMatchesCertificate(key, web.leaf).ok());
  EXPECT_EQ(j.size(), 9u) << j.dump();
}

TEST(BundlePkcs12Test, OpensWithThePasswordToTheKeyTheLeafAndTheChain) {
  IssuedCertificate web = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  Bundle b = pki::testing::Must(ReadBundle(web.certificate, web.secret));
  pki::Bytes p12 = pki::testing::Must(BundlePkcs12(b, "s3cret pass"));
  pki::Pkcs12Contents contents = pki::testing::Must(pki::ParsePkcs12(AsBytes(p12), "s3cret pass"));
  ASSERT_TRUE(contents.key && contents.certificate);
  EXPECT_EQ(*contents.certificate, web.leaf);
  EXPECT_TRUE(pki::CheckKeyMatchesCertificate(*contents.key, web.leaf).ok());
  EXPECT_EQ(contents.other_certificates.size(), 2u);
  EXPECT_EQ(pki::ParsePkcs12(AsBytes(p12), "wrong").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BundlePkcs12(b, "").status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseBundleFormatTest, PemByDefaultPkcs12OnRequestAndNothingElse) {
  EXPECT_EQ(ParseBundleFormat({}).value(), BundleFormat::kPem);
  EXPECT_EQ(ParseBundleFormat({{"format", "pem"}}).value(), BundleFormat::kPem);
  EXPECT_EQ(ParseBundleFormat({{"format", "pkcs12"}}).value(), BundleFormat::kPkcs12);
  Result<BundleFormat> der = ParseBundleFormat({{"format", "der"}});
  EXPECT_EQ(der.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(der.status().message(), HasSubstr("format \"der\" is not supported: want pem or pkcs12"));
}

struct TokenCase {
  std::string name;
  std::string header;
  std::optional<std::string> want;
};

void PrintTo(const TokenCase& c, std::ostream* os) { *os << c.name; }

class BearerTokenTest : public ::testing::TestWithParam<TokenCase> {};

TEST_P(BearerTokenTest, ReadsTheToken) { EXPECT_EQ(BearerToken(GetParam().header), GetParam().want); }

INSTANTIATE_TEST_SUITE_P(Headers, BearerTokenTest,
                         ::testing::Values(TokenCase{"ABearerToken", "Bearer eyJhbGciOi.x.y", "eyJhbGciOi.x.y"},
                                           TokenCase{"TheSchemeInAnyCase", "bEaReR abc", "abc"},
                                           TokenCase{"SurroundingSpaces", "  Bearer   abc  ", "abc"},
                                           TokenCase{"NoHeader", "", std::nullopt},
                                           TokenCase{"AnotherScheme", "Basic dXNlcjpwYXNz", std::nullopt},
                                           TokenCase{"NoToken", "Bearer ", std::nullopt},
                                           TokenCase{"TheSchemeGluedToTheToken", "Bearerabc", std::nullopt},
                                           TokenCase{"TwoWords", "Bearer abc def", std::nullopt},
                                           TokenCase{"AControlCharacter", std::string("Bearer ab\x01", 10),
                                                     std::nullopt}),
                         [](const ::testing::TestParamInfo<TokenCase>& info) { return info.param.name; });

TEST(IsDnsSubdomainTest, AcceptsKubernetesNamesOnly) {
  EXPECT_TRUE(IsDnsSubdomain("shop"));
  EXPECT_TRUE(IsDnsSubdomain("web-1.example"));
  EXPECT_FALSE(IsDnsSubdomain(""));
  EXPECT_FALSE(IsDnsSubdomain("Shop"));
  EXPECT_FALSE(IsDnsSubdomain("-web"));
  EXPECT_FALSE(IsDnsSubdomain("web-"));
  EXPECT_FALSE(IsDnsSubdomain(".."));
  EXPECT_FALSE(IsDnsSubdomain("a_b"));
  EXPECT_FALSE(IsDnsSubdomain(std::string(254, 'a')));
}

}  // namespace
}  // namespace certplane::http

// The certificate Secrets as the cache holds them: reduced at decode time, their facts
// packed, and unpacked to exactly what ReadSecretFacts reads from the Secret.
#include "reconcile/cached_secrets.h"

#include <gtest/gtest.h>

#include "api/well_known.h"
#include "bundle_fixtures.h"
#include "kube/secret_data.h"
#include "reconcile/secret_facts.h"

namespace certplane::reconcile {
namespace {

using namespace std::chrono_literals;

// The Secret of http::testing::Issue as certplane writes it: its label and annotations.
nlohmann::json IssuedSecret() {
  nlohmann::json secret = http::testing::Issue("shop", "web", api::ToTime(pki::testing::kNow)).secret;
  secret["metadata"]["uid"] = "0b7c7c3e-5d8e-4c43-9b1f-3f0b8f0e2a11";
  secret["metadata"]["resourceVersion"] = "4711";
  secret["metadata"]["creationTimestamp"] = "2030-06-01T12:00:00Z";
  secret["metadata"]["labels"] = {{std::string(api::kCertificateNameLabel), "web"}, {"team", "shop"}};
  auto& a = secret["metadata"]["annotations"];
  a[std::string(api::kCaNameAnnotation)] = "issuing";
  a[std::string(api::kProfileNameAnnotation)] = "web";
  a[std::string(api::kRevisionAnnotation)] = "7";
  a[std::string(api::kCrlShardAnnotation)] = "3";
  a[std::string(api::kDurationAnnotation)] = "2160h";
  a[std::string(api::kIssuedAtAnnotation)] = "2030-01-01T00:00:07Z";
  return secret;
}

TEST(CertificateSecret, KeepsExactlyTheFactsOfTheSecretsCertificateAndKey) {
  nlohmann::json secret = IssuedSecret();
  auto decoded = DecodeCertificateSecret(secret);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const kube::ObjectMeta meta = secret["metadata"].get<kube::ObjectMeta>();
  const policy::SecretFacts want =
      ReadSecretFacts({kube::SecretDataValue(secret, "tls.crt"), kube::SecretDataValue(secret, "tls.key"),
                       kube::SecretDataValue(secret, "ca.crt")},
                      meta.annotations);
  ASSERT_TRUE(want.key_matches_certificate);  // a real certificate, so the facts are not all empty
  ASSERT_EQ(want.requested_duration, std::optional<api::Duration>(2160h));
  ASSERT_TRUE(want.issued_at.has_value());
  CertificateSecret::Contents got = decoded->Unpack();
  EXPECT_EQ(got.facts, want);
  EXPECT_EQ(got.data_keys, (std::vector<std::string>{"ca.crt", "tls.crt", "tls.key"}));
  EXPECT_EQ(decoded->Facts(), want);
}

TEST(CertificateSecret, KeepsTheOwnerRevisionAndShardAndOnlyTheKeyOfTheMetadata) {
  auto decoded = DecodeCertificateSecret(IssuedSecret());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->metadata, (kube::ObjectId{.name = "web-tls", .ns = "shop", .resource_version = "4711"}));
  EXPECT_EQ(decoded->certificate_name, "web");
  EXPECT_EQ(decoded->Revision(), 7);
  EXPECT_EQ(decoded->CrlShard(), 3);
}

TEST(CertificateSecret, ASecretCertplaneDidNotLabelHasNoOwnerRevisionOrShard) {
  nlohmann::json secret = {{"apiVersion", "v1"},
                           {"kind", "Secret"},
                           {"metadata", {{"name", "other"}, {"namespace", "shop"}, {"resourceVersion", "1"}}},
                           {"data", {{"password", "aHVudGVyMg=="}}}};
  auto decoded = DecodeCertificateSecret(secret);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->certificate_name, "");
  EXPECT_EQ(decoded->Revision(), 0);
  EXPECT_EQ(decoded->CrlShard(), 0);
  CertificateSecret::Contents got = decoded->Unpack();
  EXPECT_TRUE(got.facts.exists);
  EXPECT_FALSE(got.facts.has_certificate);
  EXPECT_EQ(got.data_keys, std::vector<std::string>{"password"});
}

TEST(CertificateSecret, ASecretWithoutMetadataDoesNotDecode) {
  auto decoded = DecodeCertificateSecret({{"kind", "Secret"}, {"data", nlohmann::json::object()}});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("Secret metadata"), std::string::npos) << decoded.status();
}

TEST(CertificateSecret, EveryFactSurvivesPacking) {
  policy::SecretFacts f;
  f.exists = true;
  f.has_certificate = true;
  f.has_private_key = true;
  f.parse_error = "tls.key: bad";
  f.key_matches_certificate = true;
  f.chain_valid = false;
  f.serial_number = "7fb7d30eed45eb486d77e84634c51e17";
  f.not_before = api::Time(std::chrono::seconds(1700000000));
  f.not_after = api::Time(std::chrono::seconds(1800000000));
  f.common_name = "web.shop.svc";
  f.subject = {.organizations = {"Shop"},
               .organizational_units = {"Web", "Edge"},
               .countries = {"DE"},
               .localities = {"Berlin"},
               .provinces = {"BE"},
               .serial_number = "42"};
  f.dns_names = {"web.shop.svc", "www.example.com"};
  f.ip_addresses = {"10.0.0.1", "::1"};
  f.uris = {"spiffe://cluster.local/ns/shop/sa/web"};
  f.email_addresses = {"ops@example.com"};
  f.key_usages = {api::KeyUsage::kDigitalSignature, api::KeyUsage::kKeyEncipherment};
  f.extended_key_usages = {api::ExtendedKeyUsage::kServerAuth, api::ExtendedKeyUsage::kClientAuth};
  f.issuer_fingerprint_sha256 = std::string(64, 'a');
  f.key_algorithm = api::KeyAlgorithm::kRsa3072;
  f.key_encoding = api::KeyEncoding::kPkcs1;
  f.profile_name = "web";
  f.ca_name = "issuing";
  f.requested_duration = 2160h;
  f.issued_at = api::Time(std::chrono::seconds(1700000007));
  const CertificateSecret::Contents contents{f, {"tls.crt", "tls.key", "keystore.p12"}};
  CertificateSecret secret({.name = "web-tls", .ns = "shop", .resource_version = "9"}, "web", 2, 1, contents);
  CertificateSecret::Contents back = secret.Unpack();
  EXPECT_EQ(back.facts, f);
  EXPECT_EQ(back.data_keys, contents.data_keys);
}

}  // namespace
}  // namespace certplane::reconcile

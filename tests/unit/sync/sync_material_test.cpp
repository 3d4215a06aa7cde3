#include "reconcile/sync_material.h"

#include <gtest/gtest.h>

#include "bundle_fixtures.h"
#include "pki/certificate.h"

namespace certplane::reconcile {
namespace {

using http::testing::Issue;

std::map<std::string, std::string> DataOf(const nlohmann::json& secret) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : secret["data"].items()) out[k] = *kube::Base64Decode(v.get<std::string>());
  return out;
}

TEST(MaterialFromSecretTest, SplitsTheLeafFromTheChainAndKeepsTheKeyAsPkcs8) {
  auto web = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  Result<sync::CertificateMaterial> m =
      MaterialFromSecret(DataOf(web.secret), web.certificate.status.serial_number, false);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->certificate_pem, web.leaf.ToPem());
  EXPECT_EQ(m->chain_pem, http::testing::BundleHierarchy().intermediate_cert.ToPem());
  EXPECT_EQ(m->ca_pem, http::testing::BundleHierarchy().root_cert.ToPem());
  EXPECT_NE(m->private_key_pem.view().find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_EQ(m->serial_hex, web.certificate.status.serial_number);
}

TEST(MaterialFromSecretTest, AppendsTheRootWhenTheSyncIncludesIt) {
  auto web = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  Result<sync::CertificateMaterial> m =
      MaterialFromSecret(DataOf(web.secret), web.certificate.status.serial_number, true);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->chain_pem, http::testing::BundleHierarchy().intermediate_cert.ToPem() +
                              http::testing::BundleHierarchy().root_cert.ToPem());
}

TEST(MaterialFromSecretTest, WaitsWhenTheSecretDoesNotHoldTheSerialYet) {
  auto web = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  Result<sync::CertificateMaterial> m = MaterialFromSecret(DataOf(web.secret), "0123", false);
  EXPECT_EQ(m.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(m.status().message().find("not 0123 yet"), std::string::npos) << m.status();
}

TEST(MaterialFromSecretTest, RefusesAKeyThatDoesNotMatchTheCertificate) {
  auto web = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  auto data = DataOf(web.secret);
  data["tls.key"] =
      std::string(pki::testing::Must(pki::testing::TestKey(pki::KeyAlgorithm::kRsa2048).ToPkcs8Pem()).view());
  Result<sync::CertificateMaterial> m = MaterialFromSecret(data, web.certificate.status.serial_number, false);
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("tls.key"), std::string::npos) << m.status();
}

TEST(MaterialFromSecretTest, RefusesASecretWithoutAKey) {
  auto web = Issue("shop", "web", api::ToTime(pki::testing::kNow));
  auto data = DataOf(web.secret);
  data.erase("tls.key");
  Result<sync::CertificateMaterial> m = MaterialFromSecret(data, web.certificate.status.serial_number, false);
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace certplane::reconcile

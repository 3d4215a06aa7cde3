#include "reconcile/serving_tls_objects.h"

#include <gtest/gtest.h>

namespace certplane::reconcile {
namespace {

using nlohmann::json;

ServingTlsSpec Spec() {
  return {.ns = "pki",
          .secret_name = "certplane-serving-tls",
          .dns_names = {"certplane.pki.svc", "certplane.pki.svc.cluster.local"},
          .duration = std::chrono::hours(2160)};
}

TEST(ServingTlsObjects, OwnCaTemplateProfileAndCertificateInTheOrderTheyAreApplied) {
  const std::vector<ServingObject> objects = ServingTlsObjects(Spec());
  ASSERT_EQ(objects.size(), 4u);
  EXPECT_EQ(objects[0].manifest["kind"], "CertificateAuthority");
  EXPECT_EQ(objects[1].manifest["kind"], "CertificateTemplate");
  EXPECT_EQ(objects[2].manifest["kind"], "CertificateProfile");
  EXPECT_EQ(objects[3].manifest["kind"], "Certificate");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(objects[i].name, "certplane-serving-pki");
    EXPECT_EQ(objects[i].ns, "") << "cluster-scoped";
    EXPECT_EQ(objects[i].manifest["metadata"]["labels"]["certplane.io/serving-tls-of"], "pki");
  }
  EXPECT_EQ(objects[3].name, "certplane-serving");
  EXPECT_EQ(objects[3].ns, "pki");
  EXPECT_EQ(objects[0].manifest["spec"]["type"], "Root");
  EXPECT_EQ(objects[0].manifest["spec"]["keyAlgorithm"], "ECDSA-P256");
}

TEST(ServingTlsObjects, TheTemplateAllowsExactlyTheServingNamesForServerAuth) {
  const json tmpl = ServingTlsObjects(Spec())[1].manifest["spec"];
  EXPECT_EQ(tmpl["subjectAltNames"]["dnsNames"]["allowed"],
            json({"certplane.pki.svc", "certplane.pki.svc.cluster.local"}));
  EXPECT_EQ(tmpl["subjectAltNames"]["ipAddresses"]["allowed"], json::array());
  EXPECT_EQ(tmpl["subjectAltNames"]["uris"]["allowed"], json::array());
  EXPECT_EQ(tmpl["subject"]["commonName"]["allowed"], json({"certplane.pki.svc"}));
  EXPECT_EQ(tmpl["extendedKeyUsages"], json({"serverAuth"}));
  EXPECT_EQ(tmpl["maxDuration"], "2160h");
}

TEST(ServingTlsObjects, TheProfileServesOnlyTheControllersNamespaceAndRenewsAfterTwoThirds) {
  const json profile = ServingTlsObjects(Spec())[2].manifest["spec"];
  EXPECT_EQ(profile["caRef"]["name"], "certplane-serving-pki");
  EXPECT_EQ(profile["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], "pki");
  EXPECT_EQ(profile["renewal"]["renewBefore"], "720h");
  EXPECT_TRUE(profile["enrollment"].contains("api"));
}

TEST(ServingTlsObjects, TheCertificateNamesTheSecretTheListenerServes) {
  const json cert = ServingTlsObjects(Spec())[3].manifest["spec"];
  EXPECT_EQ(cert["secretName"], "certplane-serving-tls");
  EXPECT_EQ(cert["profileRef"]["name"], "certplane-serving-pki");
  EXPECT_EQ(cert["commonName"], "certplane.pki.svc");
  EXPECT_EQ(cert["dnsNames"], json({"certplane.pki.svc", "certplane.pki.svc.cluster.local"}));
  EXPECT_FALSE(cert.contains("ipAddresses"));
  EXPECT_EQ(cert["duration"], "2160h");
  EXPECT_EQ(cert["privateKey"]["rotationPolicy"], "Always");
}

TEST(ServingTlsObjects, AUsersCaIsNamedAndNoneIsMade) {
  ServingTlsSpec spec = Spec();
  spec.issuer_ca = "corp-issuing";
  const std::vector<ServingObject> objects = ServingTlsObjects(spec);
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0].manifest["kind"], "CertificateTemplate");
  EXPECT_EQ(objects[1].manifest["spec"]["caRef"]["name"], "corp-issuing");
}

TEST(ServingTlsObjects, AddressesOnlyGiveTheFirstAsCommonNameSoTheSubjectIsNeverEmpty) {
  ServingTlsSpec spec = Spec();
  spec.dns_names.clear();
  spec.ip_addresses = {"127.0.0.1", "::1"};
  const std::vector<ServingObject> objects = ServingTlsObjects(spec);
  const json tmpl = objects[1].manifest["spec"];
  EXPECT_EQ(tmpl["subjectAltNames"]["ipAddresses"]["allowed"], json({"127.0.0.1/32", "::1/128"}));
  EXPECT_EQ(tmpl["subject"]["commonName"]["allowed"], json({"127.0.0.1"}));
  const json cert = objects[3].manifest["spec"];
  EXPECT_EQ(cert["commonName"], "127.0.0.1");
  EXPECT_EQ(cert["ipAddresses"], json({"127.0.0.1", "::1"}));
  EXPECT_FALSE(cert.contains("dnsNames"));
}

TEST(ServingTlsObjects, AnExplicitRenewBeforeWins) {
  ServingTlsSpec spec = Spec();
  spec.duration = std::chrono::hours(1);
  spec.renew_before = std::chrono::minutes(59) + std::chrono::seconds(30);
  EXPECT_EQ(ServingTlsObjects(spec)[2].manifest["spec"]["renewal"]["renewBefore"], "59m30s");
  EXPECT_EQ(ServingTlsObjects(spec)[3].manifest["spec"]["duration"], "1h");
}

TEST(ServingCaConfigMap, PublishesCaCrtWithTheServingLabel) {
  const json cm = ServingCaConfigMap("pki", "certplane-serving-ca", "-----BEGIN CERTIFICATE-----\n...");
  EXPECT_EQ(cm["metadata"]["name"], "certplane-serving-ca");
  EXPECT_EQ(cm["metadata"]["namespace"], "pki");
  EXPECT_EQ(cm["data"]["ca.crt"], "-----BEGIN CERTIFICATE-----\n...");
  EXPECT_EQ(cm["metadata"]["labels"]["certplane.io/serving-tls-of"], "pki");
}

}  // namespace
}  // namespace certplane::reconcile

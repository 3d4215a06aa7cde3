// The five example manifests (the API contract, examples/) decode into the API types with
// the values they spell and the defaults the CRDs give.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "api/certificate_authority_json.h"
#include "api/certificate_json.h"
#include "api/certificate_profile_json.h"
#include "api/certificate_template_json.h"
#include "yaml_json.h"

namespace certplane::api {
namespace {

using namespace std::chrono_literals;
using testing_support::YamlFileToJson;

const std::string kExamples = CERTPLANE_EXAMPLES_DIR;

nlohmann::json OnlyDocument(const std::string& file) {
  std::vector<nlohmann::json> docs = YamlFileToJson(kExamples + "/" + file);
  EXPECT_EQ(docs.size(), 1u) << file;
  return docs.at(0);
}

TEST(Examples, RootCaDecodes) {
  Result<CertificateAuthority> ca = DecodeCertificateAuthority(OnlyDocument("01-root-ca.yaml"));
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_EQ(ca->metadata.name, "example-root");
  EXPECT_EQ(ca->spec.type, CaType::kRoot);
  EXPECT_FALSE(ca->spec.parent_ref);
  EXPECT_EQ(ca->spec.subject.common_name, "Example Root CA");
  EXPECT_EQ(ca->spec.subject.organization, std::vector<std::string>{"Example Inc"});
  EXPECT_EQ(ca->spec.subject.country, std::vector<std::string>{"US"});
  EXPECT_EQ(ca->spec.key_algorithm, KeyAlgorithm::kEcdsaP384);
  EXPECT_EQ(ca->spec.duration, Duration(87600h));
  EXPECT_EQ(ca->spec.crl.validity, Duration(24h));
  EXPECT_EQ(ca->spec.crl.shards, 1);  // the CRD default
  EXPECT_FALSE(ca->spec.max_path_length);
}

TEST(Examples, IssuingCaDecodes) {
  Result<CertificateAuthority> ca = DecodeCertificateAuthority(OnlyDocument("02-issuing-ca.yaml"));
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_EQ(ca->metadata.name, "example-issuing");
  EXPECT_EQ(ca->spec.type, CaType::kIntermediate);
  ASSERT_TRUE(ca->spec.parent_ref);
  EXPECT_EQ(ca->spec.parent_ref->name, "example-root");
  EXPECT_EQ(ca->spec.subject.common_name, "Example Issuing CA 1");
  EXPECT_EQ(ca->spec.key_algorithm, KeyAlgorithm::kEcdsaP256);
  EXPECT_EQ(ca->spec.duration, Duration(43800h));
  EXPECT_EQ(ca->spec.max_path_length, 0);
  EXPECT_EQ(ca->spec.crl.validity, Duration(24h));
}

TEST(Examples, TemplateDecodes) {
  Result<CertificateTemplate> t = DecodeCertificateTemplate(OnlyDocument("03-template.yaml"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->metadata.name, "web-server");
  const CertificateTemplateSpec& s = t->spec;
  EXPECT_EQ(s.subject.common_name.allowed, (std::vector<std::string>{"*.example.com", "*.svc.cluster.local"}));
  EXPECT_FALSE(s.subject.common_name.required);
  EXPECT_EQ(s.subject.organization.allowed, std::vector<std::string>{"Example Inc"});
  EXPECT_EQ(s.subject_alt_names.dns_names.allowed,
            (std::vector<std::string>{"*.example.com", "*.svc", "*.svc.cluster.local"}));
  EXPECT_EQ(s.subject_alt_names.ip_addresses.allowed,
            (std::vector<std::string>{"10.0.0.0/8", "127.0.0.0/8", "::1/128"}));
  EXPECT_EQ(s.subject_alt_names.uris.allowed, std::vector<std::string>{"spiffe://cluster.local/ns/*/sa/*"});
  EXPECT_TRUE(s.subject_alt_names.email_addresses.allowed.empty());
  EXPECT_EQ(s.key_algorithms.size(), 6u);
  EXPECT_EQ(s.key_usages, (std::vector<KeyUsage>{KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment}));
  EXPECT_EQ(s.extended_key_usages,
            (std::vector<ExtendedKeyUsage>{ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth}));
  EXPECT_EQ(s.default_duration, Duration(720h));
  EXPECT_EQ(s.max_duration, Duration(2160h));
  EXPECT_FALSE(s.min_duration);
}

TEST(Examples, ProfileDecodes) {
  Result<CertificateProfile> p = DecodeCertificateProfile(OnlyDocument("04-profile.yaml"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->metadata.name, "web");
  EXPECT_EQ(p->spec.ca_ref.name, "example-issuing");
  EXPECT_EQ(p->spec.template_ref.name, "web-server");
  EXPECT_TRUE(p->spec.enrollment.api);
  EXPECT_FALSE(p->spec.enrollment.acme);
  EXPECT_TRUE(p->spec.renewal.auto_renew_by_default);
  EXPECT_EQ(p->spec.renewal.renew_before_days, 30);
  EXPECT_FALSE(p->spec.renewal.renew_before);
  EXPECT_EQ(p->spec.namespace_selector, LabelSelector{});
  EXPECT_FALSE(p->spec.revocation.revoke_on_delete);
  EXPECT_FALSE(p->spec.revocation.revoke_superseded_on_renewal);
}

TEST(Examples, CertificateDecodesFromTheThirdDocument) {
  std::vector<nlohmann::json> docs = YamlFileToJson(kExamples + "/05-certificate.yaml");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0]["kind"], "Namespace");
  EXPECT_EQ(docs[1]["kind"], "Secret");
  Result<Certificate> c = DecodeCertificate(docs[2]);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->metadata.name, "frontend");
  EXPECT_EQ(c->metadata.ns, "shop");
  const CertificateSpec& s = c->spec;
  EXPECT_EQ(s.profile_ref.name, "web");
  EXPECT_EQ(s.secret_name, "frontend-tls");
  EXPECT_EQ(s.common_name, "frontend.example.com");
  EXPECT_EQ(s.dns_names, (std::vector<std::string>{"frontend.example.com", "frontend.shop.svc.cluster.local"}));
  EXPECT_EQ(s.ip_addresses, std::vector<std::string>{"10.0.0.12"});
  EXPECT_EQ(s.duration, Duration(720h));
  EXPECT_EQ(s.private_key.algorithm, KeyAlgorithm::kEcdsaP256);
  EXPECT_EQ(s.private_key.rotation_policy, RotationPolicy::kAlways);
  EXPECT_EQ(s.private_key.encoding, KeyEncoding::kPkcs8);  // the CRD default
  ASSERT_TRUE(s.additional_output_formats);
  ASSERT_EQ(s.additional_output_formats->size(), 1u);
  const OutputFormat& p12 = s.additional_output_formats->front();
  EXPECT_EQ(p12.type, OutputFormatType::kPkcs12);
  EXPECT_EQ(p12.password_secret_ref, (SecretKeySelector{"frontend-p12-password", "password"}));
  EXPECT_EQ(p12.profile, Pkcs12Profile::kModern);
  EXPECT_FALSE(s.auto_renew);  // left to the profile
  EXPECT_FALSE(s.renew_before);
  EXPECT_FALSE(s.revocation);
}

TEST(Examples, SurviveAnEncodeDecodeRoundTrip) {
  Result<CertificateAuthority> root = DecodeCertificateAuthority(OnlyDocument("01-root-ca.yaml"));
  Result<CertificateAuthority> issuing = DecodeCertificateAuthority(OnlyDocument("02-issuing-ca.yaml"));
  Result<CertificateTemplate> tmpl = DecodeCertificateTemplate(OnlyDocument("03-template.yaml"));
  Result<CertificateProfile> profile = DecodeCertificateProfile(OnlyDocument("04-profile.yaml"));
  Result<Certificate> cert = DecodeCertificate(YamlFileToJson(kExamples + "/05-certificate.yaml").at(2));
  ASSERT_TRUE(root.ok() && issuing.ok() && tmpl.ok() && profile.ok() && cert.ok());

  EXPECT_EQ(*DecodeCertificateAuthority(EncodeCertificateAuthority(*root)), *root);
  EXPECT_EQ(*DecodeCertificateAuthority(EncodeCertificateAuthority(*issuing)), *issuing);
  EXPECT_EQ(*DecodeCertificateTemplate(EncodeCertificateTemplate(*tmpl)), *tmpl);
  EXPECT_EQ(*DecodeCertificateProfile(EncodeCertificateProfile(*profile)), *profile);
  EXPECT_EQ(*DecodeCertificate(EncodeCertificate(*cert)), *cert);
}

}  // namespace
}  // namespace certplane::api

// Encoding: what goes back to the API server (status writes, created objects).
#include <gtest/gtest.h>

#include <chrono>

#include "api/certificate_authority_json.h"
#include "api/certificate_json.h"
#include "api/certificate_profile_json.h"
#include "api/certificate_template_json.h"
#include "api/merge_patch.h"

namespace certplane::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const Time kT0 = Time{std::chrono::sys_days{std::chrono::year{2030} / 1 / 1}};

Certificate FullCertificate() {
  Certificate c;
  c.metadata = {.name = "frontend",
                .ns = "shop",
                .uid = "u1",
                .resource_version = "7",
                .generation = 2,
                .creation_timestamp = FormatTime(kT0),
                .deletion_timestamp = FormatTime(kT0 + 2h),
                .labels = {{"app", "web"}},
                .annotations = {{"a", "b"}},
                .owner_references = {{"v1", "Thing", "t", "u0", true, false}},
                .finalizers = {"certplane.io/revoke-on-delete"}};
  c.spec.profile_ref.name = "web";
  c.spec.secret_name = "frontend-tls";
  c.spec.common_name = "frontend.example.com";
  c.spec.subject = {{"Example Inc"}, {"Web"}, {"US"}, {"Springfield"}, {"Oregon"}, "device-7"};
  c.spec.dns_names = {"frontend.example.com"};
  c.spec.ip_addresses = {"10.0.0.12", "fd00::1"};
  c.spec.uris = {"spiffe://cluster.local/ns/shop/sa/frontend"};
  c.spec.email_addresses = {"ops@example.com"};
  c.spec.duration = 720h;
  c.spec.renew_before = 59min + 50s;
  c.spec.auto_renew = false;
  c.spec.private_key = {KeyAlgorithm::kRsa3072, KeyEncoding::kPkcs1, RotationPolicy::kNever};
  c.spec.key_usages = {KeyUsage::kDigitalSignature};
  c.spec.extended_key_usages = {ExtendedKeyUsage::kServerAuth};
  c.spec.secret_template = {{{"l", "1"}}, {{"a", "2"}}};
  c.spec.additional_output_formats = std::vector<OutputFormat>{
      {OutputFormatType::kPkcs12, SecretKeySelector{"pw", "password"}, true, Pkcs12Profile::kLegacy},
      {OutputFormatType::kDer, std::nullopt, false, Pkcs12Profile::kModern}};
  c.spec.revocation = RevocationSpec{RevocationReason::kCertificateHold};
  c.status.conditions = {{"Ready", ConditionStatus::kTrue, "Ready", "ok", 2, kT0}};
  c.status.serial_number = "5eed";
  c.status.not_before = kT0;
  c.status.not_after = kT0 + 720h;
  c.status.renewal_time = kT0 + 480h;
  c.status.last_issuance_time = kT0;
  c.status.revision = 3;
  c.status.history = {{2, "0ld", kT0 - 720h, kT0, kT0, RevocationReason::kSuperseded}};
  c.status.revoked_at = kT0 + 1h;
  c.status.revocation_reason = RevocationReason::kCertificateHold;
  c.status.ca_name = "example-issuing";
  c.status.crl_shard = 0;
  c.status.last_failure_time = kT0 - 1h;
  c.status.failed_issuance_attempts = 1;
  c.status.observed_generation = 2;
  return c;
}

TEST(EncodeCertificate, RoundTripsEveryField) {
  const Certificate c = FullCertificate();
  Result<Certificate> back = DecodeCertificate(EncodeCertificate(c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, c);
}

// CSR enrollment: spec.csr and spec.acme instead of secretName, the chain in status.
Certificate CsrCertificate() {
  Certificate c;
  c.metadata = {.name = "order-1", .ns = "certplane-system", .generation = 1};
  c.spec.profile_ref.name = "acme";
  c.spec.csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
  c.spec.acme = AcmeOrderReference{"acct-7", "order-9"};
  c.spec.dns_names = {"a.example.com"};
  c.status.serial_number = "5eed";
  c.status.certificate = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n";
  return c;
}

TEST(EncodeCertificate, RoundTripsACsrEnrollment) {
  const Certificate c = CsrCertificate();
  const json encoded = EncodeCertificate(c);
  EXPECT_EQ(encoded["spec"]["csr"], c.spec.csr);
  EXPECT_EQ(encoded["spec"]["acme"], json::parse(R"({"account": "acct-7", "order": "order-9"})"));
  EXPECT_FALSE(encoded["spec"].contains("secretName")) << "a CSR enrollment has no Secret";
  EXPECT_EQ(encoded["status"]["certificate"], c.status.certificate);
  Result<Certificate> back = DecodeCertificate(encoded);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, c);
}

TEST(EncodeCertificateStatus, MakesAMergePatchThatLeavesAnUncachedChainAlone) {
  // The informer cache drops status.certificate; a status write made from the cached
  // copy must not clear it on the server.
  Certificate cached = CsrCertificate();
  cached.status.certificate.clear();
  CertificateStatus desired = cached.status;
  desired.revocation_reason = RevocationReason::kKeyCompromise;
  const json patch = CreateMergePatch(EncodeCertificateStatus(cached.status), EncodeCertificateStatus(desired));
  EXPECT_EQ(patch, json::parse(R"({"revocationReason": "keyCompromise"})"));
}

TEST(EncodeCertificate, WritesTypeMetaAndGoDurations) {
  const json j = EncodeCertificate(FullCertificate());
  EXPECT_EQ(j["apiVersion"], "certplane.io/v1alpha1");
  EXPECT_EQ(j["kind"], "Certificate");
  EXPECT_EQ(j["spec"]["duration"], "720h");
  EXPECT_EQ(j["spec"]["renewBefore"], "59m50s");
  EXPECT_EQ(j["spec"]["privateKey"]["algorithm"], "RSA-3072");
  EXPECT_EQ(j["spec"]["revocation"]["reason"], "certificateHold");
  EXPECT_EQ(j["status"]["notAfter"], "2030-01-31T00:00:00Z");
  EXPECT_EQ(j["status"]["crlShard"], 0);  // an optional set to 0 is written
}

TEST(EncodeCertificate, LeavesOutWhatIsEmpty) {
  Certificate c;
  c.metadata.name = "minimal";
  c.spec.profile_ref.name = "web";
  c.spec.secret_name = "s";
  c.spec.dns_names = {"a.example.com"};
  const json j = EncodeCertificate(c);
  EXPECT_EQ(j, json::parse(R"({
    "apiVersion": "certplane.io/v1alpha1", "kind": "Certificate",
    "metadata": {"name": "minimal"},
    "spec": {"profileRef": {"name": "web"}, "secretName": "s", "dnsNames": ["a.example.com"],
             "privateKey": {"algorithm": "ECDSA-P256", "encoding": "PKCS8", "rotationPolicy": "Always"}}
  })"));
}

TEST(EncodeCertificateStatus, IsTheStatusObjectAlone) {
  CertificateStatus s;
  s.serial_number = "ab";
  s.revision = 1;
  s.not_after = kT0;
  EXPECT_EQ(EncodeCertificateStatus(s), json::parse(R"({"serialNumber": "ab", "revision": 1,
                                                        "notAfter": "2030-01-01T00:00:00Z"})"));
}

TEST(EncodeCertificateStatus, MakesAMergePatchThatClearsALiftedHold) {
  Certificate before = FullCertificate();
  Certificate after = before;
  after.status.revoked_at.reset();
  after.status.revocation_reason.reset();
  const json patch = CreateMergePatch(json{{"status", EncodeCertificateStatus(before.status)}},
                                      json{{"status", EncodeCertificateStatus(after.status)}});
  EXPECT_EQ(patch, json::parse(R"({"status": {"revokedAt": null, "revocationReason": null}})"));
}

TEST(EncodeCertificateAuthority, RoundTripsEveryField) {
  CertificateAuthority ca;
  ca.metadata.name = "example-issuing";
  ca.spec.type = CaType::kIntermediate;
  ca.spec.parent_ref = LocalObjectReference{"example-root"};
  ca.spec.subject = {"Example Issuing CA 1", {"Example Inc"}, {"PKI"}, {"US"}, {"Springfield"}, {"Oregon"}};
  ca.spec.key_algorithm = KeyAlgorithm::kEcdsaP256;
  ca.spec.duration = 43800h;
  ca.spec.renew_before = 8760h;
  ca.spec.max_path_length = 0;
  ca.spec.name_constraints = NameConstraints{
      true, {{"example.com"}, {"10.0.0.0/8"}, {"example.com"}, {"cluster.local"}}, {{"evil.example.com"}, {}, {}, {}}};
  ca.spec.crl = {2h, 30min, {"http://crl.example.com/{shard}.crl"}, 8, 1000};
  ca.spec.issuer_urls = {"http://ca.example.com/issuing.crt"};
  ca.status.conditions = {{"Ready", ConditionStatus::kFalse, "Pending", "waiting for example-root", 1, kT0}};
  ca.status.serial_number = "01";
  ca.status.not_before = kT0;
  ca.status.not_after = kT0 + 43800h;
  ca.status.renewal_time = kT0 + 35040h;
  ca.status.fingerprint_sha256 = "ab";
  ca.status.certificate = "-----BEGIN CERTIFICATE-----\n...";
  ca.status.chain = "-----BEGIN CERTIFICATE-----\n...";
  ca.status.secret_name = "example-issuing-ca";
  ca.status.revision = 1;
  ca.status.crl = CrlStatus{0, kT0, kT0 + 2h, 0, 8, "example-issuing-crl"};
  ca.status.observed_generation = 1;
  Result<CertificateAuthority> back = DecodeCertificateAuthority(EncodeCertificateAuthority(ca));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, ca);
  // CRL number 0 and no entries are facts worth writing.
  EXPECT_EQ(EncodeCertificateAuthorityStatus(ca.status)["crl"]["number"], 0);
  EXPECT_EQ(EncodeCertificateAuthorityStatus(ca.status)["crl"]["entries"], 0);
}

TEST(EncodeCertificateTemplate, RoundTripsEveryField) {
  CertificateTemplate t;
  t.metadata.name = "web-server";
  t.spec.subject.common_name = {{"*.example.com"}, true};
  t.spec.subject.organization.allowed = {"Example Inc"};
  t.spec.subject.organizational_unit.allowed = {"*"};
  t.spec.subject.country.allowed = {"US"};
  t.spec.subject.locality.allowed = {"*"};
  t.spec.subject.province.allowed = {"*"};
  t.spec.subject.serial_number.allowed = {"device-*"};
  t.spec.subject_alt_names.dns_names.allowed = {"*.example.com"};
  t.spec.subject_alt_names.ip_addresses.allowed = {"10.0.0.0/8"};
  t.spec.subject_alt_names.uris.allowed = {"spiffe://cluster.local/ns/*/sa/*"};
  t.spec.subject_alt_names.email_addresses.allowed = {"*@example.com"};
  t.spec.key_algorithms = {KeyAlgorithm::kEd25519};
  t.spec.key_usages = {KeyUsage::kDigitalSignature};
  t.spec.extended_key_usages = {ExtendedKeyUsage::kClientAuth};
  t.spec.default_duration = 720h;
  t.spec.max_duration = 2160h;
  t.spec.min_duration = 1h;
  t.status.observed_generation = 4;
  Result<CertificateTemplate> back = DecodeCertificateTemplate(EncodeCertificateTemplate(t));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, t);
}

TEST(EncodeCertificateProfile, RoundTripsEveryField) {
  CertificateProfile p;
  p.metadata.name = "acme";
  p.spec.ca_ref.name = "ca";
  p.spec.template_ref.name = "t";
  p.spec.enrollment.acme = AcmeEnrollment{{AcmeChallenge::kDns01, AcmeChallenge::kTlsAlpn01},
                                          ExternalAccountBinding{"kid", {"eab", "hmac"}},
                                          {"10.0.0.0/8"},
                                          "https://example.com/tos",
                                          AcmeValidation{{"127.0.0.0/8", "fd00::/8"}}};
  p.spec.renewal = {false, 10, std::nullopt};
  p.spec.namespace_selector = {{{"team", "web"}}, {{"env", SelectorOperator::kNotIn, {"dev"}}}};
  p.spec.revocation = {true, true};
  p.spec.output = {
      {{OutputFormatType::kCombinedPem, std::nullopt, false, Pkcs12Profile::kModern}}, {{"l", "1"}}, {{"a", "2"}}};
  p.status = {{{"Ready", ConditionStatus::kTrue, "Ready", "", 1, kT0}},
              3,
              2,
              CertificateReference{"shop", "frontend", "5eed", kT0},
              1};
  Result<CertificateProfile> back = DecodeCertificateProfile(EncodeCertificateProfile(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, p);
}

TEST(EncodeCertificateProfile, WritesTheAcmeValidatorsAllowedCidrs) {
  CertificateProfile p;
  p.metadata.name = "acme";
  p.spec.enrollment.acme = AcmeEnrollment{};
  p.spec.enrollment.acme->validation.allowed_cidrs = {"127.0.0.0/8"};
  EXPECT_EQ(EncodeCertificateProfile(p)["spec"]["enrollment"]["acme"]["validation"],
            json::parse(R"({"allowedCIDRs": ["127.0.0.0/8"]})"));
  // Absent when empty.
  p.spec.enrollment.acme->validation.allowed_cidrs.clear();
  EXPECT_FALSE(EncodeCertificateProfile(p)["spec"]["enrollment"]["acme"].contains("validation"));
}

TEST(EncodeCertificateProfile, WritesAnApiEnrollmentAsAnEmptyObject) {
  CertificateProfile p;
  p.metadata.name = "web";
  p.spec.enrollment.api = true;
  EXPECT_EQ(EncodeCertificateProfile(p)["spec"]["enrollment"], json::parse(R"({"api": {}})"));
}

}  // namespace
}  // namespace certplane::api

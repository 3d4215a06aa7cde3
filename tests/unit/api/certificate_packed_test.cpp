// The packed form the Certificate cache keeps: every field comes back, and it is small.
#include "api/certificate_packed.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "api/certificate_json.h"
#include "api/condition.h"

namespace certplane::api {
namespace {

using namespace std::chrono_literals;

Time At(std::int64_t unix_seconds) { return Time(std::chrono::seconds(unix_seconds)); }

// A Certificate with every field of every struct set to something other than its default.
Certificate EveryField() {
  Certificate c;
  ObjectMeta& m = c.metadata;
  m.name = "frontend";
  m.ns = "shop";
  m.uid = "6c1f0a52-0000-4000-8000-000000000001";
  m.resource_version = "42";
  m.generation = 3;
  m.creation_timestamp = "2030-01-01T00:00:00Z";
  m.deletion_timestamp = "2030-02-01T00:00:00Z";
  m.labels = {{"app", "web"}, {"tier", "edge"}};
  m.annotations = {{"certplane.io/renew-requested-at", "2030-01-02T00:00:00Z"}};
  m.owner_references = {{.api_version = "apps/v1",
                         .kind = "Deployment",
                         .name = "web",
                         .uid = "u-1",
                         .controller = true,
                         .block_owner_deletion = true}};
  m.finalizers = {"certplane.io/revoke-on-delete"};
  CertificateSpec& s = c.spec;
  s.profile_ref.name = "web";
  s.secret_name = "frontend-tls";
  s.csr = "-----BEGIN CERTIFICATE REQUEST-----\n...\n";
  s.acme = AcmeOrderReference{.account = "acct-1", .order = "order-7"};
  s.common_name = "frontend.shop.svc";
  s.subject = {.organizations = {"Shop"},
               .organizational_units = {"Web"},
               .countries = {"DE"},
               .localities = {"Berlin"},
               .provinces = {"BE"},
               .serial_number = "7"};
  s.dns_names = {"frontend.shop.svc", "www.example.com"};
  s.ip_addresses = {"10.0.0.1"};
  s.uris = {"spiffe://cluster.local/ns/shop/sa/frontend"};
  s.email_addresses = {"ops@example.com"};
  s.duration = 720h;
  s.renew_before = 240h;
  s.renew_before_days = 10;
  s.auto_renew = false;
  s.private_key = {
      .algorithm = KeyAlgorithm::kRsa3072, .encoding = KeyEncoding::kPkcs1, .rotation_policy = RotationPolicy::kNever};
  s.key_usages = {KeyUsage::kDigitalSignature, KeyUsage::kKeyAgreement};
  s.extended_key_usages = {ExtendedKeyUsage::kClientAuth};
  s.secret_template = {.labels = {{"a", "b"}}, .annotations = {{"c", "d"}}};
  s.additional_output_formats = std::vector<OutputFormat>{{.type = OutputFormatType::kPkcs12,
                                                           .password_secret_ref = SecretKeySelector{"pw", "password"},
                                                           .truststore = true,
                                                           .profile = Pkcs12Profile::kLegacy},
                                                          {.type = OutputFormatType::kDer,
                                                           .password_secret_ref = std::nullopt,
                                                           .truststore = false,
                                                           .profile = Pkcs12Profile::kModern}};
  s.revocation = RevocationSpec{.reason = RevocationReason::kKeyCompromise};
  CertificateStatus& st = c.status;
  st.conditions = {MakeCondition(kConditionReady, ConditionStatus::kFalse, "Revoked", "revoked on request", 3),
                   MakeCondition(kConditionIssuing, ConditionStatus::kTrue, "Renewing", "", 2)};
  st.conditions[0].last_transition_time = At(1893456005);
  st.serial_number = "5eed";
  st.not_before = At(1893456000);
  st.not_after = At(1896048000);
  st.renewal_time = At(1895184000);
  st.last_issuance_time = At(1893456001);
  st.revision = 4;
  st.history = {{.revision = 3,
                 .serial_number = "5eec",
                 .not_before = At(1890000000),
                 .not_after = At(1892000000),
                 .revoked_at = At(1891000000),
                 .revocation_reason = RevocationReason::kSuperseded,
                 .ca_name = "old-issuing",
                 .crl_shard = 2}};
  st.revoked_at = At(1893456100);
  st.revocation_reason = RevocationReason::kKeyCompromise;
  st.ca_name = "issuing";
  st.crl_shard = 1;
  st.last_failure_time = At(1893456050);
  st.failed_issuance_attempts = 2;
  st.unplanned_reissues = 1;
  st.observed_generation = 3;
  st.certificate = "-----BEGIN CERTIFICATE-----\n...\n";
  return c;
}

TEST(PackedCertificate, EveryFieldComesBack) {
  const Certificate c = EveryField();
  EXPECT_EQ(UnpackCertificate(PackCertificate(c)), c);
}

TEST(PackedCertificate, AnEmptyCertificateComesBackEmpty) {
  EXPECT_EQ(UnpackCertificate(PackCertificate(Certificate{})), Certificate{});
}

TEST(PackedCertificate, ADecodedCertificateComesBackAsDecoded) {
  Result<Certificate> c = DecodeCertificate(nlohmann::json::parse(R"({
    "apiVersion": "certplane.io/v1alpha1", "kind": "Certificate",
    "metadata": {"name": "c42", "namespace": "bench", "uid": "c060373a-caa8-4f62-956a-ba66d25c722d",
                 "resourceVersion": "793", "generation": 1, "creationTimestamp": "2026-12-06T04:32:40Z"},
    "spec": {"commonName": "c42.bench.svc", "dnsNames": ["c42.bench.svc"], "duration": "720h",
             "privateKey": {"algorithm": "ECDSA-P256", "encoding": "PKCS8", "rotationPolicy": "Always"},
             "profileRef": {"name": "bench"}, "secretName": "c42-tls"},
    "status": {"caName": "bench-root", "crlShard": 0, "lastIssuanceTime": "2026-12-06T04:32:41Z",
               "conditions": [{"lastTransitionTime": "2026-12-06T04:32:41Z", "observedGeneration": 1,
                               "message": "the certificate is valid and matches its spec",
                               "reason": "Ready", "status": "True", "type": "Ready"}],
               "notAfter": "2027-01-05T04:32:41Z", "notBefore": "2026-12-06T04:27:41Z", "observedGeneration": 1,
               "renewalTime": "2026-12-26T04:27:56Z", "revision": 1,
               "serialNumber": "7fb7d30eed45eb486d77e84634c51e17"}})"));
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string bytes = PackCertificate(*c);
  EXPECT_EQ(UnpackCertificate(bytes), *c);
  // What the cache saves: the struct alone is over 1,200 bytes.
  EXPECT_LT(bytes.size(), 300u);
}

TEST(PackedCertificate, BytesThatAreNotAPackedCertificateAreABug) {
  const std::string bytes = PackCertificate(EveryField());
  EXPECT_THROW(UnpackCertificate(std::string_view(bytes).substr(0, bytes.size() - 1)), std::logic_error);
  EXPECT_THROW(UnpackCertificate(bytes + "x"), std::logic_error);
}

}  // namespace
}  // namespace certplane::api

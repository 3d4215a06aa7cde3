// Decoding: tolerant of what it does not know, precise about what is wrong.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "api/certificate_authority_json.h"
#include "api/certificate_json.h"
#include "api/certificate_profile_json.h"
#include "api/certificate_template_json.h"

namespace certplane::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json ValidCertificate() {
  return json::parse(R"({
    "apiVersion": "certplane.io/v1alpha1", "kind": "Certificate",
    "metadata": {
      "name": "frontend", "namespace": "shop", "uid": "6c1f0a52", "resourceVersion": "42",
      "generation": 3, "creationTimestamp": "2030-01-01T00:00:00Z",
      "labels": {"app": "web"},
      "annotations": {"team": "checkout",
                      "kubectl.kubernetes.io/last-applied-configuration": "{\"a very\": \"long copy\"}"},
      "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}],
      "finalizers": ["certplane.io/revoke-on-delete"]
    },
    "spec": {
      "profileRef": {"name": "web"}, "secretName": "frontend-tls",
      "dnsNames": ["a.example.com", "b.example.com"], "duration": "720h",
      "someFutureField": {"nested": [1, 2, 3]}
    },
    "status": {
      "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "message": "ok",
                      "observedGeneration": 3, "lastTransitionTime": "2030-01-01T00:00:05Z"}],
      "serialNumber": "5eed", "notBefore": "2030-01-01T00:00:00Z", "notAfter": "2030-01-31T00:00:00Z",
      "revision": 2, "crlShard": 3,
      "history": [{"revision": 1, "serialNumber": "0ld", "notAfter": "2030-01-15T00:00:00Z",
                   "revokedAt": "2030-01-02T00:00:00Z", "revocationReason": "superseded"}]
    }
  })");
}

TEST(DecodeCertificate, ReadsSpecStatusAndTrimmedMetadata) {
  Result<Certificate> c = DecodeCertificate(ValidCertificate());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->metadata.name, "frontend");
  EXPECT_EQ(c->metadata.ns, "shop");
  EXPECT_EQ(c->metadata.uid, "6c1f0a52");
  EXPECT_EQ(c->metadata.resource_version, "42");
  EXPECT_EQ(c->metadata.generation, 3);
  EXPECT_EQ(c->metadata.labels, (StringMap{{"app", "web"}}));
  EXPECT_EQ(c->metadata.finalizers, std::vector<std::string>{"certplane.io/revoke-on-delete"});
  ASSERT_FALSE(c->metadata.creation_timestamp.empty());
  EXPECT_EQ(c->metadata.creation_timestamp, "2030-01-01T00:00:00Z");
  EXPECT_EQ(c->spec.dns_names, (std::vector<std::string>{"a.example.com", "b.example.com"}));
  EXPECT_EQ(c->spec.duration, Duration(720h));
  ASSERT_EQ(c->status.conditions.size(), 1u);
  EXPECT_EQ(c->status.conditions[0].status, ConditionStatus::kTrue);
  EXPECT_EQ(c->status.conditions[0].observed_generation, 3);
  EXPECT_EQ(c->status.revision, 2);
  EXPECT_EQ(c->status.crl_shard, 3);
  ASSERT_EQ(c->status.history.size(), 1u);
  EXPECT_EQ(c->status.history[0].revocation_reason, RevocationReason::kSuperseded);
}

TEST(DecodeCertificate, DropsKubectlsLastAppliedCopyButKeepsOtherAnnotations) {
  Result<Certificate> c = DecodeCertificate(ValidCertificate());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->metadata.annotations, (StringMap{{"team", "checkout"}}));
}

TEST(DecodeCertificate, IgnoresUnknownFieldsAndReadsNullAsAbsent) {
  json j = ValidCertificate();
  j["spec"]["commonName"] = nullptr;
  j["spec"]["privateKey"] = nullptr;
  j["spec"]["autoRenew"] = nullptr;
  j["status"] = nullptr;
  j["somethingNew"] = "ignored";
  Result<Certificate> c = DecodeCertificate(j);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->spec.common_name, "");
  EXPECT_EQ(c->spec.private_key, PrivateKeySpec{});
  EXPECT_FALSE(c->spec.auto_renew);
  EXPECT_EQ(c->status, CertificateStatus{});
}

TEST(DecodeCertificate, AcceptsListItemsWithoutTypeMeta) {
  json j = ValidCertificate();
  j.erase("apiVersion");
  j.erase("kind");
  EXPECT_TRUE(DecodeCertificate(j).ok());
}

TEST(DecodeCertificate, AcceptsWholeNumbersWrittenAsFloats) {
  json j = ValidCertificate();
  j["spec"]["renewBeforeDays"] = 3.0;
  Result<Certificate> c = DecodeCertificate(j);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->spec.renew_before_days, 3);
}

// A change to the valid certificate, and the exact error it must produce.
struct DecodeErrorCase {
  const char* name;
  const char* pointer;        // JSON pointer to change
  std::optional<json> value;  // the new value; nullopt removes the field
  const char* want;
};
void PrintTo(const DecodeErrorCase& c, std::ostream* os) { *os << c.name; }

class RejectsWithTheFieldPath : public testing::TestWithParam<DecodeErrorCase> {};

TEST_P(RejectsWithTheFieldPath, AndTheObject) {
  json j = ValidCertificate();
  const json::json_pointer ptr(GetParam().pointer);
  if (GetParam().value) {
    j[ptr] = *GetParam().value;
  } else {
    j.at(ptr.parent_pointer()).erase(ptr.back());
  }
  Result<Certificate> c = DecodeCertificate(j);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message(), GetParam().want);
}

const DecodeErrorCase kDecodeErrors[] = {
    {"a_number_in_a_list_of_names", "/spec/dnsNames/1", json(7),
     "Certificate shop/frontend: spec.dnsNames[1]: want a string, got integer"},
    {"a_single_name_instead_of_a_list", "/spec/dnsNames", json("a.example.com"),
     "Certificate shop/frontend: spec.dnsNames: want a list, got string"},
    {"an_unknown_key_algorithm", "/spec/privateKey", json{{"algorithm", "DSA-1024"}},
     "Certificate shop/frontend: spec.privateKey.algorithm: unknown key algorithm \"DSA-1024\" (want one of "
     "ECDSA-P256, ECDSA-P384, RSA-2048, RSA-3072, RSA-4096, Ed25519)"},
    {"a_duration_in_days", "/spec/duration", json("30d"),
     "Certificate shop/frontend: spec.duration: invalid duration \"30d\" (want a Go duration such as 720h, 90m or "
     "1h30m)"},
    {"a_duration_as_a_number", "/spec/duration", json(720),
     "Certificate shop/frontend: spec.duration: want a duration string, got integer"},
    {"a_missing_secret_name", "/spec/secretName", std::nullopt, "Certificate shop/frontend: spec.secretName: required"},
    {"a_profile_ref_without_a_name", "/spec/profileRef", json::object(),
     "Certificate shop/frontend: spec.profileRef.name: required"},
    {"a_spec_that_is_a_list", "/spec", json::array(), "Certificate shop/frontend: spec: want an object, got list"},
    {"a_missing_spec", "/spec", std::nullopt, "Certificate shop/frontend: spec: required"},
    {"fractional_renew_before_days", "/spec/renewBeforeDays", json(1.5),
     "Certificate shop/frontend: spec.renewBeforeDays: want an integer, got number"},
    {"auto_renew_as_a_string", "/spec/autoRenew", json("true"),
     "Certificate shop/frontend: spec.autoRenew: want a boolean, got string"},
    {"an_unknown_revocation_reason", "/spec/revocation", json{{"reason", "removeFromCRL"}},
     "Certificate shop/frontend: spec.revocation.reason: unknown revocation reason \"removeFromCRL\" (want one of "
     "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, "
     "certificateHold, privilegeWithdrawn, aACompromise)"},
    {"an_output_format_without_a_type", "/spec/additionalOutputFormats",
     json::parse(R"([{"type": "DER"}, {"passwordSecretRef": {"name": "p", "key": "k"}}])"),
     "Certificate shop/frontend: spec.additionalOutputFormats[1].type: required"},
    {"a_password_ref_without_a_key", "/spec/additionalOutputFormats",
     json::parse(R"([{"type": "PKCS12", "passwordSecretRef": {"name": "p"}}])"),
     "Certificate shop/frontend: spec.additionalOutputFormats[0].passwordSecretRef.key: required"},
    {"a_crl_shard_beyond_32_bits", "/status/crlShard", json(1LL << 40),
     "Certificate shop/frontend: status.crlShard: integer out of range"},
    {"a_transition_time_in_words", "/status/conditions/0/lastTransitionTime", json("yesterday"),
     "Certificate shop/frontend: status.conditions[0].lastTransitionTime: invalid time \"yesterday\" (want RFC "
     "3339 such as 2030-01-31T00:00:00Z)"},
    {"a_condition_without_a_status", "/status/conditions/0/status", std::nullopt,
     "Certificate shop/frontend: status.conditions[0].status: required"},
    {"a_condition_status_in_lower_case", "/status/conditions/0/status", json("true"),
     "Certificate shop/frontend: status.conditions[0].status: unknown condition status \"true\" (want one of True, "
     "False, Unknown)"},
    {"a_history_entry_without_a_serial", "/status/history/0/serialNumber", std::nullopt,
     "Certificate shop/frontend: status.history[0].serialNumber: required"},
    {"a_label_that_is_not_a_string", "/metadata/labels/app", json(true),
     "Certificate shop/frontend: metadata.labels.app: want a string, got boolean"},
    {"a_missing_name", "/metadata/name", std::nullopt, "Certificate: metadata.name: required"},
    {"the_wrong_kind", "/kind", json("Secret"), "kind: want Certificate, got \"Secret\""},
    {"cert_managers_api_version", "/apiVersion", json("cert-manager.io/v1"),
     "apiVersion: want certplane.io/v1alpha1, got \"cert-manager.io/v1\""},
};

INSTANTIATE_TEST_SUITE_P(DecodeCertificate, RejectsWithTheFieldPath, testing::ValuesIn(kDecodeErrors),
                         [](const testing::TestParamInfo<DecodeErrorCase>& i) { return std::string(i.param.name); });

TEST(DecodeCertificate, RefusesSomethingThatIsNotAnObject) {
  Result<Certificate> c = DecodeCertificate(json::array());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "Certificate: want an object, got list");
}

TEST(DecodeCertificateAuthority, NamesAClusterScopedObjectWithoutANamespace) {
  json j = json::parse(R"({"metadata": {"name": "example-root"},
                           "spec": {"type": "Sub", "subject": {"commonName": "X"}}})");
  Result<CertificateAuthority> ca = DecodeCertificateAuthority(j);
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(ca.status().message(),
            "CertificateAuthority example-root: spec.type: unknown CA type \"Sub\" (want one of Root, "
            "Intermediate, Imported)");
}

TEST(DecodeCertificateAuthority, ReadsEveryField) {
  json j = json::parse(R"({
    "metadata": {"name": "imported"},
    "spec": {"type": "Imported", "secretRef": {"name": "corp-ca", "namespace": "pki"},
             "renewBefore": "720h", "maxPathLength": 1,
             "nameConstraints": {"critical": false, "permitted": {"dnsDomains": ["example.com"],
                                 "ipRanges": ["10.0.0.0/8"]}, "excluded": {"emailAddresses": [".evil.com"],
                                 "uriDomains": ["evil.com"]}},
             "crl": {"validity": "1h", "refreshBefore": "20m", "distributionPointURLs": ["http://crl/{shard}.crl"],
                     "shards": 4, "maxEntriesPerShard": 5000},
             "issuerURLs": ["http://ca/imported.crt"]},
    "status": {"fingerprintSHA256": "ab12", "secretName": "imported-ca", "revision": 2,
               "crl": {"number": 17, "thisUpdate": "2030-01-01T00:00:00Z", "nextUpdate": "2030-01-01T01:00:00Z",
                       "entries": 5, "shards": 4, "configMapName": "imported-crl"}}
  })");
  Result<CertificateAuthority> ca = DecodeCertificateAuthority(j);
  ASSERT_TRUE(ca.ok()) << ca.status();
  const CertificateAuthoritySpec& s = ca->spec;
  EXPECT_EQ(s.type, CaType::kImported);
  EXPECT_EQ(s.secret_ref, (SecretReference{"corp-ca", "pki"}));
  EXPECT_EQ(s.renew_before, Duration(720h));
  EXPECT_EQ(s.max_path_length, 1);
  ASSERT_TRUE(s.name_constraints);
  EXPECT_FALSE(s.name_constraints->critical);
  EXPECT_EQ(s.name_constraints->permitted.ip_ranges, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(s.name_constraints->excluded.uri_domains, std::vector<std::string>{"evil.com"});
  EXPECT_EQ(s.crl.validity, Duration(1h));
  EXPECT_EQ(s.crl.refresh_before, Duration(20min));
  EXPECT_EQ(s.crl.shards, 4);
  EXPECT_EQ(s.crl.max_entries_per_shard, 5000);
  EXPECT_EQ(s.issuer_urls, std::vector<std::string>{"http://ca/imported.crt"});
  ASSERT_TRUE(ca->status.crl);
  EXPECT_EQ(ca->status.crl->number, 17);
  EXPECT_EQ(ca->status.crl->entries, 5);
  EXPECT_EQ(ca->status.crl->config_map_name, "imported-crl");
}

TEST(DecodeCertificateProfile, ReadsAcmeEnrollmentAndSelectors) {
  json j = json::parse(R"({
    "metadata": {"name": "acme"},
    "spec": {"caRef": {"name": "ca"}, "templateRef": {"name": "t"},
             "enrollment": {"acme": {"challenges": ["http-01", "dns-01"],
                                     "externalAccountBinding": {"keyID": "kid-1", "secretRef": {"name": "eab", "key": "hmac"}},
                                     "allowedAddresses": ["10.0.0.0/8"]}},
             "renewal": {"autoRenewByDefault": false, "renewBefore": "48h"},
             "namespaceSelector": {"matchLabels": {"team": "web"},
                                   "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]},
                                                        {"key": "legacy", "operator": "DoesNotExist"}]},
             "revocation": {"revokeSupersededOnRenewal": true, "revokeOnDelete": true},
             "output": {"additionalOutputFormats": [{"type": "CombinedPEM"}], "secretLabels": {"a": "b"}}},
    "status": {"certificates": 12, "readyCertificates": 11,
               "latestActiveCertificate": {"namespace": "shop", "name": "frontend", "serialNumber": "5eed",
                                           "notAfter": "2030-01-31T00:00:00Z"}}
  })");
  Result<CertificateProfile> p = DecodeCertificateProfile(j);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->spec.enrollment.api);
  ASSERT_TRUE(p->spec.enrollment.acme);
  EXPECT_EQ(p->spec.enrollment.acme->challenges,
            (std::vector<AcmeChallenge>{AcmeChallenge::kHttp01, AcmeChallenge::kDns01}));
  ASSERT_TRUE(p->spec.enrollment.acme->external_account_binding);
  EXPECT_EQ(p->spec.enrollment.acme->external_account_binding->key_id, "kid-1");
  EXPECT_FALSE(p->spec.renewal.auto_renew_by_default);
  EXPECT_EQ(p->spec.renewal.renew_before, Duration(48h));
  ASSERT_EQ(p->spec.namespace_selector.match_expressions.size(), 2u);
  EXPECT_EQ(p->spec.namespace_selector.match_expressions[1].op, SelectorOperator::kDoesNotExist);
  EXPECT_TRUE(p->spec.revocation.revoke_on_delete);
  EXPECT_EQ(p->spec.output.additional_output_formats.at(0).type, OutputFormatType::kCombinedPem);
  EXPECT_EQ(p->status.certificates, 12);
  ASSERT_TRUE(p->status.latest_active_certificate);
  EXPECT_EQ(p->status.latest_active_certificate->name, "frontend");
}

TEST(DecodeCertificateProfile, RefusesAnApiEnrollmentThatIsNotAnObject) {
  json j = json::parse(R"({"metadata": {"name": "p"},
    "spec": {"caRef": {"name": "ca"}, "templateRef": {"name": "t"}, "enrollment": {"api": true}}})");
  Result<CertificateProfile> p = DecodeCertificateProfile(j);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "CertificateProfile p: spec.enrollment.api: want an object of strings, got boolean");
}

TEST(DecodeCertificateTemplate, DefaultsWhatTheCrdDefaults) {
  Result<CertificateTemplate> t = DecodeCertificateTemplate(json::parse(R"({"metadata": {"name": "t"}, "spec": {}})"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->spec.key_algorithms.size(), 6u);
  EXPECT_EQ(t->spec.key_usages, (std::vector<KeyUsage>{KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment}));
  EXPECT_EQ(t->spec.extended_key_usages,
            (std::vector<ExtendedKeyUsage>{ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth}));
  EXPECT_TRUE(t->spec.subject_alt_names.dns_names.allowed.empty());
}

TEST(DecodeCertificateTemplate, RefusesAPatternListWithANumber) {
  json j = json::parse(R"({"metadata": {"name": "web-server"},
    "spec": {"subjectAltNames": {"uris": {"allowed": ["spiffe://a/*", 3]}}}})");
  Result<CertificateTemplate> t = DecodeCertificateTemplate(j);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "CertificateTemplate web-server: spec.subjectAltNames.uris.allowed[1]: want a string, got integer");
}

}  // namespace
}  // namespace certplane::api

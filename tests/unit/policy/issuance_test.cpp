// The issuance decision: trigger chain, readiness chain, and Decide, as tables of
// situations with the reason and message each must produce.
#include "policy/issuance.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "../api/yaml_json.h"
#include "api/certificate_json.h"
#include "api/certificate_profile_json.h"
#include "api/certificate_template_json.h"
#include "api/defaults.h"
#include "builders.h"
#include "policy/reasons.h"

namespace certplane::policy {
namespace {

using namespace std::chrono_literals;
using namespace testing_builders;
using api::KeyAlgorithm;
using api::KeyEncoding;
using api::KeyUsage;
using api::RevocationReason;

struct ChainCase {
  const char* name;
  IssuanceInput input;
  std::string_view want_reason;  // empty: the chain finds nothing
  std::string want_message;
};

std::string CaseName(const testing::TestParamInfo<ChainCase>& i) { return i.param.name; }
void PrintTo(const ChainCase& c, std::ostream* os) { *os << c.name; }

void ExpectFinding(const std::optional<Finding>& got, const ChainCase& c) {
  if (c.want_reason.empty()) {
    EXPECT_EQ(got, std::nullopt) << "unexpected " << got->reason << ": " << got->message;
    return;
  }
  ASSERT_TRUE(got) << "expected " << c.want_reason;
  EXPECT_EQ(got->reason, c.want_reason);
  EXPECT_EQ(got->message, c.want_message);
}

// The example certificate without jitter, so renewal times are exact.
CertificateBuilder Unjittered() { return MakeCertificate().WithUid(""); }

// --- Trigger chain ---------------------------------------------------------------------

class TriggerChainCase : public testing::TestWithParam<ChainCase> {};

TEST_P(TriggerChainCase, FindsTheFirstReasonToIssue) {
  ExpectFinding(Evaluate(TriggerChain(), GetParam().input), GetParam());
}

const api::Certificate kExample = MakeCertificate();

const ChainCase kTriggerCases[] = {
    {"nothing_to_do_for_a_fresh_matching_certificate", MakeInput(), "", ""},
    {"issues_when_the_secret_does_not_exist", MakeInput().WithSecret(IssuedSecretFor(kExample).Missing()),
     kDoesNotExist, "Secret frontend-tls does not exist"},
    {"a_missing_secret_wins_over_a_changed_spec",
     MakeInput()
         .WithCertificate(MakeCertificate().WithDnsNames({"x.example.com"}))
         .WithSecret(IssuedSecretFor(kExample).Missing()),
     kDoesNotExist, "Secret frontend-tls does not exist"},
    {"issues_when_tls_crt_is_missing", MakeInput().WithSecret(IssuedSecretFor(kExample).WithoutCertificate()),
     kMissingData, "Secret frontend-tls has no tls.crt"},
    {"issues_when_tls_key_is_missing", MakeInput().WithSecret(IssuedSecretFor(kExample).WithoutPrivateKey()),
     kMissingData, "Secret frontend-tls has no tls.key"},
    {"issues_when_the_data_does_not_parse",
     MakeInput().WithSecret(IssuedSecretFor(kExample).WithParseError("tls.crt: no PEM block")), kInvalidCertificate,
     "Secret frontend-tls holds data that cannot be parsed: tls.crt: no PEM block"},
    {"issues_when_tls_key_was_swapped", MakeInput().WithSecret(IssuedSecretFor(kExample).WithForeignKey()),
     kKeyMismatch, "tls.key in Secret frontend-tls is not the private key of its tls.crt"},
    {"issues_when_the_chain_was_edited", MakeInput().WithSecret(IssuedSecretFor(kExample).WithBrokenChain()),
     kSecretMismatch, "the chain in Secret frontend-tls (tls.crt, ca.crt) does not lead to CA example-issuing"},
    {"issues_when_the_profile_now_names_another_ca", MakeInput().WithProfile(MakeProfile().WithCa("issuing-2")),
     kIncorrectIssuer, "the certificate was issued by CA example-issuing; profile web now issues from CA issuing-2"},
    {"issues_when_the_ca_was_rotated",
     MakeInput().WithCaFingerprint("ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"), kCAChanged,
     "CA example-issuing has a new certificate (SHA-256 ab12ab12ab12ab12...); the certificate was signed by "
     "9f86d081884c7d65..."},
    {"fingerprints_compare_ignoring_case_and_colons",
     MakeInput().WithCaFingerprint("9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:"
                                   "15:B0:F0:0A:08"),
     "", ""},
    {"an_unknown_ca_fingerprint_is_not_a_change", MakeInput().WithCaFingerprint(""), "", ""},
    {"issues_when_a_dns_name_is_added",
     MakeInput().WithCertificate(MakeCertificate().WithDnsNames(
         {"frontend.example.com", "frontend.shop.svc.cluster.local", "api.example.com"})),
     kSpecChanged,
     "the certificate in Secret frontend-tls does not match the spec: dnsNames (has frontend.example.com, "
     "frontend.shop.svc.cluster.local; wants api.example.com, frontend.example.com, "
     "frontend.shop.svc.cluster.local)"},
    {"dns_names_in_another_order_and_case_are_the_same",
     MakeInput().WithSecret(
         IssuedSecretFor(kExample).WithDnsNames({"FRONTEND.shop.svc.cluster.local", "frontend.example.com"})),
     "", ""},
    {"ipv6_written_longhand_is_the_same",
     MakeInput()
         .WithCertificate(MakeCertificate().WithIpAddresses({"fd00:0:0::1"}))
         .WithSecret(IssuedSecretFor(kExample).WithIpAddresses({"fd00::1"})),
     "", ""},
    {"issues_when_the_key_algorithm_changes",
     MakeInput().WithCertificate(MakeCertificate().WithKeyAlgorithm(KeyAlgorithm::kRsa2048)), kSpecChanged,
     // An RSA key can also encipher, so the template's keyEncipherment now applies too.
     "the certificate in Secret frontend-tls does not match the spec: privateKey.algorithm (has ECDSA-P256; wants "
     "RSA-2048), keyUsages (has digitalSignature; wants digitalSignature, keyEncipherment)"},
    {"issues_when_the_key_encoding_changes",
     MakeInput().WithCertificate(MakeCertificate().WithKeyEncoding(KeyEncoding::kPkcs1)), kSpecChanged,
     "the certificate in Secret frontend-tls does not match the spec: privateKey.encoding (has PKCS8; wants PKCS1)"},
    {"issues_when_the_duration_changes", MakeInput().WithCertificate(MakeCertificate().WithDuration(48h)), kSpecChanged,
     "the certificate in Secret frontend-tls does not match the spec: duration (has 720h; wants 48h)"},
    {"a_duration_is_not_compared_without_the_recorded_request",
     MakeInput()
         .WithCertificate(MakeCertificate().WithDuration(48h))
         .WithSecret(IssuedSecretFor(kExample).WithRequestedDuration(std::nullopt)),
     "", ""},
    {"issues_when_the_profile_changes", MakeInput().WithCertificate(MakeCertificate().WithProfile("web-2")),
     kSpecChanged, "the certificate in Secret frontend-tls does not match the spec: profileRef (has web; wants web-2)"},
    {"issues_when_the_key_usages_change",
     MakeInput().WithCertificate(
         MakeCertificate().WithKeyUsages({KeyUsage::kDigitalSignature, KeyUsage::kKeyAgreement})),
     kSpecChanged,
     "the certificate in Secret frontend-tls does not match the spec: keyUsages (has digitalSignature; wants "
     "digitalSignature, keyAgreement)"},
    {"lists_every_changed_field",
     MakeInput().WithCertificate(MakeCertificate().WithCommonName("www.example.com").WithIpAddresses({})), kSpecChanged,
     "the certificate in Secret frontend-tls does not match the spec: commonName (has frontend.example.com; wants "
     "www.example.com), ipAddresses (has 10.0.0.12; wants none)"},
    {"a_secret_not_written_by_certplane_is_judged_by_its_contents",
     MakeInput().WithSecret(IssuedSecretFor(kExample).WithoutAnnotations()), "", ""},
    {"issues_on_a_renew_request_newer_than_the_last_issuance",
     MakeInput().WithCertificate(MakeCertificate().WithLastIssuance(kT0).WithRenewRequestedAt(kT0 + 30min)),
     kManuallyTriggered, "renewal requested at 2030-01-01T00:30:00Z (annotation certplane.io/renew-requested-at)"},
    {"a_renew_request_already_served_does_nothing",
     MakeInput().WithCertificate(MakeCertificate().WithLastIssuance(kT0 + 45min).WithRenewRequestedAt(kT0 + 30min)), "",
     ""},
    {"a_renew_request_at_the_moment_of_issuance_was_served",
     MakeInput().WithCertificate(MakeCertificate().WithLastIssuance(kT0 + 30min).WithRenewRequestedAt(kT0 + 30min)), "",
     ""},
    // The status write after the Secret's was lost: the Secret's own issue time says the
    // request was answered, so it is adopted rather than issued a second time.
    {"a_renew_request_answered_by_the_secret_alone_does_nothing",
     MakeInput()
         .WithCertificate(MakeCertificate().WithLastIssuance(kT0).WithRenewRequestedAt(kT0 + 30min))
         .WithSecret(IssuedSecretFor(kExample).WithIssuedAt(kT0 + 31min)),
     "", ""},
    {"a_secret_issued_before_the_renew_request_does_not_answer_it",
     MakeInput()
         .WithCertificate(MakeCertificate().WithLastIssuance(kT0).WithRenewRequestedAt(kT0 + 30min))
         .WithSecret(IssuedSecretFor(kExample).WithIssuedAt(kT0 + 29min)),
     kManuallyTriggered, "renewal requested at 2030-01-01T00:30:00Z (annotation certplane.io/renew-requested-at)"},
    {"a_renew_request_in_the_future_waits",
     MakeInput().WithCertificate(MakeCertificate().WithLastIssuance(kT0).WithRenewRequestedAt(kT0 + 2h)), "", ""},
    {"a_renew_request_that_is_not_a_time_is_ignored",
     MakeInput().WithCertificate(
         MakeCertificate().WithLastIssuance(kT0).WithAnnotation("certplane.io/renew-requested-at", "now please")),
     "", ""},
    {"a_renew_request_without_status_compares_with_not_before",
     MakeInput().WithCertificate(MakeCertificate().WithRenewRequestedAt(kT0 + 30min)), kManuallyTriggered,
     "renewal requested at 2030-01-01T00:30:00Z (annotation certplane.io/renew-requested-at)"},
    {"renews_at_two_thirds_when_the_profile_asks_for_the_whole_lifetime",
     MakeInput().WithIssuedCertificate(Unjittered()).At(kT0 + 480h), kRenewing,
     "renewal was due at 2030-01-21T00:00:00Z"},
    {"does_not_renew_a_second_early", MakeInput().WithIssuedCertificate(Unjittered()).At(kT0 + 480h - 1s), "", ""},
    {"renews_ten_seconds_after_issue_for_1h_with_59m50s",
     MakeInput().WithIssuedCertificate(Unjittered().WithDuration(1h).WithRenewBefore(59min + 50s)).At(kT0 + 10s),
     kRenewing, "renewal was due at 2030-01-01T00:00:10Z"},
    {"renews_the_certificates_own_renew_before_days",
     MakeInput().WithIssuedCertificate(Unjittered().WithDuration(2160h).WithRenewBeforeDays(7)).At(kT0 + 1992h),
     kRenewing, "renewal was due at 2030-03-25T00:00:00Z"},
    {"does_not_renew_without_auto_renew",
     MakeInput().WithIssuedCertificate(Unjittered().WithAutoRenew(false)).At(kT0 + 700h), "", ""},
    {"does_not_renew_when_the_profile_defaults_auto_renew_off",
     MakeInput()
         .WithIssuedCertificate(Unjittered())
         .WithProfile(MakeProfile().WithAutoRenewByDefault(false))
         .At(kT0 + 700h),
     "", ""},
    {"does_not_reissue_an_expired_certificate_without_auto_renew",
     MakeInput().WithIssuedCertificate(Unjittered().WithAutoRenew(false)).At(kT0 + 800h), "", ""},
    {"reissues_an_expired_certificate_with_auto_renew", MakeInput().WithIssuedCertificate(Unjittered()).At(kT0 + 720h),
     kExpired, "the certificate expired at 2030-01-31T00:00:00Z"},
};

INSTANTIATE_TEST_SUITE_P(Issuance, TriggerChainCase, testing::ValuesIn(kTriggerCases), CaseName);

// --- Readiness chain -------------------------------------------------------------------

class ReadinessChainCase : public testing::TestWithParam<ChainCase> {};

TEST_P(ReadinessChainCase, FindsWhyItIsNotReady) {
  ExpectFinding(Evaluate(ReadinessChain(), GetParam().input), GetParam());
}

const ChainCase kReadinessCases[] = {
    {"a_fresh_matching_certificate_is_ready", MakeInput(), "", ""},
    {"not_ready_without_its_secret", MakeInput().WithSecret(IssuedSecretFor(kExample).Missing()), kDoesNotExist,
     "Secret frontend-tls does not exist"},
    {"not_ready_when_the_key_does_not_match", MakeInput().WithSecret(IssuedSecretFor(kExample).WithForeignKey()),
     kKeyMismatch, "tls.key in Secret frontend-tls is not the private key of its tls.crt"},
    {"not_ready_when_the_spec_changed",
     MakeInput().WithCertificate(MakeCertificate().WithKeyAlgorithm(KeyAlgorithm::kEd25519)), kSpecChanged,
     "the certificate in Secret frontend-tls does not match the spec: privateKey.algorithm (has ECDSA-P256; wants "
     "Ed25519)"},
    {"still_ready_while_a_rotated_ca_reissues", MakeInput().WithCaFingerprint("00ff"), "", ""},
    {"still_ready_when_renewal_is_due", MakeInput().WithIssuedCertificate(Unjittered()).At(kT0 + 500h), "", ""},
    {"not_ready_once_expired_without_auto_renew",
     MakeInput().WithIssuedCertificate(Unjittered().WithAutoRenew(false)).At(kT0 + 720h), kExpired,
     "the certificate expired at 2030-01-31T00:00:00Z"},
};

INSTANTIATE_TEST_SUITE_P(Issuance, ReadinessChainCase, testing::ValuesIn(kReadinessCases), CaseName);

// --- Decide ------------------------------------------------------------------------------

TEST(Decide, IssuesTheFirstCertificate) {
  const Decision d = Decide(MakeInput().WithSecret(IssuedSecretFor(kExample).Missing()));
  EXPECT_EQ(d.action, Action::kIssue);
  EXPECT_EQ(d.why, (Finding{kDoesNotExist, "Secret frontend-tls does not exist"}));
  EXPECT_EQ(d.not_ready, (Finding{kDoesNotExist, "Secret frontend-tls does not exist"}));
  EXPECT_EQ(d.renewal_time, std::nullopt);
  EXPECT_EQ(d.next_check, std::nullopt);
}

TEST(Decide, LeavesAReadyCertificateAloneUntilItsRenewal) {
  const IssuanceInput in = MakeInput();
  const Decision d = Decide(in);
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(d.not_ready, std::nullopt);
  ASSERT_TRUE(d.renewal_time);
  EXPECT_EQ(d.renewal_time, ScheduledRenewal(in));
  EXPECT_LE(*d.renewal_time, kT0 + 480h);
  EXPECT_GE(*d.renewal_time, kT0 + 480h - 5min);
  EXPECT_EQ(d.next_check, d.renewal_time);
}

TEST(Decide, WithoutAutoRenewLooksAgainAtExpiry) {
  const Decision d = Decide(MakeInput().WithIssuedCertificate(MakeCertificate().WithAutoRenew(false)));
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(d.renewal_time, std::nullopt);
  EXPECT_EQ(d.next_check, kT0 + 720h);
}

TEST(Decide, LooksAgainWhenAFutureRenewRequestComesDue) {
  const Decision d =
      Decide(MakeInput().WithIssuedCertificate(MakeCertificate().WithLastIssuance(kT0).WithRenewRequestedAt(kT0 + 3h)));
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(d.next_check, kT0 + 3h);
}

TEST(Decide, NeverIssuesARevokedCertificate) {
  const Decision d = Decide(
      MakeInput()
          .WithCertificate(
              MakeCertificate().WithRevocation(RevocationReason::kKeyCompromise).WithStatusSerial("5eed0123abcdef"))
          .WithSecret(IssuedSecretFor(kExample).Missing()));
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(d.not_ready, (Finding{kRevoked,
                                  "serial 5eed0123abcdef is revoked (keyCompromise); create a new "
                                  "Certificate to get a new one"}));
  EXPECT_EQ(d.renewal_time, std::nullopt);
  EXPECT_EQ(d.next_check, std::nullopt);
}

TEST(Decide, NeitherRenewsACertificateOnHold) {
  const Decision d = Decide(
      MakeInput()
          .WithCertificate(
              MakeCertificate().WithRevocation(RevocationReason::kCertificateHold).WithStatusSerial("5eed0123abcdef"))
          .At(kT0 + 700h));
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(
      d.not_ready,
      (Finding{kOnHold, "serial 5eed0123abcdef is on hold (certificateHold); remove spec.revocation to lift it"}));
}

TEST(Decide, BlocksARequestTheTemplateForbids) {
  const Decision d = Decide(MakeInput()
                                .WithCertificate(MakeCertificate().WithDnsNames({"frontend.example.com", "evil.com"}))
                                .WithSecret(IssuedSecretFor(kExample).Missing()));
  const std::string message =
      "spec.dnsNames[1] \"evil.com\" is not allowed by template web-server (allowed: *.example.com, *.svc, "
      "*.svc.cluster.local)";
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why, (Finding{kPolicyViolation, message}));
  EXPECT_EQ(d.not_ready, d.why);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].field, "spec.dnsNames[1]");
}

TEST(Decide, BlocksANamespaceTheProfileDoesNotSelect) {
  const Decision d = Decide(MakeInput()
                                .WithProfile(MakeProfile().WithNamespaceSelector({{{"certplane.io/web", "true"}}, {}}))
                                .WithNamespaceLabels({{"team", "shop"}}));
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why, (Finding{kPolicyViolation,
                            "namespace shop is not selected by the namespaceSelector of profile web "
                            "(certplane.io/web=true)"}));
}

TEST(Decide, ListsTheNamespaceBeforeTemplateViolations) {
  const Decision d = Decide(MakeInput()
                                .WithCertificate(MakeCertificate().WithIpAddresses({"8.8.8.8"}))
                                .WithProfile(MakeProfile().WithNamespaceSelector({{{"team", "web"}}, {}})));
  ASSERT_EQ(d.violations.size(), 2u);
  EXPECT_EQ(d.violations[0].field, "metadata.namespace");
  EXPECT_EQ(d.violations[1].field, "spec.ipAddresses[0]");
  EXPECT_EQ(d.why.message, d.violations[0].message + "; " + d.violations[1].message);
}

TEST(Decide, WaitsForTheCaBeforeIssuing) {
  const Decision d = Decide(MakeInput().WithSecret(IssuedSecretFor(kExample).Missing()).WithCaNotReady());
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why, (Finding{kCANotReady,
                            "CA example-issuing is not Ready; waiting to issue (DoesNotExist: Secret "
                            "frontend-tls does not exist)"}));
  EXPECT_EQ(d.not_ready, (Finding{kDoesNotExist, "Secret frontend-tls does not exist"}));
}

TEST(Decide, AnUnreadyCaDoesNotUnreadyAValidCertificate) {
  const Decision d = Decide(MakeInput().WithCaNotReady());
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(d.not_ready, std::nullopt);
}

// The contract, end to end: the example manifests, decoded, make the first issuance.
TEST(Decide, TheExamplesIssueTheirFirstCertificate) {
  using testing_support::YamlFileToJson;
  const std::string dir = CERTPLANE_EXAMPLES_DIR;
  Result<api::CertificateTemplate> tmpl =
      api::DecodeCertificateTemplate(YamlFileToJson(dir + "/03-template.yaml").at(0));
  Result<api::CertificateProfile> profile =
      api::DecodeCertificateProfile(YamlFileToJson(dir + "/04-profile.yaml").at(0));
  Result<api::Certificate> cert = api::DecodeCertificate(YamlFileToJson(dir + "/05-certificate.yaml").at(2));
  ASSERT_TRUE(tmpl.ok() && profile.ok() && cert.ok());
  IssuanceInput in;
  in.certificate = *cert;
  in.profile = *profile;
  in.tmpl = *tmpl;
  in.now = kT0;
  const Decision d = Decide(in);
  EXPECT_EQ(d.violations, std::vector<PolicyViolation>{});
  EXPECT_EQ(d.action, Action::kIssue);
  EXPECT_EQ(d.why.reason, kDoesNotExist);

  // Issued, it is Ready; the profile's 30 days equal the 720h lifetime, so it renews at
  // two thirds (day 20), a few minutes early at most.
  in.secret = IssuedSecretFor(*cert, kT0);
  in.secret_data_keys = {"tls.crt", "tls.key", "ca.crt"};
  for (const api::OutputFormat& f : api::EffectiveOutputFormats(cert->spec, profile->spec)) {
    for (const std::string& key : OutputKeys(f)) in.secret_data_keys.push_back(key);
  }
  in.certificate.metadata.uid = "7d0c3f5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
  const Decision ready = Decide(in);
  EXPECT_EQ(ready.action, Action::kNone);
  EXPECT_EQ(ready.not_ready, std::nullopt);
  ASSERT_TRUE(ready.renewal_time);
  EXPECT_LE(*ready.renewal_time, kT0 + 480h);
  EXPECT_GE(*ready.renewal_time, kT0 + 480h - 5min);
}

}  // namespace
}  // namespace certplane::policy

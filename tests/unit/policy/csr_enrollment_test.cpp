// CSR enrollment in the issuance decision: a Certificate with spec.csr is checked against
// its CSR (InvalidCsr, CsrMismatch) and against the template with the CSR's key
// algorithm, issued once, Ready until it expires and never renewed; and the profile's
// enrollment rules (AcmeProfile, NotAnAcmeProfile) hold for every Certificate.
#include <gtest/gtest.h>

#include <string>

#include "api/defaults.h"
#include "builders.h"
#include "policy/issuance.h"
#include "policy/latest_active.h"
#include "policy/reasons.h"

namespace certplane::policy {
namespace {

using namespace std::chrono_literals;
using namespace testing_builders;
using api::KeyAlgorithm;

constexpr const char* kPem = "-----BEGIN CERTIFICATE REQUEST-----\n...\n-----END CERTIFICATE REQUEST-----\n";
constexpr const char* kControllerNs = "certplane-system";

// The example certificate, enrolled with a CSR that asks for exactly its names.
api::Certificate CsrCertificate() { return MakeCertificate().WithCsr(kPem); }

InputBuilder CsrInput(const api::Certificate& cert = CsrCertificate(), KeyAlgorithm key = KeyAlgorithm::kEcdsaP256) {
  return MakeInput().WithCertificate(cert).WithCsr(CsrFactsFor(cert, key)).WithControllerNamespace(kControllerNs);
}

TEST(CsrEnrollment, SignsAMatchingCsrOnce) {
  const Decision d = Decide(CsrInput());
  EXPECT_EQ(d.action, Action::kIssue);
  EXPECT_EQ(d.why, (Finding{kDoesNotExist, "the CSR in spec.csr has not been signed yet"}));
  EXPECT_EQ(d.not_ready, d.why);
  EXPECT_EQ(d.renewal_time, std::nullopt);
}

TEST(CsrEnrollment, IgnoresTheOrderAndCaseOfNames) {
  api::Certificate cert = CsrCertificate();
  CsrFacts csr = CsrFactsFor(cert);
  csr.dns_names = {"FRONTEND.shop.svc.cluster.local", "frontend.example.com"};
  EXPECT_EQ(Decide(CsrInput(cert).WithCsr(csr)).action, Action::kIssue);
}

struct MismatchCase {
  const char* name;
  void (*change)(CsrFacts&);
  std::string want_message;
};

class CsrMismatchCase : public testing::TestWithParam<MismatchCase> {};

TEST_P(CsrMismatchCase, RefusesACsrThatAsksForOtherNames) {
  CsrFacts csr = CsrFactsFor(CsrCertificate());
  GetParam().change(csr);
  const Decision d = Decide(CsrInput().WithCsr(csr));
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why, (Finding{kCsrMismatch, GetParam().want_message}));
  EXPECT_EQ(d.not_ready, d.why);
}

const std::string kMismatch = "the CSR does not match the spec (has: the CSR; wants: the spec): ";

INSTANTIATE_TEST_SUITE_P(
    CsrEnrollment, CsrMismatchCase,
    testing::Values(MismatchCase{"an_extra_dns_name", [](CsrFacts& c) { c.dns_names.push_back("evil.example.com"); },
                                 kMismatch + "dnsNames (has evil.example.com, frontend.example.com, "
                                             "frontend.shop.svc.cluster.local; wants frontend.example.com, "
                                             "frontend.shop.svc.cluster.local)"},
                    MismatchCase{"another_common_name", [](CsrFacts& c) { c.common_name = "admin.example.com"; },
                                 kMismatch + "commonName (has admin.example.com; wants frontend.example.com)"},
                    MismatchCase{"a_missing_ip_address", [](CsrFacts& c) { c.ip_addresses.clear(); },
                                 kMismatch + "ipAddresses (has none; wants 10.0.0.12)"},
                    MismatchCase{"a_uri_and_an_email",
                                 [](CsrFacts& c) {
                                   c.uris = {"spiffe://cluster.local/ns/shop/sa/x"};
                                   c.email_addresses = {"ops@example.com"};
                                 },
                                 kMismatch +
                                     "uris (has spiffe://cluster.local/ns/shop/sa/x; wants none), emailAddresses (has "
                                     "ops@example.com; wants none)"}),
    [](const testing::TestParamInfo<MismatchCase>& i) { return std::string(i.param.name); });

TEST(CsrEnrollment, RefusesACsrThatDoesNotParse) {
  CsrFacts csr;
  csr.parse_error = "the signature of the request does not verify";
  const Decision d = Decide(CsrInput().WithCsr(csr));
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why, (Finding{kInvalidCsr, "spec.csr cannot be used: the signature of the request does not verify"}));
}

TEST(CsrEnrollment, TheTemplateRefusesANameAsForAnyRequest) {
  const api::Certificate cert = MakeCertificate().WithCsr(kPem).WithDnsNames({"www.evil.com"});
  const Decision d = Decide(CsrInput(cert));
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why, (Finding{kPolicyViolation,
                            "spec.dnsNames[0] \"www.evil.com\" is not allowed by template web-server "
                            "(allowed: *.example.com, *.svc, *.svc.cluster.local)"}));
}

TEST(CsrEnrollment, TheTemplateJudgesTheCsrsKeyAlgorithm) {
  const Decision d = Decide(CsrInput(CsrCertificate(), KeyAlgorithm::kRsa2048)
                                .WithTemplate(MakeTemplate().WithKeyAlgorithms({KeyAlgorithm::kEcdsaP256})));
  EXPECT_EQ(d.action, Action::kBlocked);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].field, "spec.csr");
  EXPECT_EQ(d.why, (Finding{kPolicyViolation,
                            "the CSR's key algorithm \"RSA-2048\" is not allowed by template "
                            "web-server (allowed: ECDSA-P256)"}));
  // spec.privateKey.algorithm (absent, ECDSA-P256 by default) plays no part.
  EXPECT_EQ(Decide(CsrInput(CsrCertificate(), KeyAlgorithm::kEcdsaP256)
                       .WithTemplate(MakeTemplate().WithKeyAlgorithms({KeyAlgorithm::kEcdsaP256})))
                .action,
            Action::kIssue);
}

TEST(CsrEnrollment, TheTemplateCapsTheDuration) {
  const api::Certificate cert = MakeCertificate().WithCsr(kPem).WithDuration(8760h);
  const Decision d = Decide(CsrInput(cert));
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why.reason, kPolicyViolation);
  EXPECT_EQ(d.why.message, "spec.duration \"8760h\" exceeds the maximum 2160h of template web-server");
}

TEST(CsrEnrollment, DefaultedKeyUsagesFitTheCsrsKey) {
  // The template allows digitalSignature and keyEncipherment; an EC key never enciphers.
  const IssuanceInput ec = CsrInput(CsrCertificate(), KeyAlgorithm::kEcdsaP256);
  EXPECT_EQ(api::EffectiveKeyUsages(EffectiveSpec(ec), ec.tmpl.spec),
            std::vector<api::KeyUsage>{api::KeyUsage::kDigitalSignature});
  const IssuanceInput rsa = CsrInput(CsrCertificate(), KeyAlgorithm::kRsa2048);
  EXPECT_EQ(EffectiveSpec(rsa).private_key.algorithm, KeyAlgorithm::kRsa2048);
  EXPECT_EQ(api::EffectiveKeyUsages(EffectiveSpec(rsa), rsa.tmpl.spec),
            (std::vector<api::KeyUsage>{api::KeyUsage::kDigitalSignature, api::KeyUsage::kKeyEncipherment}));
}

TEST(CsrEnrollment, OnceIssuedItIsReadyAsIssuedAndLookedAtAgainAtExpiry) {
  const api::Certificate cert = MakeCertificate().WithCsr(kPem).WithStatusIssued("5eed", kT0, kT0 + 720h);
  const Decision d = Decide(CsrInput(cert).At(kT0 + 1h));
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(d.not_ready, std::nullopt);
  EXPECT_EQ(d.ready_reason, kIssued);
  EXPECT_EQ(d.renewal_time, std::nullopt);
  EXPECT_EQ(d.next_check, kT0 + 720h);
}

TEST(CsrEnrollment, IsNeverDueForRenewal) {
  // The profile auto-renews by default, the renewal point has long passed and a renewal
  // was even asked for: the controller holds no key, so it never reissues.
  const api::Certificate cert =
      MakeCertificate().WithCsr(kPem).WithStatusIssued("5eed", kT0, kT0 + 720h).WithRenewRequestedAt(kT0 + 700h);
  const IssuanceInput in = CsrInput(cert).WithProfile(MakeProfile().WithAutoRenewByDefault(true)).At(kT0 + 710h);
  EXPECT_FALSE(api::EffectiveAutoRenew(in.certificate.spec, in.profile.spec));
  EXPECT_EQ(ScheduledRenewal(in), std::nullopt);
  const Decision d = Decide(in);
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(d.not_ready, std::nullopt);
  EXPECT_EQ(d.renewal_time, std::nullopt);
}

TEST(CsrEnrollment, OnceExpiredItIsNotReadyAndNotReissued) {
  const api::Certificate cert = MakeCertificate().WithCsr(kPem).WithStatusIssued("5eed", kT0, kT0 + 720h);
  const Decision d = Decide(CsrInput(cert).At(kT0 + 720h));
  EXPECT_EQ(d.action, Action::kNone);
  ASSERT_TRUE(d.not_ready);
  EXPECT_EQ(d.not_ready->reason, kExpired);
  EXPECT_EQ(d.not_ready->message,
            "the certificate expired at 2030-01-31T00:00:00Z; submit a new CSR in a new Certificate to get another");
  EXPECT_EQ(d.next_check, std::nullopt);
}

TEST(CsrEnrollment, WaitsForTheCa) {
  const Decision d = Decide(CsrInput().WithCaNotReady());
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why.reason, kCANotReady);
}

TEST(CsrEnrollment, ARevokedOneStaysRevoked) {
  const api::Certificate cert = MakeCertificate()
                                    .WithCsr(kPem)
                                    .WithStatusIssued("5eed", kT0, kT0 + 720h)
                                    .WithRevocation(api::RevocationReason::kKeyCompromise);
  const Decision d = Decide(CsrInput(cert));
  EXPECT_EQ(d.action, Action::kNone);
  ASSERT_TRUE(d.not_ready);
  EXPECT_EQ(d.not_ready->reason, kRevoked);
}

// --- The profile's enrollment method. ----------------------------------------------

const char* kAcmeMessage = "profile acme enrolls over ACME: use its directory /acme/acme/directory";

api::Certificate AcmeCertificate() {
  return MakeCertificate().WithName(kControllerNs, "order-9").WithCsr(kPem).WithAcmeOrder("acct-7", "order-9");
}

InputBuilder OnAcmeProfile(const api::Certificate& cert) {
  InputBuilder in = MakeInput()
                        .WithCertificate(cert)
                        .WithControllerNamespace(kControllerNs)
                        .WithProfile(MakeProfile().WithName("acme").EnrollingOverAcme());
  if (!cert.spec.csr.empty()) in.WithCsr(CsrFactsFor(cert));
  return in;
}

TEST(Enrollment, AnAcmeProfileSignsItsAcmeServersCertificates) {
  const Decision d = Decide(OnAcmeProfile(AcmeCertificate()));
  EXPECT_EQ(d.action, Action::kIssue) << d.why.reason << ": " << d.why.message;
}

TEST(Enrollment, AnAcmeProfileRefusesAnApiCertificate) {
  const Decision d = Decide(OnAcmeProfile(MakeCertificate()));
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why, (Finding{kAcmeProfile, kAcmeMessage}));
  EXPECT_EQ(d.not_ready, d.why);
}

TEST(Enrollment, AnAcmeProfileRefusesACsrWithoutAnOrder) {
  const api::Certificate cert = MakeCertificate().WithName(kControllerNs, "x").WithCsr(kPem);
  EXPECT_EQ(Decide(OnAcmeProfile(cert)).why, (Finding{kAcmeProfile, kAcmeMessage}));
}

TEST(Enrollment, AnAcmeProfileRefusesAnOrderOutsideTheControllersNamespace) {
  api::Certificate cert = AcmeCertificate();
  cert.metadata.ns = "shop";
  EXPECT_EQ(Decide(OnAcmeProfile(cert)).why, (Finding{kAcmeProfile, kAcmeMessage}));
}

TEST(Enrollment, AnApiProfileRefusesAnAcmeOrder) {
  const api::Certificate cert = AcmeCertificate();
  const Decision d =
      Decide(MakeInput().WithCertificate(cert).WithCsr(CsrFactsFor(cert)).WithControllerNamespace(kControllerNs));
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_EQ(d.why, (Finding{kNotAnAcmeProfile,
                            "spec.acme names ACME order order-9 but profile web does not enroll over ACME"}));
}

TEST(Enrollment, AnApiProfileSignsACsr) { EXPECT_EQ(Decide(CsrInput()).action, Action::kIssue); }

// --- The latest-active rule skips certificates without a Secret. ------------------

TEST(LatestActiveOfCsr, ACsrCertificateIsNeverTheLatestBundle) {
  api::Certificate cert = MakeCertificate().WithCsr(kPem).WithStatusIssued("5eed", kT0, kT0 + 720h);
  cert.status.conditions = {{"Ready", api::ConditionStatus::kTrue, "Issued", "", 1, kT0}};
  EXPECT_FALSE(KeyGeneratedByController(cert));
  EXPECT_EQ(WhyInactive(cert, kT0 + 1h), InactiveReason::kKeyNotFromController);
  EXPECT_EQ(ChooseLatestActive({std::make_shared<const api::Certificate>(cert)}, kT0 + 1h), nullptr);
}

}  // namespace
}  // namespace certplane::policy

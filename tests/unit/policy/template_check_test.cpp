// CheckTemplate: every rule of a CertificateTemplate, with the exact message a user reads.
#include "policy/template_check.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "builders.h"
#include "policy/reasons.h"

namespace certplane::policy {
namespace {

using namespace testing_builders;
using api::ExtendedKeyUsage;
using api::KeyAlgorithm;
using api::KeyUsage;

struct TemplateCase {
  const char* name;
  api::Certificate certificate;
  api::CertificateTemplate tmpl;
  std::vector<std::string> want;  // the messages, in order; empty: the request complies
};
void PrintTo(const TemplateCase& c, std::ostream* os) { *os << c.name; }

class ChecksTheTemplate : public testing::TestWithParam<TemplateCase> {};

TEST_P(ChecksTheTemplate, ReportingEachViolation) {
  std::vector<PolicyViolation> got = CheckTemplate(GetParam().certificate.spec, GetParam().tmpl);
  std::vector<std::string> messages;
  for (const PolicyViolation& v : got) {
    messages.push_back(v.message);
    EXPECT_EQ(v.message.rfind(v.field, 0), 0u) << "the message starts with the field: " << v.message;
    EXPECT_EQ(v.reason, kPolicyViolation);
  }
  EXPECT_EQ(messages, GetParam().want);
}

const std::string kDnsAllowed = "(allowed: *.example.com, *.svc, *.svc.cluster.local)";

const TemplateCase kTemplateCases[] = {
    {"the_example_certificate_satisfies_the_example_template", MakeCertificate(), MakeTemplate(), {}},
    {"rejects_a_dns_name_outside_the_allowed_globs",
     MakeCertificate().WithDnsNames({"frontend.example.com", "evil.com"}),
     MakeTemplate(),
     {"spec.dnsNames[1] \"evil.com\" is not allowed by template web-server " + kDnsAllowed}},
    {"rejects_the_bare_domain_of_a_wildcard_glob",
     MakeCertificate().WithDnsNames({"example.com"}),
     MakeTemplate(),
     {"spec.dnsNames[0] \"example.com\" is not allowed by template web-server " + kDnsAllowed}},
    {"allows_a_deeper_subdomain_under_a_wildcard_glob",
     MakeCertificate().WithDnsNames({"a.b.example.com"}),
     MakeTemplate(),
     {}},
    {"allows_a_wildcard_name_under_a_wildcard_glob",
     MakeCertificate().WithDnsNames({"*.example.com"}),
     MakeTemplate(),
     {}},
    {"rejects_a_wildcard_name_under_an_exact_name",
     MakeCertificate().WithDnsNames({"*.example.com"}),
     MakeTemplate().WithAllowedDnsNames({"api.example.com"}),
     {"spec.dnsNames[0] \"*.example.com\" is not allowed by template web-server (allowed: api.example.com)"}},
    {"rejects_a_malformed_dns_name_once",
     MakeCertificate().WithDnsNames({"a_b.example.com"}),
     MakeTemplate(),
     {"spec.dnsNames[0] \"a_b.example.com\" is not a valid DNS name"}},
    {"rejects_a_common_name_outside_the_allowed_globs",
     MakeCertificate().WithCommonName("evil.com"),
     MakeTemplate(),
     {"spec.commonName \"evil.com\" is not allowed by template web-server "
      "(allowed: *.example.com, *.svc.cluster.local)"}},
    {"requires_a_common_name_when_the_template_does",
     MakeCertificate().WithCommonName(""),
     MakeTemplate().RequiringCommonName(),
     {"spec.commonName is required by template web-server"}},
    {"allows_no_common_name_by_default", MakeCertificate().WithCommonName(""), MakeTemplate(), {}},
    {"rejects_an_ip_outside_the_cidr_ranges",
     MakeCertificate().WithIpAddresses({"10.0.0.12", "192.168.1.1"}),
     MakeTemplate(),
     {"spec.ipAddresses[1] \"192.168.1.1\" is not allowed by template web-server "
      "(allowed: 10.0.0.0/8, 127.0.0.0/8, ::1/128)"}},
    {"allows_the_ipv6_loopback", MakeCertificate().WithIpAddresses({"::1"}), MakeTemplate(), {}},
    {"rejects_an_ipv6_address_outside_the_ranges",
     MakeCertificate().WithIpAddresses({"fd00::1"}),
     MakeTemplate(),
     {"spec.ipAddresses[0] \"fd00::1\" is not allowed by template web-server "
      "(allowed: 10.0.0.0/8, 127.0.0.0/8, ::1/128)"}},
    {"rejects_a_malformed_ip",
     MakeCertificate().WithIpAddresses({"10.0.0.300"}),
     MakeTemplate(),
     {"spec.ipAddresses[0] \"10.0.0.300\" is not an IP address"}},
    {"rejects_any_ip_when_the_template_allows_none",
     MakeCertificate(),
     MakeTemplate().WithAllowedIpRanges({}),
     {"spec.ipAddresses[0] \"10.0.0.12\" is not allowed by template web-server (allowed: none)"}},
    {"allows_a_spiffe_id",
     MakeCertificate().WithUris({"spiffe://cluster.local/ns/shop/sa/frontend"}),
     MakeTemplate(),
     {}},
    {"rejects_a_spiffe_id_that_spans_segments",
     MakeCertificate().WithUris({"spiffe://cluster.local/ns/a/b/sa/c"}),
     MakeTemplate(),
     {"spec.uris[0] \"spiffe://cluster.local/ns/a/b/sa/c\" is not allowed by template web-server "
      "(allowed: spiffe://cluster.local/ns/*/sa/*)"}},
    {"rejects_a_uri_that_climbs_out_with_dot_dot",
     MakeCertificate().WithUris({"spiffe://cluster.local/ns/shop/sa/../../kube-system/sa/admin"}),
     MakeTemplate(),
     {"spec.uris[0] \"spiffe://cluster.local/ns/shop/sa/../../kube-system/sa/admin\" is not a valid URI "
      "(an absolute URI without \".\" or \"..\" segments)"}},
    {"rejects_any_email_when_the_template_allows_none",
     MakeCertificate().WithEmailAddresses({"ops@example.com"}),
     MakeTemplate(),
     {"spec.emailAddresses[0] \"ops@example.com\" is not allowed by template web-server (allowed: none)"}},
    {"allows_an_email_matching_the_template",
     MakeCertificate().WithEmailAddresses({"ops@example.com"}),
     MakeTemplate().WithAllowedEmails({"*@example.com"}),
     {}},
    {"rejects_a_malformed_email",
     MakeCertificate().WithEmailAddresses({"ops"}),
     MakeTemplate().WithAllowedEmails({"*"}),
     {"spec.emailAddresses[0] \"ops\" is not a valid email address"}},
    {"rejects_an_organization_outside_the_list",
     MakeCertificate().WithOrganizations({"Example Inc", "Evil Corp"}),
     MakeTemplate(),
     {"spec.subject.organizations[1] \"Evil Corp\" is not allowed by template web-server (allowed: Example Inc)"}},
    {"rejects_a_country_when_the_template_names_none",
     MakeCertificate().WithCountries({"US"}),
     MakeTemplate(),
     {"spec.subject.countries[0] \"US\" is not allowed by template web-server (allowed: none)"}},
    {"allows_a_country_the_template_names",
     MakeCertificate().WithCountries({"US"}),
     MakeTemplate().WithAllowedCountries({"US", "CA"}),
     {}},
    {"allows_a_subject_serial_number_matching_a_glob",
     MakeCertificate().WithSubjectSerialNumber("device-7"),
     MakeTemplate().WithAllowedSubjectSerialNumbers({"device-*"}),
     {}},
    {"rejects_a_subject_serial_number_outside_the_globs",
     MakeCertificate().WithSubjectSerialNumber("admin"),
     MakeTemplate().WithAllowedSubjectSerialNumbers({"device-*"}),
     {"spec.subject.serialNumber \"admin\" is not allowed by template web-server (allowed: device-*)"}},
    {"rejects_a_key_algorithm_the_template_does_not_list",
     MakeCertificate().WithKeyAlgorithm(KeyAlgorithm::kRsa2048),
     MakeTemplate().WithKeyAlgorithms({KeyAlgorithm::kEcdsaP256, KeyAlgorithm::kEd25519}),
     {"spec.privateKey.algorithm \"RSA-2048\" is not allowed by template web-server (allowed: ECDSA-P256, Ed25519)"}},
    {"rejects_a_key_usage_the_template_does_not_list",
     MakeCertificate().WithKeyUsages({KeyUsage::kDigitalSignature, KeyUsage::kDataEncipherment}),
     MakeTemplate(),
     {"spec.keyUsages[1] \"dataEncipherment\" is not allowed by template web-server "
      "(allowed: digitalSignature, keyEncipherment)"}},
    {"rejects_an_extended_key_usage_the_template_does_not_list",
     MakeCertificate().WithExtendedKeyUsages({ExtendedKeyUsage::kCodeSigning}),
     MakeTemplate(),
     {"spec.extendedKeyUsages[0] \"codeSigning\" is not allowed by template web-server "
      "(allowed: serverAuth, clientAuth)"}},
    {"rejects_a_duration_over_the_maximum",
     MakeCertificate().WithDuration(std::chrono::hours(4320)),
     MakeTemplate(),
     {"spec.duration \"4320h\" exceeds the maximum 2160h of template web-server"}},
    {"allows_exactly_the_maximum", MakeCertificate().WithDuration(std::chrono::hours(2160)), MakeTemplate(), {}},
    {"rejects_a_duration_under_the_minimum",
     MakeCertificate().WithDuration(std::chrono::hours(1)),
     MakeTemplate().WithMinDuration(std::chrono::hours(24)),
     {"spec.duration \"1h\" is shorter than the minimum 24h of template web-server"}},
    {"checks_a_defaulted_duration_too",
     MakeCertificate().WithoutDuration(),
     MakeTemplate()
         .WithDefaultDuration(std::nullopt)
         .WithMaxDuration(std::nullopt)
         .WithMinDuration(std::chrono::hours(4000)),
     {"spec.duration (defaulted to 2160h) is shorter than the minimum 4000h of template web-server"}},
    {"reports_every_violation_not_only_the_first",
     MakeCertificate()
         .WithCommonName("evil.com")
         .WithDnsNames({"evil.com"})
         .WithIpAddresses({"8.8.8.8"})
         .WithKeyAlgorithm(KeyAlgorithm::kRsa2048)
         .WithDuration(std::chrono::hours(8760)),
     MakeTemplate().WithKeyAlgorithms({KeyAlgorithm::kEcdsaP256}),
     {"spec.commonName \"evil.com\" is not allowed by template web-server "
      "(allowed: *.example.com, *.svc.cluster.local)",
      "spec.dnsNames[0] \"evil.com\" is not allowed by template web-server " + kDnsAllowed,
      "spec.ipAddresses[0] \"8.8.8.8\" is not allowed by template web-server "
      "(allowed: 10.0.0.0/8, 127.0.0.0/8, ::1/128)",
      "spec.privateKey.algorithm \"RSA-2048\" is not allowed by template web-server (allowed: ECDSA-P256)",
      "spec.duration \"8760h\" exceeds the maximum 2160h of template web-server"}},
};

INSTANTIATE_TEST_SUITE_P(Template, ChecksTheTemplate, testing::ValuesIn(kTemplateCases),
                         [](const testing::TestParamInfo<TemplateCase>& i) { return std::string(i.param.name); });

TEST(CheckTemplate, NamesTheFieldOfEachViolation) {
  std::vector<PolicyViolation> got =
      CheckTemplate(MakeCertificate().WithDnsNames({"frontend.example.com", "evil.com"}).Build().spec, MakeTemplate());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].field, "spec.dnsNames[1]");
}

TEST(FormatViolations, JoinsTheMessagesForACondition) {
  EXPECT_EQ(FormatViolations({{"a", "first"}, {"b", "second"}}), "first; second");
  EXPECT_EQ(FormatViolations({}), "");
}

}  // namespace
}  // namespace certplane::policy

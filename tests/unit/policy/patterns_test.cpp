// The template pattern language (patterns.h), case by case.
#include "policy/patterns.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace certplane::policy {
namespace {

struct MatchCase {
  const char* name;
  const char* pattern;
  const char* value;
  bool match;
};
void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.name; }

std::string CaseName(const testing::TestParamInfo<MatchCase>& i) { return i.param.name; }

class DnsPatterns : public testing::TestWithParam<MatchCase> {};

TEST_P(DnsPatterns, MatchAsAVaultUserExpects) {
  EXPECT_EQ(MatchDnsPattern(GetParam().pattern, GetParam().value), GetParam().match)
      << GetParam().pattern << " vs " << GetParam().value;
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, DnsPatterns,
    testing::Values(
        MatchCase{"a_leading_wildcard_allows_one_label", "*.example.com", "api.example.com", true},
        MatchCase{"a_leading_wildcard_allows_deeper_subdomains", "*.example.com", "a.b.example.com", true},
        MatchCase{"a_leading_wildcard_never_allows_the_bare_domain", "*.example.com", "example.com", false},
        MatchCase{"a_leading_wildcard_does_not_allow_a_lookalike_domain", "*.example.com", "evilexample.com", false},
        MatchCase{"a_leading_wildcard_does_not_allow_a_suffix_trick", "*.example.com", "example.com.evil.net", false},
        MatchCase{"a_leading_wildcard_allows_a_wildcard_request", "*.example.com", "*.example.com", true},
        MatchCase{"a_leading_wildcard_allows_a_deeper_wildcard_request", "*.example.com", "*.api.example.com", true},
        MatchCase{"an_exact_name_allows_itself", "api.example.com", "api.example.com", true},
        MatchCase{"an_exact_name_does_not_allow_a_wildcard", "api.example.com", "*.example.com", false},
        MatchCase{"an_exact_name_does_not_allow_a_subdomain", "example.com", "a.example.com", false},
        MatchCase{"matching_ignores_case", "*.Example.COM", "API.example.com", true},
        MatchCase{"an_inner_star_stays_within_its_label", "web.*.svc", "web.shop.svc", true},
        MatchCase{"an_inner_star_does_not_cross_a_dot", "web.*.svc", "web.a.b.svc", false},
        MatchCase{"a_trailing_star_cannot_reach_another_domain", "example.*", "example.evil.com", false},
        MatchCase{"a_trailing_star_allows_one_tld", "example.*", "example.org", true},
        MatchCase{"a_partial_label_star", "api-*.example.com", "api-eu1.example.com", true},
        MatchCase{"a_partial_label_star_needs_its_prefix", "api-*.example.com", "web-eu1.example.com", false},
        MatchCase{"a_partial_label_star_does_not_allow_a_wildcard_request", "api-*.example.com", "*.example.com",
                  false},
        MatchCase{"the_svc_pattern_allows_a_service", "*.svc", "frontend.svc", true},
        MatchCase{"the_cluster_local_pattern_allows_a_namespaced_service", "*.svc.cluster.local",
                  "frontend.shop.svc.cluster.local", true},
        MatchCase{"a_lone_star_allows_anything", "*", "anything.at.all", true},
        MatchCase{"empty_labels_never_match", "*.example.com", "a..example.com", false},
        MatchCase{"an_empty_name_never_matches", "*", "", false}),
    CaseName);

class UriPatterns : public testing::TestWithParam<MatchCase> {};

TEST_P(UriPatterns, MatchSegmentBySegment) {
  EXPECT_EQ(MatchUriPattern(GetParam().pattern, GetParam().value), GetParam().match)
      << GetParam().pattern << " vs " << GetParam().value;
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, UriPatterns,
    testing::Values(MatchCase{"a_spiffe_id_for_any_namespace_and_account", "spiffe://cluster.local/ns/*/sa/*",
                              "spiffe://cluster.local/ns/shop/sa/frontend", true},
                    MatchCase{"a_star_does_not_span_two_segments", "spiffe://cluster.local/ns/*/sa/*",
                              "spiffe://cluster.local/ns/a/b/sa/frontend", false},
                    MatchCase{"a_trailing_star_does_not_span_segments", "spiffe://cluster.local/ns/*/sa/*",
                              "spiffe://cluster.local/ns/shop/sa/frontend/extra", false},
                    MatchCase{"another_trust_domain_is_refused", "spiffe://cluster.local/ns/*/sa/*",
                              "spiffe://evil.local/ns/shop/sa/frontend", false},
                    MatchCase{"a_star_in_the_host_stays_in_one_label", "https://*.example.com/app",
                              "https://api.example.com/app", true},
                    MatchCase{"a_star_in_the_host_does_not_cross_dots", "https://*.example.com/app",
                              "https://evil.com.example.com/app", false},
                    MatchCase{"a_star_in_the_host_cannot_reach_another_host", "https://example.*/app",
                              "https://example.evil.com/app", false},
                    MatchCase{"a_double_star_spans_segments", "https://example.com/**", "https://example.com/a/b/c",
                              true},
                    MatchCase{"an_exact_uri", "urn:uuid:1234", "urn:uuid:1234", true},
                    MatchCase{"uris_compare_exactly", "spiffe://cluster.local/ns/shop/sa/web",
                              "spiffe://cluster.local/ns/shop/sa/Web", false}),
    CaseName);

class EmailPatterns : public testing::TestWithParam<MatchCase> {};

TEST_P(EmailPatterns, MatchLocalPartAndDomain) {
  EXPECT_EQ(MatchEmailPattern(GetParam().pattern, GetParam().value), GetParam().match)
      << GetParam().pattern << " vs " << GetParam().value;
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, EmailPatterns,
    testing::Values(MatchCase{"any_mailbox_at_a_domain", "*@example.com", "ops@example.com", true},
                    MatchCase{"not_a_subdomain_with_an_exact_domain", "*@example.com", "ops@mail.example.com", false},
                    MatchCase{"a_domain_pattern_on_both_sides", "ops-*@*.example.com", "ops-eu@mail.example.com", true},
                    MatchCase{"the_local_part_prefix_is_required", "ops-*@example.com", "dev@example.com", false},
                    MatchCase{"a_bare_domain_means_any_mailbox", "example.com", "anyone@example.com", true},
                    MatchCase{"a_bare_domain_pattern_with_subdomains", "*.example.com", "a@eu.example.com", true},
                    MatchCase{"the_domain_ignores_case", "*@example.com", "ops@EXAMPLE.com", true},
                    MatchCase{"two_at_signs_never_match", "*", "a@b@example.com", false},
                    MatchCase{"a_lone_star_allows_any_address", "*", "ops@example.com", true}),
    CaseName);

class SubjectGlobs : public testing::TestWithParam<MatchCase> {};

TEST_P(SubjectGlobs, MatchExactlyWithStars) {
  EXPECT_EQ(MatchGlob(GetParam().pattern, GetParam().value), GetParam().match);
}

INSTANTIATE_TEST_SUITE_P(Patterns, SubjectGlobs,
                         testing::Values(MatchCase{"an_exact_value", "Example Inc", "Example Inc", true},
                                         MatchCase{"case_matters", "Example Inc", "example inc", false},
                                         MatchCase{"a_star_matches_any_characters", "Example *", "Example Inc", true},
                                         MatchCase{"a_star_matches_nothing_too", "Example*", "Example", true},
                                         MatchCase{"a_star_in_the_middle", "a*c", "abbbc", true},
                                         MatchCase{"many_stars_without_blowing_up", "*a*a*a*a*a*a*a*a*b",
                                                   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
                                         MatchCase{"a_lone_star_allows_anything", "*", "whatever it is", true}),
                         CaseName);

struct ValidityCase {
  const char* name;
  const char* value;
  bool valid;
};
void PrintTo(const ValidityCase& c, std::ostream* os) { *os << c.name; }

std::string ValidityName(const testing::TestParamInfo<ValidityCase>& i) { return i.param.name; }

class DnsNameSyntax : public testing::TestWithParam<ValidityCase> {};

TEST_P(DnsNameSyntax, IsChecked) { EXPECT_EQ(IsValidDnsName(GetParam().value, true), GetParam().valid); }

INSTANTIATE_TEST_SUITE_P(
    Patterns, DnsNameSyntax,
    testing::Values(
        ValidityCase{"a_host_name", "frontend.example.com", true}, ValidityCase{"a_single_label", "localhost", true},
        ValidityCase{"a_leading_wildcard", "*.example.com", true}, ValidityCase{"a_wildcard_alone", "*", false},
        ValidityCase{"a_wildcard_further_in", "a.*.example.com", false},
        ValidityCase{"a_partial_wildcard", "a*.example.com", false},
        ValidityCase{"an_underscore", "a_b.example.com", false},
        ValidityCase{"an_empty_label", "a..example.com", false}, ValidityCase{"a_trailing_dot", "example.com.", false},
        ValidityCase{"a_leading_hyphen", "-a.example.com", false},
        ValidityCase{"a_64_character_label", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
                     false}),
    ValidityName);

class UriSyntax : public testing::TestWithParam<ValidityCase> {};

TEST_P(UriSyntax, IsChecked) { EXPECT_EQ(IsValidUri(GetParam().value), GetParam().valid); }

INSTANTIATE_TEST_SUITE_P(Patterns, UriSyntax,
                         testing::Values(ValidityCase{"a_spiffe_id", "spiffe://cluster.local/ns/a/sa/b", true},
                                         ValidityCase{"a_urn", "urn:uuid:6c1f0a52", true},
                                         ValidityCase{"an_https_url_with_a_query", "https://e.com/a?b=c#d", true},
                                         ValidityCase{"no_scheme", "cluster.local/ns/a", false},
                                         ValidityCase{"a_space", "spiffe://cluster.local/ns/a b", false},
                                         ValidityCase{"an_empty_authority", "spiffe:///ns/a", false},
                                         ValidityCase{"a_dot_dot_segment", "spiffe://cluster.local/ns/a/../kube-system",
                                                      false},
                                         ValidityCase{"a_dot_segment", "spiffe://cluster.local/./ns/a", false},
                                         ValidityCase{"a_scheme_starting_with_a_digit", "1http://a", false}),
                         ValidityName);

class EmailSyntax : public testing::TestWithParam<ValidityCase> {};

TEST_P(EmailSyntax, IsChecked) { EXPECT_EQ(IsValidEmail(GetParam().value), GetParam().valid); }

INSTANTIATE_TEST_SUITE_P(Patterns, EmailSyntax,
                         testing::Values(ValidityCase{"a_mailbox", "ops@example.com", true},
                                         ValidityCase{"no_at_sign", "ops.example.com", false},
                                         ValidityCase{"two_at_signs", "a@b@example.com", false},
                                         ValidityCase{"an_empty_local_part", "@example.com", false},
                                         ValidityCase{"a_wildcard_domain", "ops@*.example.com", false}),
                         ValidityName);

}  // namespace
}  // namespace certplane::policy

// The pattern language of CertificateTemplate `allowed` lists.
//
// Chosen to be what a Vault PKI user expects from a role with allowed_domains plus
// allow_subdomains / allow_glob_domains, without Vault's one trap (go-glob's `*` also
// crosses dots, so "example.*" there matches "example.evil.com"):
//
// DNS names and common names (MatchDnsPattern), compared ignoring case:
//   "*.example.com"    a leading "*." label matches ONE OR MORE whole labels:
//                      a.example.com, a.b.example.com, and the wildcard name
//                      *.example.com itself; never example.com. (Vault: allowed_domains
//                      example.com + allow_subdomains; or the glob "*.example.com".)
//   "api-*.example.com", "web.*.svc"
//                      any other "*" matches characters WITHIN ONE label (no dots):
//                      api-1.example.com, web.shop.svc; not web.a.b.svc.
//   "example.com"      exactly that name.
//   "*"                any name.
//   A requested wildcard ("*.example.com") is an ordinary name whose first label is "*";
//   it is allowed only by a pattern whose leading "*." covers it, so "api.example.com"
//   never allows "*.example.com".
//
// URIs (MatchUriPattern), compared exactly: "*" matches characters within one path
// segment, and within one host label in the authority ("spiffe://cluster.local/ns/*/sa/*"
// allows spiffe://cluster.local/ns/shop/sa/web, not .../ns/a/b/sa/web); "**" matches
// anything, slashes included ("https://example.com/**").
//
// Email addresses (MatchEmailPattern): "local@domain" patterns match the local part with
// "*" (no "@") exactly, and the domain as a DNS pattern ("*@example.com",
// "ops-*@*.example.com"); a pattern without "@" is a domain pattern for any mailbox
// there ("example.com", "*.example.com").
//
// Other subject attributes (MatchGlob): "*" matches any characters, compared exactly
// ("Example *" allows "Example Inc").
//
// Every match function is pure and total: a malformed pattern or value simply does not
// match.
#pragma once

#include <string_view>

namespace certplane::policy {

bool MatchDnsPattern(std::string_view pattern, std::string_view name);
bool MatchUriPattern(std::string_view pattern, std::string_view uri);
bool MatchEmailPattern(std::string_view pattern, std::string_view email);
bool MatchGlob(std::string_view pattern, std::string_view value);

// A host name of letters, digits and hyphens in dot-separated labels of 1..63 characters
// (253 in all), not starting or ending a label with a hyphen; with allow_wildcard, the
// first label may be exactly "*".
bool IsValidDnsName(std::string_view name, bool allow_wildcard);

// "scheme:rest" with a scheme of letters, digits, "+", "-", "." starting with a letter,
// and nothing blank. Path segments "." and ".." are refused (they would let a pattern's
// "*" step outside the segment it was meant to cover).
bool IsValidUri(std::string_view uri);

// "local@domain" with exactly one "@", non-empty parts and a valid DNS domain.
bool IsValidEmail(std::string_view email);

}  // namespace certplane::policy

// The WWW-Authenticate challenge Key Vault answers a 401 with, which names the
// authority (and so the tenant) the vault trusts and the resource a token must be for:
//
//   Bearer authorization="https://login.microsoftonline.com/72f988bf-...", resource="https://vault.azure.net"
//   Bearer authorization="https://login.microsoftonline.com/72f9.../", scope="https://vault.azure.net/.default"
//
//   std::optional<BearerChallenge> c = ParseBearerChallenge(response.Header("WWW-Authenticate"));
//   if (c && AsciiLower(c->tenant) != AsciiLower(our_tenant)) ...  // the vault is in another tenant
//
// certplane does not follow challenges (it knows its tenant and sends the token on the
// first request); it reads one only to explain a 401.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace certplane::sync::azure {

struct BearerChallenge {
  std::string authorization;  // the authority URL ("authorization" or "authorization_uri")
  std::string resource;       // empty when absent
  std::string scope;          // empty when absent
  std::string tenant;         // the last path segment of authorization; empty when it has none
};

// The Bearer challenge of a WWW-Authenticate header value (scheme and parameter names
// case-insensitive, values quoted with backslash escapes or bare tokens). nullopt when
// the header is empty, its scheme is not Bearer, or it is malformed (an unterminated
// quote, a parameter without '=').
std::optional<BearerChallenge> ParseBearerChallenge(std::string_view header);

}  // namespace certplane::sync::azure

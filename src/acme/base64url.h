// base64url without padding (RFC 4648 section 5, RFC 7515 section 2): every binary
// field of JOSE and ACME (JWS parts, JWK members, tokens, thumbprints) uses it.
//
//   std::string text = Base64UrlEncode(digest);          // "uvYq..." (no '=')
//   std::optional<std::string> raw = Base64UrlDecode(text);
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace certplane::acme {

std::string Base64UrlEncode(std::string_view bytes);

// Strict, because JWS compares encoded text: padding, whitespace, characters outside
// [A-Za-z0-9_-], a length of 1 mod 4 and non-zero unused trailing bits all fail, so each
// byte string has exactly one accepted encoding.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace certplane::acme

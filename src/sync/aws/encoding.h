// The byte-level helpers AWS's protocols need: SHA-256 and HMAC-SHA256 (SigV4),
// RFC 3986 percent-encoding (SigV4 canonical URIs and queries, STS form bodies) and
// standard base64 (the JSON protocol's blob members).
//
//   std::string hash = Sha256Hex(body);                       // 64 lower-case hex digits
//   std::string mac = HmacSha256(key, "20150830");            // 32 raw bytes
//   std::string q = UriEncode("a b/c", /*keep_slash=*/false); // "a%20b%2Fc"
#pragma once

#include <string>
#include <string_view>

namespace certplane::sync::aws {

// SHA-256 of `data` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 of `data` under `key`: 32 raw bytes. Aborts only if OpenSSL cannot
// compute a SHA-256 HMAC at all, which no supported build can reach.
std::string HmacSha256(std::string_view key, std::string_view data);

// RFC 3986 percent-encoding as SigV4 defines it: unreserved characters (A-Z a-z 0-9
// - . _ ~) stay, every other byte becomes %XX with upper-case hex; '/' stays when
// keep_slash.
std::string UriEncode(std::string_view text, bool keep_slash);

// %XX sequences decoded; a malformed one ("%G1", a trailing "%") is kept as it is.
std::string PercentDecode(std::string_view text);

// Standard base64 with padding (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);

}  // namespace certplane::sync::aws

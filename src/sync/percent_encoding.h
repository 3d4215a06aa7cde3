// RFC 3986 percent-encoding, as both clouds' protocols need it: AWS SigV4's canonical
// URIs and queries and STS's form body, and the OAuth 2.0 form body sent to Entra ID.
//
//   PercentEncode("a b/c");                      // "a%20b%2Fc"
//   PercentEncode("a b/c", /*keep_slash=*/true);  // "a%20b/c"
#pragma once

#include <string>
#include <string_view>

namespace certplane::sync {

// Unreserved characters (A-Z a-z 0-9 - . _ ~) stay; every other byte becomes %XX with
// upper-case hex; '/' stays when keep_slash.
std::string PercentEncode(std::string_view text, bool keep_slash = false);

}  // namespace certplane::sync

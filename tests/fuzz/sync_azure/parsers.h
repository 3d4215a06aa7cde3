// The Azure Key Vault sync's parsers of untrusted input (what Entra ID and Key Vault,
// or anything posing as them, answer), as the corpus test and the libFuzzer targets
// drive them.
//
// Each parser takes the raw bytes and returns nullopt when the input is accepted, or the
// Status refusing it. When an input is accepted, the parser also checks invariants (a
// parsed bundle's name and version have no '/', a token is not empty, ...); a broken
// invariant aborts, so libFuzzer reports it as a crash.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "base/status.h"

namespace certplane::sync::azure::fuzz {

struct Parser {
  std::string_view name;
  std::optional<Status> (*parse)(std::string_view input);
};

// "ParseTokenResponse": the input as the body of a 200 from the token endpoint.
// "ParseCertificateBundle": the input as a certificate bundle (live or deleted).
// "KeyVaultError": the input as the body of a 409; accepted when it carries Key Vault's
//   error object ({"error":{"code":...}}), refused when the mapping has to fall back.
// "ParseBearerChallenge": the input as a WWW-Authenticate header value.
std::span<const Parser> AllParsers();

// The libFuzzer targets' bodies.
void FuzzTokenResponse(std::string_view input);
void FuzzCertificateBundle(std::string_view input);
void FuzzKeyVaultError(std::string_view input);
void FuzzBearerChallenge(std::string_view input);

}  // namespace certplane::sync::azure::fuzz

// The ACME protocol core's parsers of untrusted input, as the corpus test and the
// libFuzzer targets drive them.
//
// Each parser takes the raw bytes a client controls and returns nullopt when the input
// is accepted, or the Problem refusing it. When an input is accepted, the parser also
// checks invariants (a parsed JWK re-parses to the same key and thumbprint, a parsed
// JWS has exactly one of kid and jwk, ...); a broken invariant aborts, so libFuzzer
// reports it as a crash.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "acme/problem.h"

namespace certplane::acme::fuzz {

struct Parser {
  std::string_view name;
  std::optional<Problem> (*parse)(std::string_view input);
};

// "ParseJws": ParseJws, then VerifyJws with the embedded jwk, or for a kid with the
//   fixed account key (RFC 7515 appendix A.3's P-256 key).
// "Jwk::FromJson": the input parsed as JSON (any JSON value), then Jwk::FromJson.
// "VerifyExternalAccountBinding": the input parsed as JSON, then verified against the
//   fixed account key, newAccount URL, kid and MAC key (make_corpus.py uses the same).
std::span<const Parser> AllParsers();

// The libFuzzer targets' bodies.
void FuzzJws(std::string_view input);
void FuzzJwk(std::string_view input);
void FuzzEab(std::string_view input);

}  // namespace certplane::acme::fuzz

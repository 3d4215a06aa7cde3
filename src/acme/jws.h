// JWS for ACME (RFC 7515 as profiled by RFC 8555 section 6.2): parsing a request body,
// verifying its signature with the account key, and signing (for tests, the bench
// client and key rollover).
//
//   ProblemOr<JwsMessage> jws = ParseJws(body);             // structure only
//   if (!jws.ok()) return jws.problem();
//   // check jws->header.nonce (NonceSource::Redeem) and jws->header.url, find the key:
//   const Jwk& key = jws->header.jwk ? *jws->header.jwk : AccountKey(*jws->header.kid);
//   if (std::optional<Problem> bad = VerifyJws(*jws, key)) return *bad;
//   // jws->payload is now authentic; "" with post_as_get for POST-as-GET.
//
// Only the flattened JSON serialization is accepted, with exactly the members
// protected, payload and signature; the algorithms are RS256, ES256, ES384 and EdDSA.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "acme/jwk.h"
#include "acme/problem.h"
#include "pki/key.h"

namespace certplane::acme {

// The largest request body ParseJws reads (a CSR of a 4096-bit key with many SANs fits
// many times over).
inline constexpr std::size_t kMaxJwsBodyBytes = std::size_t{64} * 1024;

// The JWS algorithms ACME clients may sign with, as the detail of badSignatureAlgorithm
// lists them.
inline constexpr std::string_view kAcceptedJwsAlgorithms = "RS256, ES256, ES384, EdDSA";

struct JwsHeader {
  std::string alg;                 // RS256, ES256, ES384, EdDSA only
  std::string nonce;               // required; strict base64url
  std::string url;                 // required
  std::optional<std::string> kid;  // exactly one of kid and jwk
  std::optional<Jwk> jwk;
};

struct JwsMessage {
  JwsHeader header;
  std::string payload;        // decoded bytes; "" for POST-as-GET
  bool post_as_get = false;   // the payload field was the empty string
  std::string signing_input;  // protected "." payload, as received
  std::string signature;      // decoded bytes
};

// Parses a flattened JWS (RFC 7515 section 7.2.2). Problems:
//  - malformed: a body over kMaxJwsBodyBytes; not a JSON object; a member other than
//    protected/payload/signature (an unprotected "header", the general serialization's
//    "signatures"); a member missing or not a string; bad base64url; a protected
//    header that is not a JSON object; nonce or url missing, empty or not a string;
//    a nonce that is not base64url; both or neither of kid and jwk; "crit" or "b64"
//    in the protected header; a jwk that Jwk::FromJson calls malformed.
//  - badSignatureAlgorithm: alg missing, "none", HS256/384/512 or any other alg
//    outside kAcceptedJwsAlgorithms (the detail lists them).
//  - badPublicKey: a jwk that Jwk::FromJson refuses as a key.
// Every detail names the field ("protected header: nonce is missing").
// An inner JWS (keyChange, RFC 8555 7.3.5) has no nonce: require_nonce = false then
// refuses one instead.
struct JwsParseOptions {
  bool require_nonce = true;
};
ProblemOr<JwsMessage> ParseJws(std::string_view body, const JwsParseOptions& options = {});

// Verifies the signature of a parsed JWS with `key`. nullopt when it verifies;
// otherwise:
//  - badSignatureAlgorithm: alg does not fit the key (RS256 needs RSA, ES256 P-256,
//    ES384 P-384, EdDSA Ed25519);
//  - malformed "JWS signature: ES256 wants 64 bytes (r||s), got 70" for an ECDSA
//    signature of the wrong length;
//  - malformed "JWS signature does not verify" (what Boulder and Pebble answer).
std::optional<Problem> VerifyJws(const JwsMessage& jws, const Jwk& key);

// Signs `payload` with `key` as a flattened JWS and returns its JSON text.
// protected_header (a JSON object, or null for {}) gets "alg" added: RS256, ES256,
// ES384 or EdDSA from the key. payload "" makes a POST-as-GET. Returns "" only when
// OpenSSL fails to sign (out of memory).
std::string SignJws(const pki::PrivateKey& key, nlohmann::json protected_header, std::string_view payload);

// The JWS alg for a key: "RS256", "ES256", "ES384" or "EdDSA".
std::string_view JwsAlgorithmFor(pki::KeyAlgorithm algorithm);

// Parses `text` as one JSON object the way ParseJws parses its parts: strict JSON
// (RFC 8259, UTF-8), no duplicate member names at any level (RFC 7515 section 5.2
// allows refusing them, and two readers disagreeing on which one counts is how
// signature bypasses happen), nesting at most 32 deep. malformed otherwise, with a
// detail that starts with `what` ("protected header is not valid JSON").
// Also for the server's payloads (newAccount, newOrder, ...).
ProblemOr<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view what);

}  // namespace certplane::acme

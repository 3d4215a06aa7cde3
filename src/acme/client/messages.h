// The pure half of the test and benchmark ACME client (acme_client.h): reading the
// server's JSON (directory, orders, authorizations, problems, Retry-After) and building
// the request payloads that are more than one line (revocation, key change). No I/O,
// so all of it is unit-tested.
//
//   std::optional<Problem> p = ParseProblemDocument(json);   // badNonce, malformed, ...
//   OrderView order = OrderView::FromJson(json);             // status, authorizations, ...
//   nlohmann::json inner = KeyChangeInnerJws(new_key, key_change_url, account_url, old_key.public_key());
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "acme/problem.h"
#include "pki/key.h"
#include "pki/types.h"

namespace certplane::acme::client {

// An RFC 8555 problem document; nullopt when `json` is not an object whose "type" is
// an ACME error URN ("urn:ietf:params:acme:error:<name>") this code knows. Subproblems
// and their identifiers are read too.
std::optional<Problem> ParseProblemDocument(const nlohmann::json& document);

// The ProblemType named `name` ("badNonce"), or nullopt.
std::optional<ProblemType> ProblemTypeFromName(std::string_view name);

// A Retry-After header in delta-seconds ("3"); nullopt for an empty, negative or
// HTTP-date value (the caller then uses its own interval).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view header);

// The directory (RFC 8555 section 7.1.1). Missing members stay "".
struct Directory {  // NOLINT(bugprone-exception-escape): json's destructor may throw from vector growth
  std::string new_nonce;
  std::string new_account;
  std::string new_order;
  std::string revoke_cert;
  std::string key_change;
  bool external_account_required = false;  // meta.externalAccountRequired
  std::string terms_of_service;            // meta.termsOfService
  nlohmann::json raw;

  static Directory FromJson(const nlohmann::json& document);
};

struct ChallengeView {
  std::string type;  // "http-01", "dns-01", "tls-alpn-01"
  std::string url;
  std::string token;
  std::string status;
  std::optional<Problem> error;
};

struct AuthorizationView {
  std::string identifier_type;
  std::string identifier_value;
  std::string status;
  bool wildcard = false;
  std::vector<ChallengeView> challenges;

  // The challenge of `type`, or nullptr.
  const ChallengeView* Find(std::string_view type) const;
  static AuthorizationView FromJson(const nlohmann::json& document);
};

struct OrderView {
  std::string status;
  std::vector<std::string> identifiers;     // the values
  std::vector<std::string> authorizations;  // URLs
  std::string finalize;
  std::string certificate;  // "" until valid
  std::optional<Problem> error;

  static OrderView FromJson(const nlohmann::json& document);
};

// {"certificate": base64url(DER), "reason": reason} (RFC 8555 section 7.6); the
// reason is left out when nullopt.
nlohmann::json RevocationPayload(const pki::Bytes& certificate_der, std::optional<int> reason);

// {"csr": base64url(DER)} (section 7.4).
nlohmann::json FinalizePayload(const pki::Bytes& csr_der);

// The inner JWS of a key change (section 7.3.5): signed by `new_key` with its JWK and
// url = key_change_url (no nonce), payload {"account": account_url, "oldKey": JWK of
// old_key}. Returns the flattened JWS as a JSON object (null if OpenSSL fails to sign).
nlohmann::json KeyChangeInnerJws(const pki::PrivateKey& new_key, std::string_view key_change_url,
                                 std::string_view account_url, const pki::PublicKey& old_key);

// The protected header of an outer JWS: {"nonce", "url"} plus "kid" when kid is not
// empty, else "jwk" (the key's public JWK).
nlohmann::json ProtectedHeader(const pki::PrivateKey& key, std::string_view kid, std::string_view nonce,
                               std::string_view url);

}  // namespace certplane::acme::client

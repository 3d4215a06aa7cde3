// External Account Binding (RFC 8555 section 7.3.4): a newAccount request proves that
// its sender holds a MAC key the CA handed out (with a key id) out of band, by MACing
// the new account key with it.
//
//   // server, in newAccount, after the outer JWS verified with `account_key`:
//   if (payload.contains("externalAccountBinding")) {
//     if (auto bad = VerifyExternalAccountBinding(payload["externalAccountBinding"], account_key,
//                                                 new_account_url, kid_from_binding, hmac_key))
//       return *bad;
//   }
//   // client side (tests, the bench):
//   payload["externalAccountBinding"] = SignExternalAccountBinding(account_key, url, kid, hmac_key);
//
// The server learns which kid a binding names (to look its MAC key up) with
// ExternalAccountBindingKid, then verifies with that key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "acme/jwk.h"
#include "acme/problem.h"

namespace certplane::acme {

// Verifies `binding`, the externalAccountBinding member of a newAccount payload (a
// flattened JWS whose payload is the account key as a JWK). nullopt when it holds;
// otherwise:
//  - malformed (structure): not a JSON object with exactly the string members
//    protected, payload and signature; bad base64url; a protected header that is not
//    a JSON object; alg missing or not HS256/HS384/HS512; kid or url missing; a nonce
//    present; a payload that is not a public JWK;
//  - unauthorized: kid != expected_kid; a MAC that does not match (compared in
//    constant time); url != new_account_url; a payload key other than account_key;
//    an empty hmac_key.
// hmac_key is the raw MAC key (already base64url-decoded).
std::optional<Problem> VerifyExternalAccountBinding(const nlohmann::json& binding, const Jwk& account_key,
                                                    std::string_view new_account_url, std::string_view expected_kid,
                                                    std::string_view hmac_key);

// The binding a client sends: protected {"alg":"HS256","kid":kid,"url":url}, payload
// the account key's JWK, MACed with HMAC-SHA256 under hmac_key (raw bytes).
nlohmann::json SignExternalAccountBinding(const Jwk& account_key, std::string_view new_account_url,
                                          std::string_view kid, std::string_view hmac_key);

// The kid a binding names, so the server can find its MAC key before verifying;
// malformed as VerifyExternalAccountBinding for a binding whose structure is wrong.
ProblemOr<std::string> ExternalAccountBindingKid(const nlohmann::json& binding);

}  // namespace certplane::acme

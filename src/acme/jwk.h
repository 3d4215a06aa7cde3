// Jwk: an ACME account's public key as a JSON Web Key (RFC 7517, RFC 7518 section 6,
// RFC 8037), its RFC 7638 thumbprint and the key authorization built from it
// (RFC 8555 section 8.1).
//
//   ProblemOr<Jwk> key = Jwk::FromJson(header["jwk"]);      // from a newAccount JWS
//   if (!key.ok()) return key.problem();                     // badPublicKey / malformed
//   std::string id = key->Thumbprint();                      // "NzbLsXh8uDCc..."
//   std::string ka = KeyAuthorization(token, *key);          // "<token>.<thumbprint>"
//
// Accepted keys: RSA with a 2048, 3072 or 4096-bit modulus (see FromJson) and an odd
// public exponent >= 3; EC on P-256 and P-384 with a point on the curve; OKP Ed25519.
// Every member is checked to be the one canonical encoding (strict base64url, no
// leading zero octets in n and e, x and y of exactly the field size), so the
// thumbprint computed here equals the one the client computes from its own JWK.
//
// Jwk is an immutable value: copies share one reference-counted EVP_PKEY and may be
// used from several threads at once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "acme/problem.h"
#include "pki/key.h"

namespace certplane::acme {

class Jwk {
 public:
  // A public JWK (RFC 7517). Refuses, with a detail that names the member:
  //  - malformed: not an object; kty, crv, n, e, x or y missing, not a string or not
  //    strict base64url; x/y of the wrong length; n or e with a leading zero octet;
  //    any private member ("d", "p", "q", "dp", "dq", "qi", "oth", "k"): "a JWK must
  //    not carry a private key".
  //  - badPublicKey: kty other than RSA, EC, OKP; crv other than P-256, P-384, Ed25519;
  //    an RSA modulus outside 2048..8192 bits or an even exponent or one below 3; an
  //    EC point not on the curve.
  // Deviation from "2048..8192": pki::PublicKey (which public_key() returns) holds RSA
  // keys of 2048, 3072 and 4096 bits only, so other sizes inside that range are refused
  // with badPublicKey too ("RSA key size 2056 is not supported (2048, 3072 or 4096)").
  // Members other than the required ones ("alg", "kid", "use", ...) are ignored.
  static ProblemOr<Jwk> FromJson(const nlohmann::json& jwk);

  // The JWK of a key certplane holds (tests, signing helpers, the bench client).
  static Jwk FromPublicKey(const pki::PublicKey& key);

  // RFC 7638: base64url(SHA-256(the canonical JSON of the required members)).
  std::string Thumbprint() const;
  // The required public members only, e.g. {"crv":"P-256","kty":"EC","x":..,"y":..};
  // dump() of it is the canonical RFC 7638 text (members sorted, no whitespace).
  nlohmann::json ToJson() const;
  // The canonical JSON text (what Thumbprint hashes).
  const std::string& canonical_json() const { return canonical_; }

  const pki::PublicKey& public_key() const { return key_; }

  // Same key (same algorithm and public value).
  friend bool operator==(const Jwk& a, const Jwk& b) { return a.key_ == b.key_; }

 private:
  // (name, base64url value) of each required member, sorted by name.
  using Members = std::vector<std::pair<std::string, std::string>>;
  Jwk(pki::PublicKey key, Members members);

  pki::PublicKey key_;
  Members members_;
  std::string canonical_;
};

// The key authorization of a challenge: "<token>.<thumbprint of the account key>".
std::string KeyAuthorization(std::string_view token, const Jwk& account_key);

}  // namespace certplane::acme

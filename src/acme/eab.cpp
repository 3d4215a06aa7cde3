#include "acme/eab.h"

#include <array>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "acme/base64url.h"
#include "acme/jws.h"

namespace certplane::acme {
namespace {

using json = nlohmann::json;

Problem Malformed(std::string detail) {
  return MakeProblem(ProblemType::kMalformed, "externalAccountBinding: " + std::move(detail));
}
Problem Unauthorized(std::string detail) {
  return MakeProblem(ProblemType::kUnauthorized, "externalAccountBinding: " + std::move(detail));
}

const EVP_MD* MacDigest(std::string_view alg) {
  if (alg == "HS256") return EVP_sha256();
  if (alg == "HS384") return EVP_sha384();
  if (alg == "HS512") return EVP_sha512();
  return nullptr;
}

// HMAC(md, key, data); "" if OpenSSL fails.
std::string Mac(const EVP_MD* md, std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  static const unsigned char kNoKey = 0;  // HMAC wants a non-null pointer even for an empty key
  const auto* key_bytes = key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  if (HMAC(md, key_bytes, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out.data(), &len) == nullptr) {
    ERR_clear_error();
    return "";
  }
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

// The binding taken apart; every field checked for structure only.
struct Binding {
  std::string alg;
  std::string kid;
  std::string url;
  std::string signing_input;
  std::string payload;    // decoded
  std::string signature;  // decoded
};

ProblemOr<std::string> Member(const json& object, const char* name, const char* where) {
  auto it = object.find(name);
  if (it == object.end()) return Malformed(std::string(where) + name + " is missing");
  if (!it->is_string()) return Malformed(std::string(where) + name + " is not a string");
  return it->get<std::string>();
}

ProblemOr<Binding> Parse(const json& binding) {
  if (!binding.is_object()) return Malformed("not a JWS object (protected, payload, signature)");
  for (const auto& [name, value] : binding.items()) {
    if (name != "protected" && name != "payload" && name != "signature") {
      return Malformed("unexpected member \"" + name + "\" (only protected, payload, signature)");
    }
  }
  ProblemOr<std::string> protected_b64 = Member(binding, "protected", "");
  if (!protected_b64.ok()) return protected_b64.problem();
  ProblemOr<std::string> payload_b64 = Member(binding, "payload", "");
  if (!payload_b64.ok()) return payload_b64.problem();
  ProblemOr<std::string> signature_b64 = Member(binding, "signature", "");
  if (!signature_b64.ok()) return signature_b64.problem();

  std::optional<std::string> protected_text = Base64UrlDecode(*protected_b64);
  if (!protected_text.has_value()) return Malformed("protected is not base64url");
  ProblemOr<json> header = ParseJsonObject(*protected_text, "externalAccountBinding: protected header");
  if (!header.ok()) return header.problem();

  Binding out;
  ProblemOr<std::string> alg = Member(*header, "alg", "protected header: ");
  if (!alg.ok()) return alg.problem();
  if (MacDigest(*alg) == nullptr) {
    return Malformed("protected header: alg \"" + *alg + "\" is not a MAC algorithm (HS256, HS384, HS512)");
  }
  out.alg = std::move(*alg);
  if (header->contains("nonce")) return Malformed("protected header: a nonce is not allowed (RFC 8555 section 7.3.4)");
  if (header->contains("crit")) return Malformed("protected header: crit is not supported");
  ProblemOr<std::string> kid = Member(*header, "kid", "protected header: ");
  if (!kid.ok()) return kid.problem();
  out.kid = std::move(*kid);
  ProblemOr<std::string> url = Member(*header, "url", "protected header: ");
  if (!url.ok()) return url.problem();
  out.url = std::move(*url);

  std::optional<std::string> payload = Base64UrlDecode(*payload_b64);
  if (!payload.has_value()) return Malformed("payload is not base64url");
  out.payload = std::move(*payload);
  std::optional<std::string> signature = Base64UrlDecode(*signature_b64);
  if (!signature.has_value()) return Malformed("signature is not base64url");
  out.signature = std::move(*signature);
  out.signing_input = *protected_b64 + "." + *payload_b64;
  return out;
}

}  // namespace

ProblemOr<std::string> ExternalAccountBindingKid(const json& binding) {
  ProblemOr<Binding> parsed = Parse(binding);
  if (!parsed.ok()) return parsed.problem();
  return std::move(parsed->kid);
}

std::optional<Problem> VerifyExternalAccountBinding(const json& binding, const Jwk& account_key,
                                                    std::string_view new_account_url, std::string_view expected_kid,
                                                    std::string_view hmac_key) {
  ProblemOr<Binding> parsed = Parse(binding);
  if (!parsed.ok()) return parsed.problem();
  // The payload must be a public JWK whatever it MACs to.
  ProblemOr<json> payload_json = ParseJsonObject(parsed->payload, "externalAccountBinding: payload");
  if (!payload_json.ok()) return payload_json.problem();
  ProblemOr<Jwk> bound_key = Jwk::FromJson(*payload_json);
  if (!bound_key.ok()) return Malformed("payload: " + bound_key.problem().detail);

  if (parsed->kid != expected_kid) return Unauthorized("kid \"" + parsed->kid + "\" is not the expected key id");
  if (hmac_key.empty()) return Unauthorized("no MAC key is configured for kid \"" + parsed->kid + "\"");
  std::string mac = Mac(MacDigest(parsed->alg), hmac_key, parsed->signing_input);
  if (mac.empty()) return MakeProblem(ProblemType::kServerInternal, "externalAccountBinding: computing the MAC failed");
  if (mac.size() != parsed->signature.size() || CRYPTO_memcmp(mac.data(), parsed->signature.data(), mac.size()) != 0) {
    return Unauthorized("the MAC does not verify with the key of kid \"" + parsed->kid + "\"");
  }
  if (parsed->url != new_account_url) {
    return Unauthorized("url \"" + parsed->url + "\" is not the newAccount URL \"" + std::string(new_account_url) +
                        "\"");
  }
  if (!(*bound_key == account_key)) return Unauthorized("the bound key is not the account key of the request");
  return std::nullopt;
}

json SignExternalAccountBinding(const Jwk& account_key, std::string_view new_account_url, std::string_view kid,
                                std::string_view hmac_key) {
  json header = {{"alg", "HS256"}, {"kid", std::string(kid)}, {"url", std::string(new_account_url)}};
  std::string protected_b64 = Base64UrlEncode(header.dump());
  std::string payload_b64 = Base64UrlEncode(account_key.canonical_json());
  std::string mac = Mac(EVP_sha256(), hmac_key, protected_b64 + "." + payload_b64);
  return {{"protected", protected_b64}, {"payload", payload_b64}, {"signature", Base64UrlEncode(mac)}};
}

}  // namespace certplane::acme

#include "acme/jws.h"

#include <array>
#include <set>
#include <vector>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "acme/base64url.h"
#include "pki/handles.h"

namespace certplane::acme {
namespace {

using json = nlohmann::json;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, pki::FreeWith<ECDSA_SIG_free>>;

constexpr int kMaxJsonDepth = 32;

Problem Malformed(std::string detail) { return MakeProblem(ProblemType::kMalformed, std::move(detail)); }

Problem BadAlgorithm(std::string detail) {
  return MakeProblem(ProblemType::kBadSignatureAlgorithm,
                     std::move(detail) + " (accepted: " + std::string(kAcceptedJwsAlgorithms) + ")");
}

bool IsAcceptedAlgorithm(std::string_view alg) {
  return alg == "RS256" || alg == "ES256" || alg == "ES384" || alg == "EdDSA";
}

// The string member `name` of the JWS object; "JWS: protected is missing" otherwise.
ProblemOr<std::string> JwsMember(const json& jws, const char* name) {
  auto it = jws.find(name);
  if (it == jws.end()) return Malformed(std::string("JWS: ") + name + " is missing");
  if (!it->is_string()) return Malformed(std::string("JWS: ") + name + " is not a string");
  return it->get<std::string>();
}

// A required, non-empty string member of the protected header.
ProblemOr<std::string> HeaderString(const json& header, const char* name) {
  auto it = header.find(name);
  if (it == header.end()) return Malformed(std::string("protected header: ") + name + " is missing");
  if (!it->is_string()) return Malformed(std::string("protected header: ") + name + " is not a string");
  if (it->get_ref<const std::string&>().empty())
    return Malformed(std::string("protected header: ") + name + " is empty");
  return it->get<std::string>();
}

// How a JWS alg signs: digest (nullptr for EdDSA) and, for ECDSA, the size of r and s.
struct AlgorithmUse {
  const EVP_MD* md = nullptr;
  int ecdsa_size = 0;
};

// The use of `alg` with a key of `algorithm`, or nullopt when they do not fit.
std::optional<AlgorithmUse> UseFor(std::string_view alg, pki::KeyAlgorithm algorithm) {
  if (alg == "RS256" && pki::IsRsa(algorithm)) return AlgorithmUse{EVP_sha256(), 0};
  if (alg == "ES256" && algorithm == pki::KeyAlgorithm::kEcdsaP256) return AlgorithmUse{EVP_sha256(), 32};
  if (alg == "ES384" && algorithm == pki::KeyAlgorithm::kEcdsaP384) return AlgorithmUse{EVP_sha384(), 48};
  if (alg == "EdDSA" && algorithm == pki::KeyAlgorithm::kEd25519) return AlgorithmUse{nullptr, 0};
  return std::nullopt;
}

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// r||s (each `size` bytes) -> DER ECDSA-Sig-Value; "" if OpenSSL fails.
std::string EcdsaRawToDer(std::string_view raw, int size) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  pki::BignumPtr r(BN_bin2bn(Bytes(raw), size, nullptr));
  pki::BignumPtr s(BN_bin2bn(Bytes(raw) + size, size, nullptr));
  if (!sig || !r || !s) return "";
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return "";
  // ECDSA_SIG_set0 took ownership of r and s: `sig` frees them.
  (void)r.release();
  (void)s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return "";
  pki::OpenSslBuffer<unsigned char> owned(der);  // owns the DER i2d allocated
  return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
}

// DER ECDSA-Sig-Value -> r||s (each `size` bytes); "" if it does not parse.
std::string EcdsaDerToRaw(std::string_view der, int size) {
  const unsigned char* p = Bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return "";
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(static_cast<std::size_t>(2 * size), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, o, size) != size || BN_bn2binpad(s, o + size, size) != size) return "";
  return out;
}

}  // namespace

ProblemOr<json> ParseJsonObject(std::string_view text, std::string_view what) {
  std::vector<std::set<std::string>> keys;  // the member names of each open object
  std::string duplicate;
  bool too_deep = false;
  json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: keys.emplace_back(); [[fallthrough]];
      case json::parse_event_t::array_start:
        if (depth >= kMaxJsonDepth) too_deep = true;
        break;
      case json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys.empty() && parsed.is_string() && !keys.back().insert(parsed.get<std::string>()).second &&
            duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        break;
      default: break;
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Malformed(std::string(what) + " is not valid JSON");
  if (too_deep) return Malformed(std::string(what) + " nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  if (!duplicate.empty()) return Malformed(std::string(what) + " has the member \"" + duplicate + "\" twice");
  if (!value.is_object()) return Malformed(std::string(what) + " is not a JSON object");
  return value;
}

std::string_view JwsAlgorithmFor(pki::KeyAlgorithm algorithm) {
  switch (algorithm) {
    case pki::KeyAlgorithm::kRsa2048:
    case pki::KeyAlgorithm::kRsa3072:
    case pki::KeyAlgorithm::kRsa4096: return "RS256";
    case pki::KeyAlgorithm::kEcdsaP256: return "ES256";
    case pki::KeyAlgorithm::kEcdsaP384: return "ES384";
    case pki::KeyAlgorithm::kEd25519: return "EdDSA";
  }
  return "";
}

ProblemOr<JwsMessage> ParseJws(std::string_view body, const JwsParseOptions& options) {
  if (body.size() > kMaxJwsBodyBytes) {
    return Malformed("JWS: the body is " + std::to_string(body.size()) + " bytes; the limit is " +
                     std::to_string(kMaxJwsBodyBytes));
  }
  ProblemOr<json> outer = ParseJsonObject(body, "JWS (the flattened JSON serialization, RFC 7515 section 7.2.2)");
  if (!outer.ok()) return outer.problem();
  for (const auto& [name, value] : outer->items()) {
    if (name == "header") return Malformed("JWS: an unprotected \"header\" is not allowed (RFC 8555 section 6.2)");
    if (name == "signatures") {
      return Malformed("JWS: the general serialization (\"signatures\") is not supported; send the flattened form");
    }
    if (name != "protected" && name != "payload" && name != "signature") {
      return Malformed("JWS: unexpected member \"" + name + "\" (only protected, payload, signature)");
    }
  }
  ProblemOr<std::string> protected_b64 = JwsMember(*outer, "protected");
  if (!protected_b64.ok()) return protected_b64.problem();
  ProblemOr<std::string> payload_b64 = JwsMember(*outer, "payload");
  if (!payload_b64.ok()) return payload_b64.problem();
  ProblemOr<std::string> signature_b64 = JwsMember(*outer, "signature");
  if (!signature_b64.ok()) return signature_b64.problem();

  std::optional<std::string> protected_text = Base64UrlDecode(*protected_b64);
  if (!protected_text.has_value()) return Malformed("JWS: protected is not base64url");
  ProblemOr<json> header = ParseJsonObject(*protected_text, "protected header");
  if (!header.ok()) return header.problem();

  JwsMessage message;
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return BadAlgorithm("protected header: alg is missing");
  message.header.alg = alg->get<std::string>();
  if (!IsAcceptedAlgorithm(message.header.alg)) {
    return BadAlgorithm("protected header: alg \"" + message.header.alg + "\" is not accepted");
  }
  if (header->contains("crit"))
    return Malformed("protected header: crit is not supported (no extension is understood)");
  if (header->contains("b64")) return Malformed("protected header: b64 (RFC 7797) is not supported");

  bool has_kid = header->contains("kid");
  bool has_jwk = header->contains("jwk");
  if (has_kid && has_jwk) return Malformed("protected header: both jwk and kid are present; send exactly one");
  if (!has_kid && !has_jwk) return Malformed("protected header: one of jwk and kid is required");
  if (has_kid) {
    ProblemOr<std::string> kid = HeaderString(*header, "kid");
    if (!kid.ok()) return kid.problem();
    message.header.kid = std::move(*kid);
  } else {
    ProblemOr<Jwk> jwk = Jwk::FromJson(header->at("jwk"));
    if (!jwk.ok()) {
      Problem problem = jwk.problem();
      problem.detail = "protected header: " + problem.detail;
      return problem;
    }
    message.header.jwk = std::move(*jwk);
  }

  if (options.require_nonce) {
    ProblemOr<std::string> nonce = HeaderString(*header, "nonce");
    if (!nonce.ok()) return nonce.problem();
    if (!Base64UrlDecode(*nonce).has_value()) return Malformed("protected header: nonce is not base64url");
    message.header.nonce = std::move(*nonce);
  } else if (header->contains("nonce")) {
    return Malformed("protected header: this JWS must not carry a nonce");
  }
  ProblemOr<std::string> url = HeaderString(*header, "url");
  if (!url.ok()) return url.problem();
  message.header.url = std::move(*url);

  if (payload_b64->empty()) {
    message.post_as_get = true;
  } else {
    std::optional<std::string> payload = Base64UrlDecode(*payload_b64);
    if (!payload.has_value()) return Malformed("JWS: payload is not base64url");
    message.payload = std::move(*payload);
  }
  std::optional<std::string> signature = Base64UrlDecode(*signature_b64);
  if (!signature.has_value()) return Malformed("JWS: signature is not base64url");
  if (signature->empty()) return Malformed("JWS: signature is empty");
  message.signature = std::move(*signature);
  message.signing_input = *protected_b64 + "." + *payload_b64;
  return message;
}

std::optional<Problem> VerifyJws(const JwsMessage& jws, const Jwk& key) {
  const pki::PublicKey& public_key = key.public_key();
  std::optional<AlgorithmUse> use = UseFor(jws.header.alg, public_key.algorithm());
  if (!use.has_value()) {
    return BadAlgorithm("JWS alg \"" + jws.header.alg + "\" does not fit the " +
                        std::string(pki::KeyAlgorithmName(public_key.algorithm())) + " key, which signs with " +
                        std::string(JwsAlgorithmFor(public_key.algorithm())));
  }
  std::string der;
  std::string_view signature = jws.signature;
  if (use->ecdsa_size > 0) {
    auto want = 2 * static_cast<std::size_t>(use->ecdsa_size);
    if (signature.size() != want) {
      return Malformed("JWS signature: " + jws.header.alg + " wants " + std::to_string(want) + " bytes (r||s), got " +
                       std::to_string(signature.size()));
    }
    der = EcdsaRawToDer(signature, use->ecdsa_size);
    if (der.empty()) {
      ERR_clear_error();
      return MakeProblem(ProblemType::kServerInternal, "converting an ECDSA signature failed");
    }
    signature = der;
  }
  pki::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, use->md, nullptr, public_key.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(jws.signing_input),
                             jws.signing_input.size()) == 1;
  ERR_clear_error();
  if (!ok) return Malformed("JWS signature does not verify");
  return std::nullopt;
}

std::string SignJws(const pki::PrivateKey& key, json protected_header, std::string_view payload) {
  if (protected_header.is_null()) protected_header = json::object();
  std::string alg(JwsAlgorithmFor(key.algorithm()));
  protected_header["alg"] = alg;
  std::string signing_input = Base64UrlEncode(protected_header.dump()) + "." + Base64UrlEncode(payload);

  std::optional<AlgorithmUse> use = UseFor(alg, key.algorithm());
  pki::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!use.has_value() || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, use->md, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, Bytes(signing_input), signing_input.size()) != 1) {
    ERR_clear_error();
    return "";
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, Bytes(signing_input),
                     signing_input.size()) != 1) {
    ERR_clear_error();
    return "";
  }
  signature.resize(len);
  if (use->ecdsa_size > 0) {
    signature = EcdsaDerToRaw(signature, use->ecdsa_size);
    if (signature.empty()) {
      ERR_clear_error();
      return "";
    }
  }
  std::string::size_type dot = signing_input.find('.');
  json jws = {
      {"protected", signing_input.substr(0, dot)},
      {"payload", signing_input.substr(dot + 1)},
      {"signature", Base64UrlEncode(signature)},
  };
  return jws.dump();
}

}  // namespace certplane::acme

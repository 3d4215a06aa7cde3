#include "acme/jwk.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "acme/base64url.h"
#include "pki/handles.h"

namespace certplane::acme {
namespace {

using pki::BignumPtr;
using pki::EvpPkeyCtxPtr;
using pki::EvpPkeyPtr;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, pki::FreeWith<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, pki::FreeWith<OSSL_PARAM_free>>;

constexpr std::array<std::string_view, 8> kPrivateMembers = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

Problem Malformed(std::string detail) { return MakeProblem(ProblemType::kMalformed, "jwk: " + std::move(detail)); }
Problem BadKey(std::string detail) { return MakeProblem(ProblemType::kBadPublicKey, "jwk: " + std::move(detail)); }

// The string member `name`, decoded from strict base64url.
ProblemOr<std::string> DecodedMember(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return Malformed(std::string(name) + " is missing");
  if (!it->is_string()) return Malformed(std::string(name) + " is not a string");
  std::optional<std::string> bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes.has_value()) return Malformed(std::string(name) + " is not base64url (RFC 7515 section 2, no padding)");
  if (bytes->empty()) return Malformed(std::string(name) + " is empty");
  return std::move(*bytes);
}

ProblemOr<std::string> StringMember(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return Malformed(std::string(name) + " is missing");
  if (!it->is_string()) return Malformed(std::string(name) + " is not a string");
  return it->get<std::string>();
}

int BitLength(std::string_view big_endian) {
  auto top = static_cast<unsigned char>(big_endian.front());
  int bits = 0;
  while (top != 0) {
    ++bits;
    top >>= 1;
  }
  return static_cast<int>(big_endian.size() - 1) * 8 + bits;
}

BignumPtr ToBignum(std::string_view bytes) {
  return BignumPtr(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

// EVP_PKEY_fromdata for the key type `type` ("RSA", "EC") with `params`.
EvpPkeyPtr FromData(const char* type, const OSSL_PARAM* params) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) != 1) return nullptr;
  return EvpPkeyPtr(raw);
}

ProblemOr<EvpPkeyPtr> RsaKey(const nlohmann::json& jwk) {
  ProblemOr<std::string> n = DecodedMember(jwk, "n");
  if (!n.ok()) return n.problem();
  ProblemOr<std::string> e = DecodedMember(jwk, "e");
  if (!e.ok()) return e.problem();
  // RFC 7518 section 6.3.1: the minimum number of octets, so the thumbprint is unique.
  if (n->front() == '\0') return Malformed("n has a leading zero octet (RFC 7518 section 6.3.1.1)");
  if (e->front() == '\0') return Malformed("e has a leading zero octet (RFC 7518 section 6.3.1.2)");
  int bits = BitLength(*n);
  if (bits < 2048 || bits > 8192) {
    return BadKey("RSA key size " + std::to_string(bits) + " bits is outside 2048..8192");
  }
  if (bits != 2048 && bits != 3072 && bits != 4096) {
    return BadKey("RSA key size " + std::to_string(bits) + " is not supported (2048, 3072 or 4096)");
  }
  if ((static_cast<unsigned char>(n->back()) & 1) == 0) return BadKey("the RSA modulus n is even");
  if (e->size() > 8) return BadKey("the RSA exponent e is longer than 64 bits");
  if ((static_cast<unsigned char>(e->back()) & 1) == 0) return BadKey("the RSA exponent e is even");
  if (e->size() == 1 && static_cast<unsigned char>(e->front()) < 3) return BadKey("the RSA exponent e is below 3");

  BignumPtr bn_n = ToBignum(*n);
  BignumPtr bn_e = ToBignum(*e);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    ERR_clear_error();
    return MakeProblem(ProblemType::kServerInternal, "jwk: allocating an RSA key failed");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyPtr key = params ? FromData("RSA", params.get()) : nullptr;
  ERR_clear_error();
  if (!key) return BadKey("OpenSSL refused the RSA key");
  return key;
}

ProblemOr<EvpPkeyPtr> EcKey(const nlohmann::json& jwk, const std::string& crv) {
  const char* group = nullptr;
  std::size_t size = 0;
  if (crv == "P-256") {
    group = "prime256v1";
    size = 32;
  } else if (crv == "P-384") {
    group = "secp384r1";
    size = 48;
  } else {
    return BadKey("EC curve \"" + crv + "\" is not supported (P-256, P-384)");
  }
  ProblemOr<std::string> x = DecodedMember(jwk, "x");
  if (!x.ok()) return x.problem();
  ProblemOr<std::string> y = DecodedMember(jwk, "y");
  if (!y.ok()) return y.problem();
  if (x->size() != size) {
    return Malformed("x of a " + crv + " key must be " + std::to_string(size) + " bytes, not " +
                     std::to_string(x->size()));
  }
  if (y->size() != size) {
    return Malformed("y of a " + crv + " key must be " + std::to_string(size) + " bytes, not " +
                     std::to_string(y->size()));
  }
  std::string point = "\x04" + *x + *y;  // SEC 1 uncompressed point
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    ERR_clear_error();
    return MakeProblem(ProblemType::kServerInternal, "jwk: allocating an EC key failed");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyPtr key = params ? FromData("EC", params.get()) : nullptr;
  bool valid = false;
  if (key) {
    // Decoding the point already checks it lies on the curve; the public key check
    // also refuses the point at infinity and points outside the prime-order subgroup.
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    valid = check && EVP_PKEY_public_check(check.get()) == 1;
  }
  ERR_clear_error();
  if (!valid) return BadKey("the point (x, y) is not on " + crv);
  return key;
}

ProblemOr<EvpPkeyPtr> OkpKey(const nlohmann::json& jwk, const std::string& crv) {
  if (crv != "Ed25519") return BadKey("OKP curve \"" + crv + "\" is not supported (Ed25519)");
  ProblemOr<std::string> x = DecodedMember(jwk, "x");
  if (!x.ok()) return x.problem();
  if (x->size() != 32) return Malformed("x of an Ed25519 key must be 32 bytes, not " + std::to_string(x->size()));
  EvpPkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                             reinterpret_cast<const unsigned char*>(x->data()), x->size()));
  ERR_clear_error();
  if (!key) return BadKey("OpenSSL refused the Ed25519 key");
  return key;
}

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "acme::Jwk: %s\n", what);
  std::abort();
}

std::string BignumParam(EVP_PKEY* key, const char* name, int pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) Die("reading a public key parameter failed");
  BignumPtr bn(raw);  // owns the copy OpenSSL made
  int size = pad_to > 0 ? pad_to : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size) != size)
    Die("encoding a bignum failed");
  return out;
}

}  // namespace

Jwk::Jwk(pki::PublicKey key, Members members) : key_(std::move(key)), members_(std::move(members)) {
  std::sort(members_.begin(), members_.end());
  canonical_ = ToJson().dump();
}

ProblemOr<Jwk> Jwk::FromJson(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return Malformed("not a JSON object");
  for (std::string_view name : kPrivateMembers) {
    if (jwk.contains(name))
      return Malformed("a JWK must not carry a private key (member \"" + std::string(name) + "\")");
  }
  ProblemOr<std::string> kty = StringMember(jwk, "kty");
  if (!kty.ok()) return kty.problem();

  ProblemOr<EvpPkeyPtr> key = BadKey("kty \"" + *kty + "\" is not supported (RSA, EC, OKP)");
  std::string crv;
  if (*kty == "RSA") {
    key = RsaKey(jwk);
  } else if (*kty == "EC" || *kty == "OKP") {
    ProblemOr<std::string> c = StringMember(jwk, "crv");
    if (!c.ok()) return c.problem();
    crv = *c;
    key = *kty == "EC" ? EcKey(jwk, crv) : OkpKey(jwk, crv);
  }
  if (!key.ok()) return key.problem();
  Result<pki::PublicKey> public_key = pki::PublicKey::FromEvp(std::move(*key));
  if (!public_key.ok()) return BadKey(public_key.status().message());
  return FromPublicKey(*public_key);
}

Jwk Jwk::FromPublicKey(const pki::PublicKey& key) {
  EVP_PKEY* evp = key.get();
  Members members;
  switch (key.algorithm()) {
    case pki::KeyAlgorithm::kRsa2048:
    case pki::KeyAlgorithm::kRsa3072:
    case pki::KeyAlgorithm::kRsa4096:
      members = {{"kty", "RSA"},
                 {"n", Base64UrlEncode(BignumParam(evp, OSSL_PKEY_PARAM_RSA_N, 0))},
                 {"e", Base64UrlEncode(BignumParam(evp, OSSL_PKEY_PARAM_RSA_E, 0))}};
      break;
    case pki::KeyAlgorithm::kEcdsaP256:
    case pki::KeyAlgorithm::kEcdsaP384: {
      bool p256 = key.algorithm() == pki::KeyAlgorithm::kEcdsaP256;
      int size = p256 ? 32 : 48;
      members = {{"kty", "EC"},
                 {"crv", p256 ? "P-256" : "P-384"},
                 {"x", Base64UrlEncode(BignumParam(evp, OSSL_PKEY_PARAM_EC_PUB_X, size))},
                 {"y", Base64UrlEncode(BignumParam(evp, OSSL_PKEY_PARAM_EC_PUB_Y, size))}};
      break;
    }
    case pki::KeyAlgorithm::kEd25519: {
      std::string x(32, '\0');
      std::size_t len = x.size();
      if (EVP_PKEY_get_raw_public_key(evp, reinterpret_cast<unsigned char*>(x.data()), &len) != 1 || len != 32) {
        Die("reading an Ed25519 public key failed");
      }
      members = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(x)}};
      break;
    }
  }
  return Jwk(key, std::move(members));
}

std::string Jwk::Thumbprint() const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(canonical_.data(), canonical_.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
    Die("SHA-256 failed");
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

nlohmann::json Jwk::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : members_) out[name] = value;
  return out;
}

std::string KeyAuthorization(std::string_view token, const Jwk& account_key) {
  std::string out(token);
  out += '.';
  out += account_key.Thumbprint();
  return out;
}

}  // namespace certplane::acme

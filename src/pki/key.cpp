#include "pki/key.h"

#include <algorithm>
#include <cctype>

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "base/text.h"
#include "pki/errors.h"
#include "pki/internal/asn1.h"
#include "pki/internal/hex.h"
#include "pki/internal/key_decoder.h"
#include "pki/internal/rsa_keygen.h"
#include "pki/pem.h"

namespace certplane::pki {
namespace {

Result<KeyAlgorithm> Classify(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: {
      int bits = EVP_PKEY_get_bits(key);
      if (bits == 2048) return KeyAlgorithm::kRsa2048;
      if (bits == 3072) return KeyAlgorithm::kRsa3072;
      if (bits == 4096) return KeyAlgorithm::kRsa4096;
      return InvalidArgument("unsupported RSA key size " + std::to_string(bits) + " (supported: 2048, 3072, 4096)");
    }
    case EVP_PKEY_RSA_PSS: return InvalidArgument("unsupported key type RSA-PSS (use an rsaEncryption key)");
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) {
        ClearOpenSslErrors();
        return InvalidArgument("unsupported EC key: explicit or unnamed curve parameters");
      }
      std::string_view name(group, len);
      if (name == "prime256v1" || name == "P-256") return KeyAlgorithm::kEcdsaP256;
      if (name == "secp384r1" || name == "P-384") return KeyAlgorithm::kEcdsaP384;
      return InvalidArgument("unsupported EC curve " + std::string(name) + " (supported: P-256, P-384)");
    }
    case EVP_PKEY_ED25519: return KeyAlgorithm::kEd25519;
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return InvalidArgument(std::string("unsupported key type ") + (name != nullptr ? name : "unknown") +
                             " (supported: RSA, ECDSA P-256/P-384, Ed25519)");
    }
  }
}

bool HasPrivatePart(EVP_PKEY* key) {
  bool has = false;
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
    size_t len = 0;
    has = EVP_PKEY_get_raw_private_key(key, nullptr, &len) == 1 && len > 0;
  } else {
    const char* param = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY;
    BIGNUM* raw = nullptr;
    // A built-in (legacy) public-only EC key answers with a zero scalar rather than
    // failing; zero is no private key of any algorithm.
    has = EVP_PKEY_get_bn_param(key, param, &raw) == 1 && raw != nullptr && !BN_is_zero(raw);
    SecretBignumPtr owned(raw);  // owns the copy of the private scalar; cleared on free
  }
  ClearOpenSslErrors();
  return has;
}

Result<PrivateKey> FromPkcs8Der(ByteView der) {
  Result<Pkcs8PrivKeyInfoPtr> p8 = internal::DecodeDer<Pkcs8PrivKeyInfoPtr>(
      der, d2i_PKCS8_PRIV_KEY_INFO, i2d_PKCS8_PRIV_KEY_INFO, "PKCS#8 private key", internal::Encoding::kBer);
  if (!p8.ok()) return p8.status();
  // Through this thread's decoder for the key's type (key_decoder.h); OpenSSL's own path
  // for other types and for its error.
  const ASN1_OBJECT* algorithm = nullptr;
  char keytype[64] = {};
  if (PKCS8_pkey_get0(&algorithm, nullptr, nullptr, nullptr, p8->get()) == 1 &&
      OBJ_obj2txt(keytype, sizeof(keytype), algorithm, /*no_name=*/0) > 0) {
    if (EvpPkeyPtr key = internal::DecodePrivateKeyDer(der, internal::KeyStructure::kPkcs8, keytype)) {
      return PrivateKey::FromEvp(std::move(key));
    }
  }
  ClearOpenSslErrors();
  EvpPkeyPtr key(EVP_PKCS82PKEY(p8->get()));
  if (!key) return OpenSslError(StatusCode::kInvalidArgument, "decoding the PKCS#8 private key");
  return PrivateKey::FromEvp(std::move(key));
}

Result<PrivateKey> FromTraditionalDer(int type, ByteView der, std::string_view what) {
  std::string_view keytype = type == EVP_PKEY_RSA ? "RSA" : type == EVP_PKEY_EC ? "EC" : "";
  if (EvpPkeyPtr key = internal::DecodePrivateKeyDer(der, internal::KeyStructure::kTypeSpecific, keytype)) {
    return PrivateKey::FromEvp(std::move(key));
  }
  auto d2i = [type](EVP_PKEY** out, const unsigned char** p, long len) { return d2i_PrivateKey(type, out, p, len); };
  Result<EvpPkeyPtr> key = internal::DecodeDer<EvpPkeyPtr>(der, d2i, i2d_PrivateKey, what, internal::Encoding::kBer);
  if (!key.ok()) return key.status();
  return PrivateKey::FromEvp(std::move(*key));
}

Result<SensitiveString> WritePrivatePem(EVP_PKEY* key, bool traditional) {
  ClearOpenSslErrors();
  Result<BioPtr> bio = internal::SecureMemoryBio();
  if (!bio.ok()) return bio.status();
  int ok = traditional ? PEM_write_bio_PrivateKey_traditional(bio->get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                       : PEM_write_bio_PKCS8PrivateKey(bio->get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  if (ok != 1) return OpenSslError(StatusCode::kInternal, "writing the private key as PEM");
  return internal::SensitiveBioContents(bio->get());
}

}  // namespace

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048: return "RSA-2048";
    case KeyAlgorithm::kRsa3072: return "RSA-3072";
    case KeyAlgorithm::kRsa4096: return "RSA-4096";
    case KeyAlgorithm::kEcdsaP256: return "ECDSA-P256";
    case KeyAlgorithm::kEcdsaP384: return "ECDSA-P384";
    case KeyAlgorithm::kEd25519: return "Ed25519";
  }
  return "unknown";
}

Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name) {
  auto equal = AsciiEqualIgnoringCase;
  for (KeyAlgorithm a : kAllKeyAlgorithms) {
    if (equal(name, KeyAlgorithmName(a))) return a;
  }
  return InvalidArgument("unknown key algorithm \"" + std::string(name) +
                         "\" (want RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384 or Ed25519)");
}

bool IsRsa(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::kRsa2048 || algorithm == KeyAlgorithm::kRsa3072 ||
         algorithm == KeyAlgorithm::kRsa4096;
}

Result<PublicKey> PublicKey::FromEvp(EvpPkeyPtr key) {
  if (!key) return InvalidArgument("no public key");
  Result<KeyAlgorithm> algorithm = Classify(key.get());
  if (!algorithm.ok()) return algorithm.status();
  return PublicKey(std::move(key), *algorithm);
}

Bytes PublicKey::ToDer() const {
  Result<Bytes> der = internal::EncodeDer(key_.get(), i2d_PUBKEY, "a public key");
  // Encoding a key that OpenSSL already holds fails only when memory runs out.
  return der.ok() ? std::move(*der) : Bytes{};
}

std::string PublicKey::ToPem() const { return EncodePem("PUBLIC KEY", ToDer()); }

std::string PublicKey::Sha256Fingerprint() const {
  Bytes der = ToDer();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(der.data(), der.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return internal::LowerHex(ByteView(md, len));
}

bool operator==(const PublicKey& a, const PublicKey& b) {
  bool eq = a.algorithm_ == b.algorithm_ && EVP_PKEY_eq(a.key_.get(), b.key_.get()) == 1;
  ClearOpenSslErrors();
  return eq;
}

Result<PrivateKey> PrivateKey::FromEvp(EvpPkeyPtr key) {
  if (!key) return InvalidArgument("no private key");
  Result<KeyAlgorithm> algorithm = Classify(key.get());
  if (!algorithm.ok()) return algorithm.status();
  if (!HasPrivatePart(key.get())) return InvalidArgument("the key has no private part");
  return PrivateKey(std::move(key), *algorithm);
}

PublicKey PrivateKey::public_key() const {
  // Shares the EVP_PKEY: every use of PublicKey reads only the public half.
  return PublicKey(ShareEvpPkey(key_.get()), algorithm_);
}

Result<SensitiveString> PrivateKey::ToPkcs8Pem() const { return WritePrivatePem(key_.get(), false); }

Result<SensitiveString> PrivateKey::ToPkcs1Pem() const {
  if (!IsRsa(algorithm_)) {
    return InvalidArgument("PKCS#1 encoding exists only for RSA keys, not " +
                           std::string(KeyAlgorithmName(algorithm_)));
  }
  return WritePrivatePem(key_.get(), true);
}

Result<PrivateKey> GeneratePrivateKey(KeyAlgorithm algorithm) {
  ClearOpenSslErrors();
  if (IsRsa(algorithm)) {
    // Not EVP_PKEY_keygen: OpenSSL 3.0's RSA generator is four times slower than it
    // needs to be (internal/rsa_keygen.h).
    int bits = algorithm == KeyAlgorithm::kRsa2048 ? 2048 : algorithm == KeyAlgorithm::kRsa3072 ? 3072 : 4096;
    Result<EvpPkeyPtr> key = internal::GenerateRsaKey(bits);
    if (!key.ok())
      return key.status().WithContext("generating an " + std::string(KeyAlgorithmName(algorithm)) + " key");
    return PrivateKey::FromEvp(std::move(*key));
  }
  const char* type = IsRsa(algorithm) ? "RSA" : algorithm == KeyAlgorithm::kEd25519 ? "ED25519" : "EC";
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    return OpenSslError(StatusCode::kInternal,
                        "preparing to generate an " + std::string(KeyAlgorithmName(algorithm)) + " key");
  }
  int ok = 1;
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048: ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048); break;
    case KeyAlgorithm::kRsa3072: ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 3072); break;
    case KeyAlgorithm::kRsa4096: ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 4096); break;
    case KeyAlgorithm::kEcdsaP256: ok = EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256"); break;
    case KeyAlgorithm::kEcdsaP384: ok = EVP_PKEY_CTX_set_group_name(ctx.get(), "P-384"); break;
    case KeyAlgorithm::kEd25519: break;
  }
  EVP_PKEY* raw = nullptr;
  if (ok != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return OpenSslError(StatusCode::kInternal, "generating an " + std::string(KeyAlgorithmName(algorithm)) + " key");
  }
  return PrivateKey::FromEvp(EvpPkeyPtr(raw));
}

Result<PrivateKey> ParsePrivateKeyPem(std::string_view pem) {
  Result<std::vector<PemBlock>> blocks = DecodePem(pem);
  if (!blocks.ok()) return blocks.status().WithContext("parsing a private key");
  const PemBlock* found = nullptr;
  for (const PemBlock& block : *blocks) {
    if (block.label == "EC PARAMETERS") continue;  // `openssl ecparam -genkey` writes it first
    if (found != nullptr) return InvalidArgument("parsing a private key: expected one key PEM block, found several");
    found = &block;
  }
  if (found == nullptr) return InvalidArgument("parsing a private key: no key PEM block, only EC PARAMETERS");
  Result<PrivateKey> key = InvalidArgument("unreachable");
  if (found->label == "PRIVATE KEY") {
    key = FromPkcs8Der(found->der);
  } else if (found->label == "RSA PRIVATE KEY") {
    key = FromTraditionalDer(EVP_PKEY_RSA, found->der, "PKCS#1 RSA private key");
  } else if (found->label == "EC PRIVATE KEY") {
    key = FromTraditionalDer(EVP_PKEY_EC, found->der, "SEC 1 EC private key");
  } else if (found->label == "ENCRYPTED PRIVATE KEY") {
    return InvalidArgument("parsing a private key: encrypted private keys are not supported");
  } else {
    return InvalidArgument("parsing a private key: expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY, found " +
                           found->label);
  }
  if (!key.ok()) return key.status().WithContext("parsing a private key");
  return key;
}

Result<PrivateKey> ParsePrivateKeyDer(ByteView der) {
  Result<PrivateKey> key = FromPkcs8Der(der);
  if (!key.ok()) return key.status().WithContext("parsing a private key");
  return key;
}

Result<PublicKey> ParsePublicKeyDer(ByteView der) {
  Result<EvpPkeyPtr> key =
      internal::DecodeDer<EvpPkeyPtr>(der, d2i_PUBKEY, i2d_PUBKEY, "SubjectPublicKeyInfo", internal::Encoding::kBer);
  if (!key.ok()) return key.status().WithContext("parsing a public key");
  Result<PublicKey> pub = PublicKey::FromEvp(std::move(*key));
  if (!pub.ok()) return pub.status().WithContext("parsing a public key");
  return pub;
}

Result<PublicKey> ParsePublicKeyPem(std::string_view pem) {
  Result<PemBlock> block = DecodeSinglePem(pem, "PUBLIC KEY");
  if (!block.ok()) return block.status().WithContext("parsing a public key");
  return ParsePublicKeyDer(block->der);
}

}  // namespace certplane::pki

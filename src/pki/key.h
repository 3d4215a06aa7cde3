// key.h: private and public keys of the algorithms certplane issues for.
//
// Generate a CA or workload key, write it to a Secret, read it back:
//
//   Result<PrivateKey> key = GeneratePrivateKey(KeyAlgorithm::kEcdsaP256);
//   if (!key.ok()) return key.status();
//   Result<SensitiveString> pem = key->ToPkcs8Pem();        // "PRIVATE KEY"
//   Result<PrivateKey> again = ParsePrivateKeyPem(pem->view());
//
// Supported: RSA 2048/3072/4096 (public exponent 65537 when generated), ECDSA on P-256
// and P-384, Ed25519. Parsing accepts PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE
// KEY") and SEC 1 ("EC PRIVATE KEY") PEM, and PKCS#8 DER, and refuses any other
// algorithm, curve or RSA size with InvalidArgument.
//
// PrivateKey and PublicKey are immutable values; copies share one reference-counted
// EVP_PKEY, and const use from several threads at once is safe (OpenSSL 3 guarantees it
// for signing and verification with a shared key).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "pki/handles.h"
#include "pki/types.h"

namespace certplane::pki {

enum class KeyAlgorithm {
  kRsa2048,
  kRsa3072,
  kRsa4096,
  kEcdsaP256,
  kEcdsaP384,
  kEd25519,
};

inline constexpr std::array<KeyAlgorithm, 6> kAllKeyAlgorithms = {
    KeyAlgorithm::kRsa2048,   KeyAlgorithm::kRsa3072,   KeyAlgorithm::kRsa4096,
    KeyAlgorithm::kEcdsaP256, KeyAlgorithm::kEcdsaP384, KeyAlgorithm::kEd25519,
};

// "RSA-2048", "RSA-3072", "RSA-4096", "ECDSA-P256", "ECDSA-P384", "Ed25519".
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);
// The inverse of KeyAlgorithmName (case-insensitive); InvalidArgument for other names.
Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name);
bool IsRsa(KeyAlgorithm algorithm);

class PublicKey {
 public:
  // Takes ownership of `key` after checking it is a supported algorithm; InvalidArgument
  // otherwise (e.g. "unsupported RSA key size 1024").
  static Result<PublicKey> FromEvp(EvpPkeyPtr key);

  KeyAlgorithm algorithm() const { return algorithm_; }
  // SubjectPublicKeyInfo, DER and PEM ("PUBLIC KEY").
  Bytes ToDer() const;
  std::string ToPem() const;
  // The SHA-256 of the SubjectPublicKeyInfo DER, lowercase hex: a stable key identity.
  std::string Sha256Fingerprint() const;

  EVP_PKEY* get() const { return key_.get(); }

  PublicKey(const PublicKey& other) : key_(ShareEvpPkey(other.key_.get())), algorithm_(other.algorithm_) {}
  PublicKey& operator=(const PublicKey& other) {
    key_ = ShareEvpPkey(other.key_.get());
    algorithm_ = other.algorithm_;
    return *this;
  }
  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;

  // Same algorithm and same public value.
  friend bool operator==(const PublicKey& a, const PublicKey& b);

 private:
  friend class PrivateKey;  // public_key() shares its EVP_PKEY without re-classifying
  PublicKey(EvpPkeyPtr key, KeyAlgorithm algorithm) : key_(std::move(key)), algorithm_(algorithm) {}
  EvpPkeyPtr key_;
  KeyAlgorithm algorithm_;
};

class PrivateKey {
 public:
  // Takes ownership of `key` after checking it holds a private key of a supported
  // algorithm; InvalidArgument otherwise.
  static Result<PrivateKey> FromEvp(EvpPkeyPtr key);

  KeyAlgorithm algorithm() const { return algorithm_; }
  PublicKey public_key() const;

  // PKCS#8 PEM ("PRIVATE KEY"), unencrypted. Internal only on allocation failure.
  Result<SensitiveString> ToPkcs8Pem() const;
  // PKCS#1 PEM ("RSA PRIVATE KEY"), for consumers that still want it. InvalidArgument
  // for a non-RSA key.
  Result<SensitiveString> ToPkcs1Pem() const;

  EVP_PKEY* get() const { return key_.get(); }

  PrivateKey(const PrivateKey& other) : key_(ShareEvpPkey(other.key_.get())), algorithm_(other.algorithm_) {}
  PrivateKey& operator=(const PrivateKey& other) {
    key_ = ShareEvpPkey(other.key_.get());
    algorithm_ = other.algorithm_;
    return *this;
  }
  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;

 private:
  PrivateKey(EvpPkeyPtr key, KeyAlgorithm algorithm) : key_(std::move(key)), algorithm_(algorithm) {}
  EvpPkeyPtr key_;
  KeyAlgorithm algorithm_;
};

// A fresh key from OpenSSL's default DRBG. Internal if OpenSSL fails (no entropy).
Result<PrivateKey> GeneratePrivateKey(KeyAlgorithm algorithm);

// A private key from PEM: PKCS#8, PKCS#1 (RSA) or SEC 1 (EC). InvalidArgument for
// anything else: no or several PEM blocks, another label (e.g. "ENCRYPTED PRIVATE KEY",
// "CERTIFICATE"), malformed DER, an unsupported algorithm or size.
Result<PrivateKey> ParsePrivateKeyPem(std::string_view pem);
// A private key from PKCS#8 DER; InvalidArgument as above.
Result<PrivateKey> ParsePrivateKeyDer(ByteView der);

// A public key from SubjectPublicKeyInfo PEM ("PUBLIC KEY") or DER; InvalidArgument
// for malformed input or an unsupported algorithm.
Result<PublicKey> ParsePublicKeyPem(std::string_view pem);
Result<PublicKey> ParsePublicKeyDer(ByteView der);

}  // namespace certplane::pki

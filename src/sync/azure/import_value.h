// The "value" of a Key Vault certificate import: the key, the leaf and its chain as one
// PKCS#12 (with a random password, sent as "pwd") or as PEM text (PKCS#8 key, leaf,
// chain), base64-encoded, plus the key properties the import policy must declare.
//
//   Result<ImportValue> v = BuildImportValue(material, KeyVaultFormat::kPkcs12, Pkcs12Profile::kLegacy);
//   body["value"] = v->value_base64.view();  body["pwd"] = v->password.view();
//
// PKCS#12 uses pki's legacy profile by default (3DES key bag, RC2-40 certificate bag,
// HMAC-SHA-1) because Azure's PFX readers have refused OpenSSL 3's AES-256 default
// (Microsoft's App Service documentation says so for its uploads); the encryption adds no
// secrecy here anyway, since the password travels beside the file over the same TLS.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "pki/pkcs12.h"
#include "sync/destination.h"

namespace certplane::sync::azure {

enum class KeyVaultFormat { kPkcs12, kPem };

inline constexpr const char* kPkcs12ContentType = "application/x-pkcs12";
inline constexpr const char* kPemContentType = "application/x-pem-file";

struct ImportValue {
  SensitiveString value_base64;
  SensitiveString password;  // PKCS#12 only; empty for PEM
  std::string content_type;  // kPkcs12ContentType or kPemContentType
  std::string kty;           // "RSA" or "EC"
  int key_size = 0;          // RSA only
  std::string crv;           // "P-256" or "P-384", EC only
};

// InvalidArgument (naming the field) when the key, leaf or chain does not parse, the
// key does not match the leaf, or the key is Ed25519 (Key Vault certificates hold RSA
// or EC keys only); Internal when OpenSSL fails.
Result<ImportValue> BuildImportValue(const CertificateMaterial& material, KeyVaultFormat format,
                                     pki::Pkcs12Profile profile = pki::Pkcs12Profile::kLegacy);

// Standard base64 with padding, no line breaks.
std::string Base64Encode(std::string_view bytes);

}  // namespace certplane::sync::azure

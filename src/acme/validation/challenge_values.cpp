#include "acme/validation/challenge_values.h"

#include <openssl/sha.h>

#include "acme/base64url.h"

namespace certplane::acme {

std::string TlsAlpn01Digest(std::string_view key_authorization) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(key_authorization.data()), key_authorization.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string Dns01TxtValue(std::string_view key_authorization) {
  return Base64UrlEncode(TlsAlpn01Digest(key_authorization));
}

std::string TlsAlpn01ExtensionValue(std::string_view key_authorization) {
  return std::string("\x04\x20", 2) + TlsAlpn01Digest(key_authorization);
}

}  // namespace certplane::acme

#include "crl/ca_key_id.h"

#include "pki/key.h"

namespace certplane::crl {
namespace {

constexpr std::size_t kKeyIdLength = 16;

}  // namespace

std::string CaKeyId(const pki::Certificate& ca_certificate) {
  auto key = ca_certificate.public_key();
  if (!key.ok()) return {};
  return key->Sha256Fingerprint().substr(0, kKeyIdLength);
}

bool IsCaKeyId(std::string_view text) {
  if (text.size() != kKeyIdLength) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace certplane::crl

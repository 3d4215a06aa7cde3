#include "pki/serial.h"

#include <algorithm>

#include <openssl/rand.h>

#include "pki/errors.h"
#include "pki/internal/hex.h"

namespace certplane::pki {

Result<SerialNumber> SerialNumber::Random() {
  Bytes bytes(16);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return OpenSslError(StatusCode::kInternal, "drawing a random serial number");
  }
  bytes[0] = static_cast<std::uint8_t>((bytes[0] & 0x7f) | 0x40);
  return SerialNumber(std::move(bytes));
}

Result<SerialNumber> SerialNumber::FromBytes(ByteView big_endian) {
  if (big_endian.empty()) return InvalidArgument("serial number is empty");
  auto first = std::find_if(big_endian.begin(), big_endian.end(), [](std::uint8_t b) { return b != 0; });
  Bytes bytes(first, big_endian.end());
  if (bytes.empty()) bytes.push_back(0);
  // 20 octets of DER INTEGER content; a magnitude with its top bit set needs a padding
  // octet, so it may have at most 19.
  size_t encoded = bytes.size() + ((bytes[0] & 0x80) != 0 ? 1 : 0);
  if (encoded > 20) {
    return InvalidArgument("serial number needs " + std::to_string(encoded) + " octets; RFC 5280 allows at most 20");
  }
  return SerialNumber(std::move(bytes));
}

Result<SerialNumber> SerialNumber::FromHex(std::string_view hex) {
  std::string digits;
  for (char c : hex) {
    if (c == ':') continue;
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) return InvalidArgument("serial number \"" + std::string(hex) + "\" is not hex");
    digits += c;
  }
  if (digits.empty()) return InvalidArgument("serial number is empty");
  if (digits.size() % 2 != 0) digits.insert(digits.begin(), '0');
  auto nibble = [](char c) -> std::uint8_t {
    if (c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    return static_cast<std::uint8_t>(c - 'a' + 10);
  };
  Bytes bytes;
  for (size_t i = 0; i < digits.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(nibble(digits[i]) << 4 | nibble(digits[i + 1])));
  }
  return FromBytes(bytes);
}

std::string SerialNumber::ToHex() const { return internal::LowerHex(bytes_); }

std::strong_ordering operator<=>(const SerialNumber& a, const SerialNumber& b) {
  if (a.bytes_.size() != b.bytes_.size()) return a.bytes_.size() <=> b.bytes_.size();
  return std::lexicographical_compare_three_way(a.bytes_.begin(), a.bytes_.end(), b.bytes_.begin(), b.bytes_.end());
}

}  // namespace certplane::pki

// internal/hex.h: lowercase hex of bytes, for fingerprints and serial numbers.
#pragma once

#include <string>

#include "pki/types.h"

namespace certplane::pki::internal {

inline std::string LowerHex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

}  // namespace certplane::pki::internal

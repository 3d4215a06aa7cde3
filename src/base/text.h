// Small text helpers every layer needs and no library in our dependencies offers as
// one call: ASCII case folding (names, header fields, hostnames) and lower-case hex.
#pragma once

#include <string>
#include <string_view>

namespace certplane {

// Only A-Z change: locale-independent, so "I" never becomes a dotless i.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Two lower-case hex digits per byte.
inline std::string LowerHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

}  // namespace certplane

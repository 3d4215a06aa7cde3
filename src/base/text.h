// Small text helpers every layer needs and no library in our dependencies offers as
// one call: ASCII case folding (names, header fields, hostnames), lower-case hex, and
// the delta-seconds form of an HTTP Retry-After.
#pragma once

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace certplane {

// Only A-Z change: locale-independent, so "I" never becomes a dotless i.
inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Equal but for the case of A-Z ("Bearer" and "bearer", "RSA" and "rsa").
inline bool AsciiEqualIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
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

// A Retry-After header in its delta-seconds form ("120", spaces around allowed);
// nullopt when absent, negative or in the HTTP-date form (which no server we talk to
// sends; a caller then falls back to its own backoff).
inline std::optional<std::chrono::seconds> ParseRetryAfterSeconds(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header.empty()) return std::nullopt;
  long long seconds = 0;
  auto [end, error] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (error != std::errc() || end != header.data() + header.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace certplane

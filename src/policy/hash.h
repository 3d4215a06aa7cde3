// A stable, fast, non-cryptographic hash for change detection and jitter (FNV-1a,
// 64 bits). Never for anything an attacker could exploit by finding collisions.
#pragma once

#include <cstdint>
#include <string_view>

namespace certplane::policy {

inline std::uint64_t Fnv1a64(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace certplane::policy

// RandomSuffix: random characters for names that must not collide (an Event's name, a
// test's namespace or log file). Lower-case letters and digits only, so the result fits
// any Kubernetes name and DNS label. Not for secrets: the generator is not a CSPRNG.
#pragma once

#include <cstddef>
#include <random>
#include <string>

namespace certplane {

// `length` characters of [a-z0-9]. Thread-safe: each thread draws from its own
// generator, seeded once from std::random_device.
inline std::string RandomSuffix(std::size_t length) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kChars - 2);
  std::string out(length, '\0');
  for (char& c : out) c = kChars[pick(rng)];
  return out;
}

}  // namespace certplane

// What the C++ benchmarks share: setup that must not fail. A benchmark whose setup fails
// measures nothing, so it says why and stops.
//
//   pki::PrivateKey key = bench::Must(pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256));
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "base/result.h"

namespace certplane::bench {

// The value of `r`, or (on failure) its status on stderr and exit 1.
template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "benchmark setup failed: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

}  // namespace certplane::bench

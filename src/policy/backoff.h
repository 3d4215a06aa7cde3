// How long to wait before trying again something that keeps failing or keeps being
// undone: a failed issuance, or a Secret someone else keeps rewriting. Exponential,
// per object, capped, and computed from what status records (the count and the time of
// the last attempt), so it survives restarts and leader changes, and a status write
// that wakes the same object again cannot turn it into a hot loop.
//
//   BackoffPolicy p{.initial = 10s, .max = 1h};
//   BackoffDelay(0, p);   // 0: nothing failed yet
//   BackoffDelay(1, p);   // 10s after the first failure
//   BackoffDelay(3, p);   // 40s after the third
//   BackoffDelay(20, p);  // 1h: capped
#pragma once

#include <chrono>
#include <cstdint>

namespace certplane::policy {

struct BackoffPolicy {
  std::chrono::seconds initial{10};
  std::chrono::seconds max{3600};
};

// The wait after `attempts` consecutive failed (or undone) attempts: zero for none, then
// `initial` doubling with each further attempt, never more than `max`.
std::chrono::seconds BackoffDelay(std::int64_t attempts, const BackoffPolicy& policy);

}  // namespace certplane::policy

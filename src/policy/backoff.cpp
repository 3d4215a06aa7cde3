#include "policy/backoff.h"

#include <algorithm>

namespace certplane::policy {

std::chrono::seconds BackoffDelay(std::int64_t attempts, const BackoffPolicy& policy) {
  if (attempts <= 0 || policy.initial.count() <= 0) return std::chrono::seconds(0);
  std::chrono::seconds delay = policy.initial;
  // Doubling stops at the cap, so the loop is short and never overflows.
  for (std::int64_t i = 1; i < attempts && delay < policy.max; ++i) delay *= 2;
  return std::min(delay, std::max(policy.max, policy.initial));
}

}  // namespace certplane::policy

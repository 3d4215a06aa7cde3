// Rate limiters for the work queue: how long a key waits before it is retried.
//
// The default (DefaultControllerRateLimiter) is the maximum of a per-key exponential
// backoff, 5 ms doubling up to 1000 s, and an overall token bucket of 10 qps with a
// burst of 100 that bounds the retry rate of the whole queue however many keys fail.
//
//   auto limiter = DefaultControllerRateLimiter();
//   Duration wait = limiter->When("shop/frontend");  // 5ms, 10ms, 20ms, ...
//   limiter->Forget("shop/frontend");                // success: start again at 5ms
//
// Implementations are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kube/clock.h"
#include "kube/token_bucket.h"

namespace certplane::kube {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // How long `key` should wait before it is processed again; counts a failure.
  virtual Duration When(const std::string& key) = 0;
  // The key succeeded (or was given up on): forget its failures.
  virtual void Forget(const std::string& key) = 0;
  // Failures counted for the key since the last Forget.
  virtual int NumRequeues(const std::string& key) = 0;
};

// base * 2^failures, capped at max_delay.
class ItemExponentialRateLimiter final : public RateLimiter {
 public:
  ItemExponentialRateLimiter(Duration base_delay, Duration max_delay);
  Duration When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  const Duration base_;
  const Duration max_;
  std::mutex mu_;
  std::unordered_map<std::string, int> failures_;  // guarded by mu_
};

// One token bucket shared by every key: bounds the overall retry rate.
class BucketRateLimiter final : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, std::shared_ptr<Clock> clock = SystemClock());
  Duration When(const std::string& key) override;
  void Forget(const std::string&) override {}
  int NumRequeues(const std::string&) override { return 0; }

 private:
  TokenBucket bucket_;
};

// The longest wait any of its limiters asks for.
class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters);
  Duration When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

// max(per-key exponential 5 ms .. 1000 s, overall bucket 10 qps burst 100).
std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(std::shared_ptr<Clock> clock = SystemClock());

}  // namespace certplane::kube

#include "kube/rate_limiters.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace certplane::kube {

ItemExponentialRateLimiter::ItemExponentialRateLimiter(Duration base_delay, Duration max_delay)
    : base_(base_delay), max_(max_delay) {}

Duration ItemExponentialRateLimiter::When(const std::string& key) {
  int exponent;
  {
    std::lock_guard lock(mu_);
    exponent = failures_[key]++;
  }
  // Computed in floating point so a large exponent saturates instead of overflowing.
  double backoff = static_cast<double>(base_.count()) * std::pow(2.0, exponent);
  if (backoff >= static_cast<double>(max_.count())) return max_;
  return Duration(static_cast<Duration::rep>(backoff));
}

void ItemExponentialRateLimiter::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int ItemExponentialRateLimiter::NumRequeues(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

BucketRateLimiter::BucketRateLimiter(double qps, int burst, std::shared_ptr<Clock> clock)
    : bucket_(qps, burst, std::move(clock)) {}

Duration BucketRateLimiter::When(const std::string&) { return bucket_.Reserve(); }

MaxOfRateLimiter::MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters)
    : limiters_(std::move(limiters)) {}

Duration MaxOfRateLimiter::When(const std::string& key) {
  Duration longest = Duration::zero();
  // Every limiter is asked, so each counts the failure (and the bucket its token).
  for (auto& limiter : limiters_) longest = std::max(longest, limiter->When(key));
  return longest;
}

void MaxOfRateLimiter::Forget(const std::string& key) {
  for (auto& limiter : limiters_) limiter->Forget(key);
}

int MaxOfRateLimiter::NumRequeues(const std::string& key) {
  int most = 0;
  for (auto& limiter : limiters_) most = std::max(most, limiter->NumRequeues(key));
  return most;
}

std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(std::shared_ptr<Clock> clock) {
  std::vector<std::unique_ptr<RateLimiter>> limiters;
  limiters.push_back(
      std::make_unique<ItemExponentialRateLimiter>(std::chrono::milliseconds(5), std::chrono::seconds(1000)));
  limiters.push_back(std::make_unique<BucketRateLimiter>(10.0, 100, std::move(clock)));
  return std::make_unique<MaxOfRateLimiter>(std::move(limiters));
}

}  // namespace certplane::kube

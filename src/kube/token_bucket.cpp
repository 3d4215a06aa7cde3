#include "kube/token_bucket.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>

namespace certplane::kube {

TokenBucket::TokenBucket(double qps, int burst, std::shared_ptr<Clock> clock)
    : qps_(qps), burst_(std::max(burst, 1)), clock_(std::move(clock)), tokens_(burst_),
      last_(clock_->Now()) {}

void TokenBucket::RefillLocked(TimePoint now) {
  if (now <= last_) return;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min<double>(burst_, tokens_ + elapsed * qps_);
  last_ = now;
}

Duration TokenBucket::Reserve() {
  if (qps_ <= 0) return Duration::zero();
  std::lock_guard lock(mu_);
  RefillLocked(clock_->Now());
  tokens_ -= 1;
  if (tokens_ >= 0) return Duration::zero();
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

bool TokenBucket::TryAccept() {
  if (qps_ <= 0) return true;
  std::lock_guard lock(mu_);
  RefillLocked(clock_->Now());
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void TokenBucket::Wait() {
  Duration delay = Reserve();
  if (delay <= Duration::zero()) return;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  TimePoint deadline = clock_->Now() + delay;
  clock_->WaitUntil(cv, lock, deadline, [] { return false; });
}

}  // namespace certplane::kube

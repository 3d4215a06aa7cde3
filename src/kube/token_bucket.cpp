#include "kube/token_bucket.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>

namespace certplane::kube {

TokenBucket::TokenBucket(double qps, int burst, std::shared_ptr<Clock> clock)
    : qps_(qps),
      burst_(std::max(burst, 1)),
      clock_(std::move(clock)),
      tokens_(burst_),
      last_(clock_->Now()),
      rate_(qps) {}

void TokenBucket::RefillLocked(TimePoint now) {
  if (now <= last_) return;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min<double>(burst_, tokens_ + elapsed * rate_);
  rate_ = std::min(qps_, rate_ + elapsed * qps_ / 20);
  last_ = now;
}

void TokenBucket::SlowDown() {
  if (qps_ <= 0) return;
  std::lock_guard lock(mu_);
  const TimePoint now = clock_->Now();
  RefillLocked(now);
  // Several requests in flight hear the same 429: one halving per second.
  if (slowed_ != TimePoint{} && now - slowed_ < std::chrono::seconds(1)) return;
  slowed_ = now;
  rate_ = std::max(qps_ / 64, rate_ / 2);
  tokens_ = std::min(tokens_, 0.0);  // the burst is spent: slower from the next request on
}

double TokenBucket::current_qps() {
  std::lock_guard lock(mu_);
  RefillLocked(clock_->Now());
  return rate_;
}

Duration TokenBucket::Reserve() {
  if (qps_ <= 0) return Duration::zero();
  std::lock_guard lock(mu_);
  RefillLocked(clock_->Now());
  tokens_ -= 1;
  if (tokens_ >= 0) return Duration::zero();
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(-tokens_ / rate_));
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

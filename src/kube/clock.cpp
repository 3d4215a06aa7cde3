#include "kube/clock.h"

#include <algorithm>

namespace certplane::kube {

std::shared_ptr<Clock> SystemClock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<RealClock>();
  return clock;
}

FakeClock::FakeClock()
    : now_(TimePoint{} + std::chrono::hours(24)),
      wall_(std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 55)) {}

TimePoint FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

std::chrono::system_clock::time_point FakeClock::WallNow() const {
  std::lock_guard lock(mu_);
  return wall_;
}

bool FakeClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, TimePoint deadline,
                          const std::function<bool()>& done) {
  {
    std::lock_guard guard(mu_);
    waiters_.push_back({&cv, lock.mutex()});
  }
  cv.wait(lock, [&] { return done() || Now() >= deadline; });
  {
    std::lock_guard guard(mu_);
    auto it = std::find_if(waiters_.begin(), waiters_.end(),
                           [&](const Waiter& w) { return w.cv == &cv && w.mu == lock.mutex(); });
    if (it != waiters_.end()) waiters_.erase(it);
  }
  return done();
}

void FakeClock::Advance(Duration d) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard guard(mu_);
    now_ += d;
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    waiters = waiters_;
  }
  // Taking each waiter's mutex before notifying means a waiter is either already
  // blocked (and wakes) or has not yet checked its predicate (and sees the new time).
  for (const Waiter& w : waiters) {
    std::lock_guard guard(*w.mu);
    w.cv->notify_all();
  }
}

int FakeClock::Waiters() const {
  std::lock_guard guard(mu_);
  return static_cast<int>(waiters_.size());
}

}  // namespace certplane::kube

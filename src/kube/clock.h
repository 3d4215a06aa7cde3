// Clock: the seam through which the kube runtime reads time and waits, so the work
// queue, rate limiters, leader election and event aggregation are tested without
// sleeping.
//
//   RealClock clock;                      // production
//   FakeClock fake;  fake.Advance(5s);    // tests: time moves only when told
//
// Waiting goes through the clock too (WaitUntil), so a thread blocked until a
// deadline of a FakeClock wakes when the test advances past it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace certplane::kube {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;

  // Monotonic now.
  virtual TimePoint Now() const = 0;

  // Wall-clock now, for timestamps written to the API server.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;

  // Blocks on `cv` (whose mutex `lock` holds) until `done()` is true or the clock
  // reaches `deadline`. Returns done(). Spurious wake-ups are handled inside.
  virtual bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, TimePoint deadline,
                         const std::function<bool()>& done) = 0;
};

class RealClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point WallNow() const override { return std::chrono::system_clock::now(); }
  bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, TimePoint deadline,
                 const std::function<bool()>& done) override {
    return cv.wait_until(lock, deadline, done);
  }
};

// The process-wide real clock.
std::shared_ptr<Clock> SystemClock();

// FakeClock: time stands still until Advance(). Waiters registered through WaitUntil
// are woken (under their own mutex, so no wake-up is lost) whenever time moves.
class FakeClock final : public Clock {
 public:
  FakeClock();

  TimePoint Now() const override;
  std::chrono::system_clock::time_point WallNow() const override;
  bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, TimePoint deadline,
                 const std::function<bool()>& done) override;

  void Advance(Duration d);

  // How many threads are blocked in WaitUntil right now; tests poll this to know a
  // worker has reached its wait before advancing.
  int Waiters() const;

 private:
  struct Waiter {
    std::condition_variable* cv;
    std::mutex* mu;
  };
  mutable std::mutex mu_;
  TimePoint now_;                               // guarded by mu_
  std::chrono::system_clock::time_point wall_;  // guarded by mu_
  std::vector<Waiter> waiters_;                 // guarded by mu_
};

}  // namespace certplane::kube

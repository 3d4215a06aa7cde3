// TokenBucket: a rate of `qps` tokens per second with room for `burst`, like
// golang.org/x/time/rate. Used by the REST client (client-side QPS/burst, set by
// --kube-api-qps / --kube-api-burst) and by the work queue's overall limiter.
//
//   TokenBucket bucket(/*qps=*/20, /*burst=*/30);
//   bucket.Wait();            // blocks until a token is free
//   Duration d = bucket.Reserve();  // takes a token now; use it after d
//
// A qps of zero or less means "no limit".
//
// Adaptive: SlowDown() (the server answered 429) halves the rate in effect, at most once
// a second and never below a 64th of `qps`; it climbs back by a twentieth of `qps` per
// second, so a client never exceeds what its flags promise and backs off as a whole,
// not request by request, when the API server's priority and fairness push back.
#pragma once

#include <memory>
#include <mutex>

#include "kube/clock.h"

namespace certplane::kube {

class TokenBucket {
 public:
  TokenBucket(double qps, int burst, std::shared_ptr<Clock> clock = SystemClock());

  // Takes one token, going into debt if none is free, and returns how long the caller
  // must wait before acting (zero when a token was free).
  Duration Reserve();

  // Takes a token only if one is free now.
  bool TryAccept();

  // Reserve(), then waits out the delay through the clock.
  void Wait();

  // The server asked the client to slow down.
  void SlowDown();
  // The rate in effect now (qps() unless slowed down).
  double current_qps();

  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  void RefillLocked(TimePoint now);

  const double qps_;
  const int burst_;
  const std::shared_ptr<Clock> clock_;
  std::mutex mu_;
  double tokens_;       // guarded by mu_; negative while reservations are outstanding
  TimePoint last_;      // guarded by mu_
  double rate_;         // guarded by mu_; qps_ unless slowed down
  TimePoint slowed_{};  // guarded by mu_; the last SlowDown that took effect
};

}  // namespace certplane::kube

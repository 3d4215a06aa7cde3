// What the route tests share: a clock whose wall time the test sets, and a response
// header by name.
//
//   WallClock clock{kNow + 2h};
//   HttpResponse r = router.Dispatch({.method = "GET", .path = "/crl/issuing.crl"});
//   EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=79200, no-transform");
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "http/router.h"
#include "kube/clock.h"

namespace certplane::http::testing {

// A clock whose wall time is whatever the test sets; its monotonic time stands still
// and WaitUntil does not wait.
class WallClock final : public kube::Clock {
 public:
  explicit WallClock(std::chrono::system_clock::time_point wall) : wall_(wall) {}
  kube::TimePoint Now() const override { return kube::TimePoint{}; }
  std::chrono::system_clock::time_point WallNow() const override { return wall_; }
  bool WaitUntil(std::condition_variable&, std::unique_lock<std::mutex>&, kube::TimePoint,
                 const std::function<bool()>& done) override {
    return done();
  }
  void Set(std::chrono::system_clock::time_point wall) { wall_ = wall; }

 private:
  std::chrono::system_clock::time_point wall_;
};

// The value of the response's first header `name`, or "<absent>".
inline std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

}  // namespace certplane::http::testing

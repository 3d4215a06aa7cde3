// ValidationRunner: a few threads that run challenge validations, each of which may
// wait seconds on a client's server, off the HTTP server's threads. Bounded: when the
// queue is full Submit says no and the caller answers rateLimited, so a flood of
// challenge requests cannot grow memory.
//
//   ValidationRunner runner({.threads = 4, .max_queued = 1000});
//   if (!runner.Submit([=] { ValidateAndRecord(...); })) return RateLimited();
//   runner.Stop();   // waits for running jobs, drops queued ones
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace certplane::acme {

struct ValidationRunnerOptions {
  int threads = 4;
  std::size_t max_queued = 1000;
};

class ValidationRunner {
 public:
  explicit ValidationRunner(ValidationRunnerOptions options);
  ~ValidationRunner();

  bool Submit(std::function<void()> job);
  void Stop();

 private:
  void Work();

  const ValidationRunnerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace certplane::acme

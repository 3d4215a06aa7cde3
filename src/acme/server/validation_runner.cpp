#include "acme/server/validation_runner.h"

#include "kube/logging.h"

namespace certplane::acme {

ValidationRunner::ValidationRunner(ValidationRunnerOptions options) : options_(options) {
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Work(); });
}

ValidationRunner::~ValidationRunner() { Stop(); }

bool ValidationRunner::Submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.max_queued) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void ValidationRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void ValidationRunner::Work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      // A validation that throws is a bug; the challenge stays "processing" and is
      // retried by the next reader after the stale timeout.
      kube::Logger("acme")->error("challenge validation threw: {}", e.what());
    }
  }
}

}  // namespace certplane::acme

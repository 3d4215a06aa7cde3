#include "pki/rsa_key_pool.h"

#include <pthread.h>
#include <sched.h>

#include <chrono>

namespace certplane::pki {
namespace {

// How long the refill thread waits after a failed generation before it tries again.
constexpr std::chrono::seconds kRetryAfterFailure{5};

void LowerToIdlePriority() {
  sched_param param{};
  param.sched_priority = 0;
  // Best effort: where the scheduler refuses, the thread keeps its normal priority.
  (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
}

}  // namespace

RsaKeyPool::RsaKeyPool(RsaKeyPoolOptions options) : options_(std::move(options)) {
  if (options_.capacity > 0) refill_ = std::thread([this] { Refill(); });
}

RsaKeyPool::~RsaKeyPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (refill_.joinable()) refill_.join();
  // keys_ is destroyed with the pool: each PrivateKey frees (and clears) its key.
}

Result<PrivateKey> RsaKeyPool::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!keys_.empty()) {
      PrivateKey key = std::move(keys_.front());
      keys_.pop_front();  // handed out once: the pool keeps no copy
      wake_.notify_all();
      return key;
    }
  }
  wake_.notify_all();  // the pool is empty: let the refill thread start on the next key
  return options_.generate(options_.algorithm);
}

std::size_t RsaKeyPool::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}

void RsaKeyPool::Refill() {
  LowerToIdlePriority();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || keys_.size() < options_.capacity; });
    if (stopping_) return;
    lock.unlock();
    Result<PrivateKey> key = options_.generate(options_.algorithm);  // slow; not under the lock
    lock.lock();
    if (stopping_) return;  // `key` is freed (and cleared) on the way out
    if (key.ok()) {
      keys_.push_back(std::move(*key));
    } else {
      // Take reports the error to its caller when it generates itself; here, back off.
      wake_.wait_for(lock, kRetryAfterFailure, [this] { return stopping_; });
    }
  }
}

}  // namespace certplane::pki

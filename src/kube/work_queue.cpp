#include "kube/work_queue.h"

#include <algorithm>
#include <chrono>

namespace certplane::kube {
namespace {
// Upper bound on one wait, as insurance against a missed wake-up.
constexpr Duration kMaxWait = std::chrono::seconds(10);
}  // namespace

WorkQueue::WorkQueue(WorkQueueOptions options)
    : name_(std::move(options.name)),
      clock_(options.clock ? std::move(options.clock) : SystemClock()),
      limiter_(options.rate_limiter ? std::move(options.rate_limiter) : DefaultControllerRateLimiter(clock_)) {}

WorkQueue::~WorkQueue() { ShutDown(); }

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_) return;
  if (!dirty_.insert(key).second) return;   // already waiting: collapse
  if (processing_.count(key) != 0) return;  // re-queued by Done
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  MutexLock lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, Duration delay) {
  MutexLock lock(mu_);
  if (shutting_down_) return;
  if (delay <= Duration::zero()) {
    AddLocked(key);
    return;
  }
  TimePoint ready_at = clock_->Now() + delay;
  auto [it, inserted] = delayed_.try_emplace(key, ready_at);
  if (!inserted) {
    if (it->second <= ready_at) return;  // already due sooner
    it->second = ready_at;               // the older heap entry becomes stale
  }
  heap_.push_back({ready_at, seq_++, key});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  ++heap_generation_;
  cv_.notify_all();
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, limiter_->When(key)); }

void WorkQueue::Forget(const std::string& key) { limiter_->Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) { return limiter_->NumRequeues(key); }

void WorkQueue::PromoteReadyLocked(TimePoint now) {
  while (!heap_.empty() && heap_.front().ready_at <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    Delayed entry = std::move(heap_.back());
    heap_.pop_back();
    auto it = delayed_.find(entry.key);
    if (it == delayed_.end() || it->second != entry.ready_at) continue;  // stale entry
    delayed_.erase(it);
    AddLocked(entry.key);
  }
}

std::optional<std::string> WorkQueue::GetUntil(std::optional<TimePoint> give_up_at) {
  MutexLock lock(mu_);
  while (true) {
    TimePoint now = clock_->Now();
    PromoteReadyLocked(now);
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      processing_.insert(key);
      dirty_.erase(key);
      return key;
    }
    if (shutting_down_) return std::nullopt;
    if (give_up_at && now >= *give_up_at) return std::nullopt;
    TimePoint deadline = now + kMaxWait;
    if (!heap_.empty()) deadline = std::min(deadline, heap_.front().ready_at);
    if (give_up_at) deadline = std::min(deadline, *give_up_at);
    uint64_t generation = heap_generation_;
    clock_->WaitUntil(cv_, lock.native(), deadline, [&]() REQUIRES(mu_) {
      return !queue_.empty() || shutting_down_ || heap_generation_ != generation;
    });
  }
}

std::optional<std::string> WorkQueue::Get() { return GetUntil(std::nullopt); }

std::optional<std::string> WorkQueue::TryGet(Duration timeout) { return GetUntil(clock_->Now() + timeout); }

void WorkQueue::Done(const std::string& key) {
  MutexLock lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key) != 0) {
    queue_.push_back(key);
    cv_.notify_one();
  }
  drained_cv_.notify_all();
}

void WorkQueue::ShutDown() {
  MutexLock lock(mu_);
  shutting_down_ = true;
  heap_.clear();
  delayed_.clear();
  cv_.notify_all();
  drained_cv_.notify_all();
}

void WorkQueue::Abandon() {
  ShutDown();
  MutexLock lock(mu_);
  queue_.clear();
  dirty_.clear();
}

void WorkQueue::ShutDownWithDrain() {
  ShutDown();
  MutexLock lock(mu_);
  drained_cv_.wait(lock.native(), [&]() REQUIRES(mu_) { return processing_.empty() && queue_.empty(); });
}

bool WorkQueue::ShuttingDown() const {
  MutexLock lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  MutexLock lock(mu_);
  return queue_.size();
}

size_t WorkQueue::DelayedLen() const {
  MutexLock lock(mu_);
  return delayed_.size();
}

}  // namespace certplane::kube

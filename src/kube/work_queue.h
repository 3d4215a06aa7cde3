// WorkQueue: the queue of object keys ("namespace/name") between informer event
// handlers and reconcile workers, with client-go's semantics:
//
// - Duplicates collapse: a key added many times before a worker takes it is
//   processed once.
// - One key is never processed by two workers at once: a key added while it is being
//   processed is held back and queued again when the worker calls Done.
// - Delayed adds wait in a timer heap (AddAfter), so renewals are scheduled for their
//   time instead of found by polling; a key delayed twice keeps the earlier time.
// - AddRateLimited waits as long as the rate limiter says (per-key exponential backoff
//   combined with an overall token bucket); Forget resets the key's backoff.
// - ShutDown stops new adds and drops delayed ones; workers still receive the keys
//   already queued, then Get returns nullopt. ShutDownWithDrain also blocks until
//   every queued and in-flight key has been processed (so it needs running workers).
//   Abandon drops the queued keys too: each worker finishes the key it holds and Get
//   returns nullopt (a stopping controller; its next start lists everything again).
//
//   WorkQueue queue;   // WorkQueueOptions: name, clock, rate limiter
//   queue.Add("shop/frontend");
//   while (auto key = queue.Get()) {           // blocks; nullopt after shutdown
//     Status s = Reconcile(*key);
//     if (s.ok()) queue.Forget(*key); else queue.AddRateLimited(*key);
//     queue.Done(*key);
//   }
//
// Thread-safe. Waiting goes through the Clock, so tests drive delays with FakeClock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/mutex.h"
#include "kube/clock.h"
#include "kube/rate_limiters.h"

namespace certplane::kube {

struct WorkQueueOptions {
  std::string name = "queue";
  std::shared_ptr<Clock> clock;               // default: the system clock
  std::unique_ptr<RateLimiter> rate_limiter;  // default: DefaultControllerRateLimiter
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Marks the key as needing processing. Ignored after shutdown.
  void Add(const std::string& key) EXCLUDES(mu_);
  // Adds the key once `delay` has passed (at once if delay <= 0).
  void AddAfter(const std::string& key, Duration delay) EXCLUDES(mu_);
  // Adds the key after the rate limiter's delay for it.
  void AddRateLimited(const std::string& key) EXCLUDES(mu_);
  // Resets the key's rate-limiter history (call on success).
  void Forget(const std::string& key);
  // Failures counted for the key since the last Forget.
  int NumRequeues(const std::string& key);

  // Blocks until a key is ready and returns it, marked as processing; returns nullopt
  // once the queue is shut down and empty. Call Done(key) when finished.
  std::optional<std::string> Get() EXCLUDES(mu_);
  // Like Get, but gives up (returning nullopt) after `timeout` of the queue's clock.
  std::optional<std::string> TryGet(Duration timeout) EXCLUDES(mu_);
  // Ends processing of the key; if it was added meanwhile it is queued again.
  void Done(const std::string& key) EXCLUDES(mu_);

  void ShutDown() EXCLUDES(mu_);
  void ShutDownWithDrain() EXCLUDES(mu_);
  void Abandon() EXCLUDES(mu_);
  bool ShuttingDown() const EXCLUDES(mu_);

  // Keys ready to be taken (not delayed, not in flight).
  size_t Len() const EXCLUDES(mu_);
  // Keys waiting in the timer heap.
  size_t DelayedLen() const EXCLUDES(mu_);
  const std::string& name() const { return name_; }

 private:
  struct Delayed {
    TimePoint ready_at;
    uint64_t seq;
    std::string key;
  };
  struct Later {
    bool operator()(const Delayed& a, const Delayed& b) const {
      return a.ready_at != b.ready_at ? a.ready_at > b.ready_at : a.seq > b.seq;
    }
  };

  void AddLocked(const std::string& key) REQUIRES(mu_);
  void PromoteReadyLocked(TimePoint now) REQUIRES(mu_);
  std::optional<std::string> GetUntil(std::optional<TimePoint> give_up_at) EXCLUDES(mu_);

  const std::string name_;
  const std::shared_ptr<Clock> clock_;
  const std::unique_ptr<RateLimiter> limiter_;

  mutable Mutex mu_;
  std::condition_variable cv_;  // a key became ready, the heap changed, or shutdown
  std::condition_variable drained_cv_;
  std::deque<std::string> queue_ GUARDED_BY(mu_);                       // ready keys, each also in dirty_
  std::unordered_set<std::string> dirty_ GUARDED_BY(mu_);               // keys that need processing
  std::unordered_set<std::string> processing_ GUARDED_BY(mu_);          // keys a worker holds
  std::vector<Delayed> heap_ GUARDED_BY(mu_);                           // min-heap on ready_at (via Later)
  std::unordered_map<std::string, TimePoint> delayed_ GUARDED_BY(mu_);  // key -> its current ready_at
  uint64_t seq_ GUARDED_BY(mu_) = 0;
  uint64_t heap_generation_ GUARDED_BY(mu_) = 0;  // bumped when the heap's head may have changed
  bool shutting_down_ GUARDED_BY(mu_) = false;
};

}  // namespace certplane::kube

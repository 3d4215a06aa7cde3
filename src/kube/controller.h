// Controller: N workers that take keys from a WorkQueue and call a reconcile
// function, with controller-runtime's contract.
//
// A request is only a key. The reconciler returns one of:
//   ReconcileResult::Done()              forget the key's backoff; wait for a change
//   ReconcileResult::After(d)            forget the backoff; run again after d
//                                        (renewals are scheduled this way)
//   ReconcileResult::Retry(status)       an error: retried with per-key backoff
//   ReconcileResult::Terminal(status)    an error retrying cannot fix: not retried
//                                        until the object changes (a new Add)
// An exception escaping the reconciler is caught, logged and treated as Retry, so
// one bad object cannot kill a worker.
//
//   ControllerOptions options;
//   options.name = "certificates";
//   options.workers = 4;
//   Controller controller(std::move(options),
//       [&](const Request& req) { return reconciler.Reconcile(req); });
//   informer.AddEventHandler(EnqueueHandler<Certificate>(controller.queue()));
//   informer.Start();
//   informer.WaitForSync(...);
//   controller.Start();
//   ...
//   controller.Stop();   // stops taking new keys, finishes the queued ones, joins
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "kube/clock.h"
#include "kube/rate_limiters.h"
#include "kube/work_queue.h"

namespace certplane::kube {

// What to reconcile: the object's namespace (empty for cluster-scoped) and name.
struct Request {
  std::string ns;
  std::string name;

  // "namespace/name", or "name" for cluster-scoped objects.
  std::string Key() const { return ns.empty() ? name : ns + "/" + name; }
  static Request FromKey(const std::string& key);
  friend bool operator==(const Request&, const Request&) = default;
};

class ReconcileResult {
 public:
  enum class Kind { kDone, kAfter, kRetry, kTerminal };

  static ReconcileResult Done() { return ReconcileResult(Kind::kDone, Duration::zero(), {}); }
  static ReconcileResult After(Duration d) { return ReconcileResult(Kind::kAfter, d, {}); }
  static ReconcileResult Retry(Status s) { return ReconcileResult(Kind::kRetry, Duration::zero(), std::move(s)); }
  static ReconcileResult Terminal(Status s) { return ReconcileResult(Kind::kTerminal, Duration::zero(), std::move(s)); }

  Kind kind() const { return kind_; }
  Duration requeue_after() const { return after_; }
  const Status& status() const { return status_; }

 private:
  ReconcileResult(Kind kind, Duration after, Status status) : kind_(kind), after_(after), status_(std::move(status)) {}
  Kind kind_;
  Duration after_;
  Status status_;
};

using ReconcileFunc = std::function<ReconcileResult(const Request&)>;

struct ControllerOptions {
  std::string name = "controller";
  int workers = 1;
  std::shared_ptr<Clock> clock;               // default: system clock
  std::unique_ptr<RateLimiter> rate_limiter;  // default: DefaultControllerRateLimiter
};

class Controller {
 public:
  Controller(ControllerOptions options, ReconcileFunc reconcile);
  ~Controller();  // Stop()
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  WorkQueue& queue() { return *queue_; }

  // Starts the workers. Call once, after the informers feeding the queue have synced.
  void Start();
  // Shuts the queue down, lets the workers finish every queued key, joins them.
  void Stop();

  // Runs one reconcile of `key` with the full result handling (for tests and for
  // callers that drive the loop themselves). The key must have come from Get().
  void ProcessKey(const std::string& key);

 private:
  void Work();

  const std::string name_;
  const int workers_;
  ReconcileFunc reconcile_;
  std::unique_ptr<WorkQueue> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace certplane::kube

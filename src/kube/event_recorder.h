// EventRecorder: records events.k8s.io/v1 Events about objects, asynchronously, through
// an EventCorrelator (aggregation into series counts, per-object rate limit).
//
//   EventRecorderOptions options;
//   options.reporting_instance = pod_name;
//   EventRecorder recorder(client, options);
//   recorder.Record(ref, EventType::kWarning, kReasonIssuanceFailed, "Issue", "the CA is not ready");
//
// Routine events (an "Issued" per certificate) go through RecordRoutine: rare ones are
// recorded as usual, a burst is folded into one summary Event per interval on a summary
// object (routine_events.h), so a thousand issuances do not cost a thousand writes.
//
// Record never blocks on the API server: events are queued (at most queue_size; the
// oldest is dropped beyond) and written by one background thread. A failed write is
// logged and dropped: events are best effort.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "kube/event_correlator.h"
#include "kube/rest_client.h"
#include "kube/routine_events.h"

namespace certplane::kube {

struct EventRecorderOptions {
  std::string reporting_controller = "certplane.io/controller";
  std::string reporting_instance;  // e.g. the pod name; default: the host name
  EventCorrelatorOptions correlator;
  RoutineEventOptions routine;
  size_t queue_size = 1000;
  std::shared_ptr<Clock> clock;  // default: system clock
};

class EventRecorder {
 public:
  EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options = {});
  ~EventRecorder();  // writes what is queued for up to 5 s, drops the rest, stops
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void Record(const ObjectReference& regarding, EventType type, std::string reason, std::string action,
              std::string note);

  // A routine Normal event about `regarding`: recorded as Record would while its summary
  // key (`summary_object` and `reason`) has tokens, else counted into the summary Event
  // on `summary_object` written once per interval, naming `regarding`.
  void RecordRoutine(const ObjectReference& regarding, const ObjectReference& summary_object, std::string reason,
                     std::string action, std::string note);

  // Blocks until everything recorded so far has been written or dropped (summaries
  // included, which are written when their interval ends), or the timeout passes.
  // Returns true if nothing is left.
  bool Flush(Duration timeout);

  struct Stats {
    uint64_t created = 0, series_updates = 0, throttled = 0, dropped = 0, failed = 0, summarized = 0;
  };
  Stats stats() const;

 private:
  struct Pending {
    EventRecord record;
    CorrelatedEvent decision;
    std::chrono::system_clock::time_point at;
  };
  void Loop();
  // Queues an event decided by the correlator; with mu_ held.
  void EnqueueLocked(EventRecord record);
  void Write(const Pending& p);

  const std::shared_ptr<Client> client_;
  const EventRecorderOptions options_;
  const std::shared_ptr<Clock> clock_;
  std::string instance_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  EventCorrelator correlator_;         // guarded by mu_
  RoutineEventSummarizer summarizer_;  // guarded by mu_
  std::deque<Pending> queue_;          // guarded by mu_
  bool writing_ = false;               // guarded by mu_
  bool stopping_ = false;              // guarded by mu_; no new events
  bool abandon_ = false;               // guarded by mu_; drop what is left and exit
  Stats stats_;                        // guarded by mu_
  std::thread thread_;
};

}  // namespace certplane::kube

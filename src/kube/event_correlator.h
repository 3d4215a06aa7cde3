// EventCorrelator: decides what writing an event costs the API server. Pure logic
// over an injected clock, no I/O (the EventRecorder does the writing).
//
// - Aggregation: an event identical to one recorded before (same object, type,
//   reason, action and note) within `series_window` is not a new Event object: it
//   bumps the series count of the existing one (events.k8s.io/v1 `series`).
// - Rate limit: each object gets a token bucket (burst 25, then one write per 5 min by
//   default). An occurrence with no token is only counted in memory; the next write
//   carries the up-to-date count. So a failing object cannot flood the API server.
//
//   EventCorrelator correlator({}, clock);
//   CorrelatedEvent d = correlator.Observe(record);
//   switch (d.action) { case kCreate: POST; case kUpdateSeries: PATCH series; case kSkip: nothing }
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "kube/clock.h"
#include "kube/token_bucket.h"

namespace certplane::kube {

enum class EventType { kNormal, kWarning };

struct ObjectReference {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
};

struct EventRecord {
  ObjectReference regarding;
  EventType type = EventType::kNormal;
  std::string reason;  // a named constant, UpperCamelCase
  std::string action;  // what was done or failed, e.g. "Issue"
  std::string note;    // for people; truncated to 1 KiB when written
};

struct CorrelatedEvent {
  enum class Action { kCreate, kUpdateSeries, kSkip };
  Action action = Action::kSkip;
  std::string event_name;  // the Event object to create or patch
  int32_t count = 1;       // occurrences so far, this one included
};

struct EventCorrelatorOptions {
  int burst = 25;                                     // writes per object before throttling
  double qps = 1.0 / 300;                             // then one write per 5 minutes
  Duration series_window = std::chrono::minutes(30);  // repeats after this start a new Event
  size_t max_tracked = 4096;                          // events and objects remembered
};

class EventCorrelator {
 public:
  explicit EventCorrelator(EventCorrelatorOptions options = {}, std::shared_ptr<Clock> clock = SystemClock());

  CorrelatedEvent Observe(const EventRecord& record);

  // How many distinct events are remembered (for tests).
  size_t tracked() const { return series_.size(); }

 private:
  struct Series {
    std::string event_name;
    int32_t count = 0;
    TimePoint last_seen;
    std::list<std::string>::iterator lru;
  };

  const EventCorrelatorOptions options_;
  const std::shared_ptr<Clock> clock_;
  std::unordered_map<std::string, Series> series_;                         // by event identity
  std::list<std::string> lru_;                                             // most recent first
  std::unordered_map<std::string, std::unique_ptr<TokenBucket>> buckets_;  // by object
};

// "Normal" or "Warning".
std::string_view EventTypeName(EventType type);

}  // namespace certplane::kube

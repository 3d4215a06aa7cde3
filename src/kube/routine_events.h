// RoutineEventSummarizer: what a burst of routine events costs the API server. Pure
// logic over times passed in, no I/O; the EventRecorder writes what it decides.
//
// An event such as "Issued" is worth one Event per object when it is rare, and worth
// nothing but a count when a thousand certificates are issued at once (it would be a
// third write per certificate). So each summary key (for example a CertificateProfile
// and the reason) may record `burst` events one by one, refilled at `per_second`; an
// occurrence beyond that is folded into one summary Event on the key's object, written
// once per `interval` with the count and the first `max_names` names.
//
//   RoutineEventSummarizer s({});
//   if (s.Observe(key, profile_ref, "Issued", "Issue", "shop/frontend", now) == kRecordNow) Record(...);
//   for (auto& summary : s.TakeDue(now)) Record(summary.regarding, ..., summary.Note());
//   wait until s.NextDue()
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/event_correlator.h"

namespace certplane::kube {

struct RoutineEventOptions {
  int burst = 10;                     // events recorded one by one before summarizing
  double per_second = 0.2;            // refill: one individual event per 5 s once the burst is spent
  std::chrono::seconds interval{10};  // how often a summary is written while occurrences fold
  std::size_t max_names = 20;         // names listed in a summary's note
  std::size_t max_keys = 1024;        // keys remembered; the idlest is forgotten beyond
};

class RoutineEventSummarizer {
 public:
  enum class Decision { kRecordNow, kSummarized };

  // What one summary Event says.
  struct Summary {
    ObjectReference regarding;  // the key's object (e.g. the CertificateProfile)
    std::string reason;
    std::string action;
    std::int64_t count = 0;
    std::vector<std::string> names;  // the first max_names, in order of occurrence
    std::chrono::seconds interval{};
    // "<count> more <reason> events in <interval> (summarized, one Event per interval):
    //  a, b, ... and <n> more", listing the names that fit in max_bytes (an Event's note
    // is cut at 1 KiB) and always ending with the count of the rest.
    std::string Note(std::size_t max_bytes = 1024) const;
  };

  explicit RoutineEventSummarizer(RoutineEventOptions options) : options_(options) {}

  // One routine occurrence about `name` under `key`, whose summary goes on `summary_object`.
  Decision Observe(const std::string& key, const ObjectReference& summary_object, const std::string& reason,
                   const std::string& action, const std::string& name, std::chrono::system_clock::time_point now);

  // The summaries whose interval has passed by `now`, taken out (their keys keep
  // folding until their tokens refill).
  std::vector<Summary> TakeDue(std::chrono::system_clock::time_point now);
  // When the first pending summary falls due; nullopt when none is pending.
  std::optional<std::chrono::system_clock::time_point> NextDue() const;

 private:
  struct Key {
    double tokens = 0;
    std::chrono::system_clock::time_point refilled{};
    std::chrono::system_clock::time_point last_seen{};
    std::optional<Summary> pending;
    std::chrono::system_clock::time_point due{};
  };
  void Forget(std::chrono::system_clock::time_point now);

  RoutineEventOptions options_;
  std::map<std::string, Key> keys_;
};

}  // namespace certplane::kube

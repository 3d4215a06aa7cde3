// WritePacer: remembers when each record was last written, so that a record many events
// change at once (a profile's counts, a CA's record of issued serials) is written once
// per interval rather than once per event. Thread-safe; the time is passed in.
//
//   if (Duration wait = PacedWriteDelay(pacer.LastWrite(key), now, 10s); wait > 0) return After(wait);
//   Write(...); pacer.Wrote(key, now);
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "kube/clock.h"

namespace certplane::reconcile {

class WritePacer {
 public:
  std::optional<kube::TimePoint> LastWrite(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = last_.find(key);
    if (it == last_.end()) return std::nullopt;
    return it->second;
  }
  void Wrote(const std::string& key, kube::TimePoint now) {
    std::lock_guard lock(mu_);
    last_[key] = now;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, kube::TimePoint> last_;  // guarded by mu_
};

// How long a paced write waits: until `interval` after the last write, or not at all
// when there was none (since this process started).
inline kube::Duration PacedWriteDelay(std::optional<kube::TimePoint> last_write, kube::TimePoint now,
                                      kube::Duration interval) {
  if (!last_write) return kube::Duration::zero();
  return std::max(kube::Duration::zero(), *last_write + interval - now);
}

}  // namespace certplane::reconcile

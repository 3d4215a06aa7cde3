// LeadershipFence: whether this replica may still write as the leader, judged by time
// alone, so that a replica that was frozen (SIGSTOP, a paused VM, a long GC-like stall)
// refuses to write the moment it runs again, before its elector has even noticed.
//
// The elector extends the fence on every successful acquire or renewal to the start of
// that attempt plus the renew deadline; other candidates take over only after a full
// lease duration (longer) without seeing a renewal, so a write the fence lets through
// can never race a new leader's writes on correct clocks. Close() shuts it at once.
//
//   LeadershipFence fence;
//   auto client = Client::Create(config, {.write_gate = [&fence] { return fence.Check(); }});
//   election.fence = &fence;   // LeaderElectionConfig
//
// Thread-safe: Check() is called by every writing thread.
#pragma once

#include <atomic>
#include <memory>

#include "base/status.h"
#include "kube/clock.h"

namespace certplane::kube {

class LeadershipFence {
 public:
  explicit LeadershipFence(std::shared_ptr<Clock> clock = nullptr);

  // Allows writes until `valid_until` (monotonic); never moves the limit backwards.
  void ExtendUntil(TimePoint valid_until);
  // Refuses writes from now on, until the next ExtendUntil.
  void Close();
  // OK while the fence is open; otherwise kFailedPrecondition saying why.
  Status Check() const;

 private:
  std::shared_ptr<Clock> clock_;
  // Nanoseconds since the steady clock's epoch; 0 means closed (the default).
  std::atomic<TimePoint::rep> valid_until_{0};
};

}  // namespace certplane::kube

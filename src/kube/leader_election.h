// LeaderElector: leader election on a coordination.k8s.io/v1 Lease, with client-go's
// rules, so that of several controller replicas exactly one reconciles.
//
// - A candidate takes the Lease when it is absent, released (no holder), or expired:
//   its record has not changed for leaseDurationSeconds as observed on this
//   candidate's own clock (no trust in other machines' clocks).
// - The leader renews every retry period; if it cannot renew for renew_deadline it
//   stops leading. Writes are conditional on resourceVersion, so two candidates can
//   never both win a race.
// - On a clean stop the leader releases the Lease (empty holder), so another
//   candidate takes over at its next try instead of waiting for expiry.
//
//   LeaderElectionConfig config;
//   config.lease_namespace = "certplane-system";
//   config.lease_name = "certplane-controller";
//   config.identity = pod_name;
//   config.on_started_leading = [&](std::stop_token leading) {
//     RunControllers(leading);  // return when `leading` is stopped
//   };
//   LeaderElector elector(client, config);
//   elector.Run(stop_token);   // blocks until stop or leadership is lost
//
// Durations come from flags (--leader-elect-lease-duration, -renew-deadline,
// -retry-period; defaults 15 s / 10 s / 2 s).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "base/status.h"
#include "kube/clock.h"
#include "kube/leadership_fence.h"
#include "kube/object_meta.h"
#include "kube/rest_client.h"

namespace certplane::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per candidate, e.g. the pod name
  Duration lease_duration = std::chrono::seconds(15);
  Duration renew_deadline = std::chrono::seconds(10);
  Duration retry_period = std::chrono::seconds(2);
  // Runs on its own thread once this candidate leads; its stop_token is triggered
  // when leadership ends, and it is joined before on_stopped_leading runs.
  std::function<void(std::stop_token)> on_started_leading;
  std::function<void()> on_stopped_leading;
  // Called whenever the observed holder changes (also for this candidate).
  std::function<void(const std::string& holder)> on_new_leader;
  bool release_on_cancel = true;
  // When set, extended on every acquire and renewal and closed the moment leadership
  // is lost (before the workers are stopped) or, after a clean stop, once they have
  // finished; the writing client gates on it (leadership_fence.h). The elector's own
  // client must not: it has to renew and release.
  LeadershipFence* fence = nullptr;
  std::shared_ptr<Clock> clock;  // default: system clock
};

// Checks lease_duration > renew_deadline > 1.2 * retry_period > 0 and that names are set.
Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

// RFC 3339 with microseconds, UTC: the MicroTime format of Lease times.
std::string FormatMicroTime(std::chrono::system_clock::time_point t);

class LeaderElector {
 public:
  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config);

  // Campaigns until leading, leads until the lease is lost or `stop`, then stops
  // leading (and releases on stop). Returns the reason it ended: OK after a clean
  // stop, kUnavailable when the lease was lost, kInvalidArgument for a bad config.
  Status Run(std::stop_token stop);

  bool IsLeader() const { return leading_.load(); }
  // The holder last observed, or empty.
  std::string ObservedLeader() const;

 private:
  bool TryAcquireOrRenew();
  void Release();
  // Waits `d` through the clock, waking early on stop. Returns false if stopped.
  bool Sleep(Duration d, std::stop_token stop);

  const std::shared_ptr<Client> client_;
  const LeaderElectionConfig config_;
  const std::shared_ptr<Clock> clock_;
  std::atomic<bool> leading_{false};

  mutable std::mutex mu_;
  std::optional<Lease> observed_;  // guarded by mu_; the last record read or written
  TimePoint observed_time_{};      // guarded by mu_; when it last changed, our clock
};

}  // namespace certplane::kube

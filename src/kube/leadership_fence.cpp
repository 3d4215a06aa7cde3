#include "kube/leadership_fence.h"

#include <utility>

namespace certplane::kube {

LeadershipFence::LeadershipFence(std::shared_ptr<Clock> clock) : clock_(clock ? std::move(clock) : SystemClock()) {}

void LeadershipFence::ExtendUntil(TimePoint valid_until) {
  const TimePoint::rep wanted = valid_until.time_since_epoch().count();
  TimePoint::rep current = valid_until_.load();
  while (current < wanted && !valid_until_.compare_exchange_weak(current, wanted)) {
  }
}

void LeadershipFence::Close() { valid_until_.store(0); }

Status LeadershipFence::Check() const {
  const TimePoint::rep until = valid_until_.load();
  if (until == 0) return FailedPrecondition("not writing: this replica does not hold the leader lease");
  if (clock_->Now().time_since_epoch().count() >= until) {
    return FailedPrecondition(
        "not writing: this replica's hold on the leader lease has lapsed (no renewal within "
        "the renew deadline)");
  }
  return Status::Ok();
}

}  // namespace certplane::kube

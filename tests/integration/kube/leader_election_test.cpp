// Leader election between candidate processes contending for one Lease.
#include <signal.h>

#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "kube/object_meta.h"
#include "kube/resource.h"
#include "kube/rest_client.h"
#include "kube_test.h"
#include "process.h"

namespace certplane {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::Eventually;
using testing::KubeTest;

struct Timing {
  std::string lease, renew, retry;
  std::chrono::seconds lease_duration;
  std::chrono::seconds retry_period;
};

class LeaderElectionTest : public KubeTest {
 protected:
  std::unique_ptr<ChildProcess> StartCandidate(const std::string& identity, const Timing& t) {
    std::vector<std::string> argv{CERTPLANE_ELECTOR_HELPER, ns(), "controller", identity, t.lease, t.renew, t.retry};
    if (write_) argv.push_back("--write");
    return std::make_unique<ChildProcess>(argv);
  }

  // The resourceVersion of the ConfigMap a --write candidate writes while leading.
  std::string WritesVersion(const std::string& identity) {
    auto cm = client().Get(kube::kConfigMaps, ns(), "writes-" + identity);
    return cm.ok() ? cm->at("metadata").value("resourceVersion", "") : "";
  }

  std::string Holder() {
    auto lease = kube::As<kube::Lease>(client().Get(kube::kLeases, ns(), "controller"));
    return lease.ok() ? lease->holder_identity : "";
  }

  // Starts two candidates and returns {leader, follower} once one leads.
  std::pair<ChildProcess*, ChildProcess*> StartPair(const Timing& t) {
    a_ = StartCandidate("candidate-a", t);
    b_ = StartCandidate("candidate-b", t);
    EXPECT_TRUE(Eventually([&] { return !Holder().empty(); }, 60s));
    std::string holder = Holder();
    ChildProcess* leader = holder == "candidate-a" ? a_.get() : b_.get();
    ChildProcess* follower = holder == "candidate-a" ? b_.get() : a_.get();
    EXPECT_TRUE(leader->WaitForLine("leading " + holder, 30s));
    return {leader, follower};
  }

  std::unique_ptr<ChildProcess> a_, b_;
  bool write_ = false;
};

const Timing kFast{"6s", "4s", "1s", 6s, 1s};
const Timing kDefaults{"15s", "10s", "2s", 15s, 2s};

TEST_F(LeaderElectionTest, ExactlyOneOfTwoCandidatesLeads) {
  auto [leader, follower] = StartPair(kFast);
  // For several retry periods the follower keeps trying and never leads.
  EXPECT_FALSE(follower->WaitForLine("leading", 4 * kFast.retry_period));
  std::string holder = Holder();
  EXPECT_TRUE(holder == "candidate-a" || holder == "candidate-b") << holder;
  EXPECT_EQ(holder, leader == a_.get() ? "candidate-a" : "candidate-b");
}

TEST_F(LeaderElectionTest, TheOtherLeadsWithinTheLeaseDurationWhenTheLeaderIsKilled) {
  auto [leader, follower] = StartPair(kFast);
  std::string old_holder = Holder();
  auto killed_at = std::chrono::steady_clock::now();
  leader->Signal(SIGKILL);
  ASSERT_TRUE(leader->Wait(10s).has_value());
  // Expiry is judged on the follower's clock from when it last saw the record change:
  // at most lease duration + two retry periods after the kill; the rest is slack.
  auto bound = kFast.lease_duration + 2 * kFast.retry_period + 10s;
  ASSERT_TRUE(follower->WaitForLine("leading", std::chrono::duration_cast<std::chrono::milliseconds>(bound)));
  auto took = std::chrono::steady_clock::now() - killed_at;
  EXPECT_LE(took, bound);
  std::string new_holder = Holder();
  EXPECT_NE(new_holder, old_holder);
  EXPECT_FALSE(new_holder.empty());
}

TEST_F(LeaderElectionTest, ACleanStopHandsOverWithoutWaitingForExpiry) {
  auto [leader, follower] = StartPair(kDefaults);
  auto stopped_at = std::chrono::steady_clock::now();
  leader->Signal(SIGTERM);
  ASSERT_TRUE(leader->WaitForLine("stopped", 30s));
  auto exit_code = leader->Wait(30s);
  ASSERT_TRUE(exit_code.has_value());
  EXPECT_EQ(*exit_code, 0);
  // The released Lease is free at once: the follower takes it at its next retry,
  // well before the 15 s lease would have expired.
  ASSERT_TRUE(follower->WaitForLine("leading", 30s));
  auto took = std::chrono::steady_clock::now() - stopped_at;
  EXPECT_LT(took, kDefaults.lease_duration);
}

TEST_F(LeaderElectionTest, AFrozenLeaderWritesNothingAfterItsLeaseIsTakenOver) {
  write_ = true;
  auto [leader, follower] = StartPair(kFast);
  const std::string frozen = Holder();
  ASSERT_TRUE(Eventually([&] { return !WritesVersion(frozen).empty(); }, 10s)) << "the leader never wrote";
  leader->Signal(SIGSTOP);
  // Frozen, it cannot renew: the follower takes over after the lease duration.
  ASSERT_TRUE(follower->WaitForLine("leading", 60s));
  const std::string last_write = WritesVersion(frozen);
  ASSERT_FALSE(last_write.empty());
  leader->Signal(SIGCONT);
  // Woken, its writer makes the write it had in hand (the witness that a write was
  // attempted) and is refused by the fence, whether or not the elector has noticed the
  // loss yet; the elector then finds the lease gone and ends.
  EXPECT_TRUE(leader->WaitForLine("refused " + frozen, 30s));
  EXPECT_TRUE(leader->WaitForLine("stopped " + frozen, 30s));
  auto exit_code = leader->Wait(30s);
  ASSERT_TRUE(exit_code.has_value());
  EXPECT_EQ(*exit_code, 1) << "losing the lease ends the candidate with an error";
  EXPECT_EQ(WritesVersion(frozen), last_write) << "the frozen leader wrote after its lease was taken over";
}

}  // namespace
}  // namespace certplane

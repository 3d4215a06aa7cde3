// Work queue semantics, driven by a fake clock.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "kube/clock.h"
#include "kube/controller.h"
#include "kube/rate_limiters.h"
#include "kube/work_queue.h"

namespace certplane::kube {
namespace {

using namespace std::chrono_literals;

class WorkQueueTest : public ::testing::Test {
 protected:
  WorkQueueOptions Options() {
    WorkQueueOptions o;
    o.clock = clock_;
    o.rate_limiter = DefaultControllerRateLimiter(clock_);
    return o;
  }
  // Advances the fake clock and returns the next key, which must be ready then.
  std::optional<std::string> AdvanceAndGet(WorkQueue& q, Duration d) {
    clock_->Advance(d);
    return q.Get();
  }
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
};

TEST_F(WorkQueueTest, CollapsesDuplicateAdds) {
  WorkQueue q(Options());
  q.Add("ns/a");
  q.Add("ns/a");
  q.Add("ns/b");
  q.Add("ns/a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.Get(), "ns/a");
  EXPECT_EQ(q.Get(), "ns/b");
  EXPECT_EQ(q.Len(), 0u);
}

TEST_F(WorkQueueTest, HoldsBackAKeyAddedWhileItIsProcessedUntilDone) {
  WorkQueue q(Options());
  q.Add("ns/a");
  auto key = q.Get();
  ASSERT_EQ(key, "ns/a");
  q.Add("ns/a");  // changed while a worker holds it
  EXPECT_EQ(q.Len(), 0u) << "a second worker must not get the key now";
  q.Add("ns/a");
  q.Done("ns/a");
  EXPECT_EQ(q.Len(), 1u) << "re-queued once on Done";
  EXPECT_EQ(q.Get(), "ns/a");
  q.Done("ns/a");
  EXPECT_EQ(q.Len(), 0u);
}

TEST_F(WorkQueueTest, NeverGivesOneKeyToTwoWorkersAtOnce) {
  WorkQueueOptions options;  // real clock: real threads
  WorkQueue q(std::move(options));
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<int> overlaps{0};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        {
          std::lock_guard lock(mu);
          if (!in_flight.insert(*key).second) ++overlaps;
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mu);
          in_flight.erase(*key);
        }
        ++processed;
        q.Done(*key);
      }
    });
  }
  for (int round = 0; round < 200; ++round) {
    for (int k = 0; k < 5; ++k) q.Add("ns/key-" + std::to_string(k));
  }
  q.ShutDownWithDrain();
  for (auto& w : workers) w.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(processed.load(), 5);
  EXPECT_LE(processed.load(), 1000);
}

TEST_F(WorkQueueTest, HoldsDelayedAddsUntilTheirTime) {
  WorkQueue q(Options());
  q.AddAfter("ns/renew", 10s);
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.DelayedLen(), 1u);
  clock_->Advance(9s);
  EXPECT_EQ(q.TryGet(Duration::zero()), std::nullopt);
  EXPECT_EQ(AdvanceAndGet(q, 1s), "ns/renew");
  EXPECT_EQ(q.DelayedLen(), 0u);
}

TEST_F(WorkQueueTest, WakesABlockedWorkerWhenADelayedKeyFallsDue) {
  WorkQueue q(Options());
  q.AddAfter("ns/later", 1h);
  std::optional<std::string> got;
  std::thread worker([&] { got = q.Get(); });
  // Once the worker waits on the clock, moving time past the deadline must wake it.
  while (clock_->Waiters() == 0) std::this_thread::yield();
  clock_->Advance(1h);
  worker.join();
  EXPECT_EQ(got, "ns/later");
}

TEST_F(WorkQueueTest, KeepsTheEarlierTimeWhenAKeyIsDelayedTwice) {
  WorkQueue q(Options());
  q.AddAfter("ns/a", 1h);
  q.AddAfter("ns/a", 1min);
  q.AddAfter("ns/a", 2h);
  EXPECT_EQ(q.DelayedLen(), 1u);
  EXPECT_EQ(AdvanceAndGet(q, 1min), "ns/a");
  q.Done("ns/a");
  clock_->Advance(3h);
  EXPECT_EQ(q.TryGet(Duration::zero()), std::nullopt) << "the later entries were superseded";
}

TEST_F(WorkQueueTest, OrdersDelayedKeysByTheirTime) {
  WorkQueue q(Options());
  q.AddAfter("ns/third", 30s);
  q.AddAfter("ns/first", 10s);
  q.AddAfter("ns/second", 20s);
  clock_->Advance(30s);
  EXPECT_EQ(q.Get(), "ns/first");
  EXPECT_EQ(q.Get(), "ns/second");
  EXPECT_EQ(q.Get(), "ns/third");
}

TEST_F(WorkQueueTest, BacksOffExponentiallyPerKeyUntilForgotten) {
  WorkQueueOptions options;
  options.clock = clock_;
  options.rate_limiter = std::make_unique<ItemExponentialRateLimiter>(5ms, 1000s);
  WorkQueue q(std::move(options));
  for (Duration expected : {Duration(5ms), Duration(10ms), Duration(20ms), Duration(40ms)}) {
    q.AddRateLimited("ns/failing");
    clock_->Advance(expected - 1ms);
    EXPECT_EQ(q.TryGet(Duration::zero()), std::nullopt) << "before " << expected.count() << "ns";
    EXPECT_EQ(AdvanceAndGet(q, 1ms), "ns/failing");
    q.Done("ns/failing");
  }
  EXPECT_EQ(q.NumRequeues("ns/failing"), 4);
  q.Forget("ns/failing");
  EXPECT_EQ(q.NumRequeues("ns/failing"), 0);
  q.AddRateLimited("ns/failing");
  EXPECT_EQ(AdvanceAndGet(q, 5ms), "ns/failing");
}

TEST_F(WorkQueueTest, ShutDownDeliversQueuedKeysThenEnds) {
  WorkQueue q(Options());
  q.Add("ns/a");
  q.Add("ns/b");
  q.AddAfter("ns/delayed", 1s);
  q.ShutDown();
  q.Add("ns/ignored");
  EXPECT_TRUE(q.ShuttingDown());
  EXPECT_EQ(q.Get(), "ns/a");
  EXPECT_EQ(q.Get(), "ns/b");
  clock_->Advance(1s);
  EXPECT_EQ(q.Get(), std::nullopt) << "delayed keys are dropped, later adds ignored";
}

TEST_F(WorkQueueTest, AbandonDropsQueuedKeysAndEndsOnceTheKeyInFlightIsDone) {
  WorkQueue q(Options());
  q.Add("ns/in-flight");
  ASSERT_EQ(q.Get(), "ns/in-flight");
  q.Add("ns/a");
  q.Add("ns/in-flight");  // changed while processed: would be queued again at Done
  q.AddAfter("ns/delayed", 1s);
  q.Abandon();
  q.Add("ns/ignored");
  EXPECT_TRUE(q.ShuttingDown());
  EXPECT_EQ(q.Len(), 0U);
  q.Done("ns/in-flight");
  clock_->Advance(1s);
  EXPECT_EQ(q.Get(), std::nullopt) << "queued, re-queued, delayed and later keys are all dropped";
}

TEST_F(WorkQueueTest, ShutDownWithDrainWaitsForKeysInFlight) {
  WorkQueue q(Options());
  q.Add("ns/a");
  auto key = q.Get();
  ASSERT_EQ(key, "ns/a");
  std::atomic<bool> drained{false};
  std::thread closer([&] {
    q.ShutDownWithDrain();
    drained = true;
  });
  while (!q.ShuttingDown()) std::this_thread::yield();
  EXPECT_FALSE(drained.load());
  q.Done("ns/a");
  closer.join();
  EXPECT_TRUE(drained.load());
}

// Controller result handling, with the queue's fake clock.
struct ControllerCase {
  std::string name;
  std::function<ReconcileResult()> result;
  size_t delayed_after;  // keys in the timer heap after one reconcile
  int requeues_after;    // the key's failure count after one reconcile
};

void PrintTo(const ControllerCase& c, std::ostream* os) { *os << c.name; }

class ControllerResultTest : public ::testing::TestWithParam<ControllerCase> {};

TEST_P(ControllerResultTest, HandlesTheReconcileResult) {
  auto clock = std::make_shared<FakeClock>();
  ControllerOptions options;
  options.clock = clock;
  options.rate_limiter = DefaultControllerRateLimiter(clock);
  const ControllerCase& c = GetParam();
  Controller controller(std::move(options), [&](const Request& req) {
    EXPECT_EQ(req, (Request{"shop", "frontend"}));
    return c.result();
  });
  controller.queue().Add("shop/frontend");
  auto key = controller.queue().Get();
  ASSERT_EQ(key, "shop/frontend");
  controller.ProcessKey(*key);
  controller.queue().Done(*key);
  EXPECT_EQ(controller.queue().DelayedLen(), c.delayed_after);
  EXPECT_EQ(controller.queue().NumRequeues("shop/frontend"), c.requeues_after);
  EXPECT_EQ(controller.queue().Len(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Results, ControllerResultTest,
    ::testing::Values(
        ControllerCase{"DoneForgetsTheKey", [] { return ReconcileResult::Done(); }, 0, 0},
        ControllerCase{"AfterSchedulesTheKey", [] { return ReconcileResult::After(std::chrono::hours(24)); }, 1, 0},
        ControllerCase{"RetryBacksOff", [] { return ReconcileResult::Retry(Unavailable("api down")); }, 1, 1},
        ControllerCase{"TerminalDoesNotRetry", [] { return ReconcileResult::Terminal(InvalidArgument("bad spec")); }, 0,
                       0},
        ControllerCase{"AnExceptionIsRetriedNotFatal", []() -> ReconcileResult { throw std::runtime_error("bug"); }, 1,
                       1}),
    [](const ::testing::TestParamInfo<ControllerCase>& info) { return info.param.name; });

// A stopping controller finishes the keys its workers hold and drops the rest: with
// 100,000 certificates queued, draining them kept a stopped controller issuing for
// minutes.
TEST(ControllerTest, StopFinishesTheKeysInFlightAndDropsTheQueuedOnes) {
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::atomic<bool> release{false};
  ControllerOptions options;
  options.workers = 3;
  Controller controller(std::move(options), [&](const Request&) {
    ++started;
    while (!release.load()) std::this_thread::yield();
    ++finished;
    return ReconcileResult::Done();
  });
  controller.Start();
  for (int i = 0; i < 50; ++i) controller.queue().Add("ns/k" + std::to_string(i));
  while (started.load() < 3) std::this_thread::yield();
  std::thread stopper([&] { controller.Stop(); });
  while (!controller.queue().ShuttingDown()) std::this_thread::yield();
  release = true;
  stopper.join();
  EXPECT_EQ(started.load(), 3);
  EXPECT_EQ(finished.load(), 3);
}

TEST(RequestTest, SplitsKeys) {
  EXPECT_EQ(Request::FromKey("shop/frontend"), (Request{"shop", "frontend"}));
  EXPECT_EQ(Request::FromKey("cluster-ca"), (Request{"", "cluster-ca"}));
  EXPECT_EQ((Request{"", "cluster-ca"}).Key(), "cluster-ca");
}

}  // namespace
}  // namespace certplane::kube

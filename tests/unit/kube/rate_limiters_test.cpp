#include <chrono>

#include <gtest/gtest.h>

#include "kube/clock.h"
#include "kube/rate_limiters.h"
#include "kube/token_bucket.h"

namespace certplane::kube {
namespace {

using namespace std::chrono_literals;

TEST(ItemExponentialRateLimiterTest, DoublesFromFiveMillisecondsToTheCap) {
  ItemExponentialRateLimiter limiter(5ms, 1000s);
  EXPECT_EQ(limiter.When("a"), Duration(5ms));
  EXPECT_EQ(limiter.When("a"), Duration(10ms));
  EXPECT_EQ(limiter.When("a"), Duration(20ms));
  EXPECT_EQ(limiter.When("b"), Duration(5ms)) << "per key";
  for (int i = 0; i < 100; ++i) limiter.When("a");
  EXPECT_EQ(limiter.When("a"), Duration(1000s)) << "capped, never overflowing";
  EXPECT_EQ(limiter.NumRequeues("a"), 104);
  limiter.Forget("a");
  EXPECT_EQ(limiter.NumRequeues("a"), 0);
  EXPECT_EQ(limiter.When("a"), Duration(5ms));
}

TEST(TokenBucketTest, AllowsABurstThenSpacesTokensByTheRate) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucket bucket(10, 3, clock);
  EXPECT_EQ(bucket.Reserve(), Duration::zero());
  EXPECT_EQ(bucket.Reserve(), Duration::zero());
  EXPECT_EQ(bucket.Reserve(), Duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(bucket.Reserve()), 100ms);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(bucket.Reserve()), 200ms);
  EXPECT_FALSE(bucket.TryAccept());
  clock->Advance(10s);
  EXPECT_TRUE(bucket.TryAccept()) << "refilled, up to the burst";
  EXPECT_TRUE(bucket.TryAccept());
  EXPECT_TRUE(bucket.TryAccept());
  EXPECT_FALSE(bucket.TryAccept());
}

TEST(TokenBucketTest, SlowDownHalvesTheRateOnceASecondAndItClimbsBack) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucket bucket(100, 10, clock);
  EXPECT_EQ(bucket.current_qps(), 100);
  bucket.SlowDown();
  EXPECT_EQ(bucket.current_qps(), 50);
  bucket.SlowDown();
  EXPECT_EQ(bucket.current_qps(), 50) << "the same burst of 429s halves once";
  EXPECT_GT(bucket.Reserve(), Duration::zero()) << "the burst is spent at once";
  clock->Advance(1s);
  EXPECT_DOUBLE_EQ(bucket.current_qps(), 55) << "climbs by a twentieth of the ceiling per second";
  for (int i = 0; i < 10; ++i) {
    clock->Advance(1s);
    bucket.SlowDown();
  }
  // A 429 every second holds it near a twentieth of the ceiling (halved, then +5 per second).
  EXPECT_GE(bucket.current_qps(), 100.0 / 64) << "never below a 64th of the ceiling";
  EXPECT_LT(bucket.current_qps(), 6);
  clock->Advance(60s);
  EXPECT_EQ(bucket.current_qps(), 100) << "never above the ceiling the flags give";
}

TEST(TokenBucketTest, ZeroQpsMeansNoLimit) {
  TokenBucket bucket(0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(bucket.Reserve(), Duration::zero());
}

TEST(TokenBucketTest, WaitReturnsOnceTheClockReachesTheToken) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucket bucket(1, 1, clock);
  bucket.Wait();  // the burst token: no wait
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    bucket.Wait();
    done = true;
  });
  while (clock->Waiters() == 0) std::this_thread::yield();
  EXPECT_FALSE(done.load());
  clock->Advance(1s);
  waiter.join();
  EXPECT_TRUE(done.load());
}

TEST(DefaultControllerRateLimiterTest, IsTheMaxOfPerKeyBackoffAndTheOverallBucket) {
  auto clock = std::make_shared<FakeClock>();
  auto limiter = DefaultControllerRateLimiter(clock);
  // The first 100 distinct failures fit the bucket's burst: per-key backoff rules.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter->When("k" + std::to_string(i)), Duration(5ms));
  // The 101st failure, of any key, waits for the bucket (10 qps): 100 ms.
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter->When("k-next")), 100ms);
  // A key that has failed often waits its own, longer, backoff.
  for (int i = 0; i < 10; ++i) limiter->When("hot");
  clock->Advance(1h);
  EXPECT_EQ(limiter->When("hot"), Duration(5ms * 1024));
  EXPECT_EQ(limiter->NumRequeues("hot"), 11);
  limiter->Forget("hot");
  EXPECT_EQ(limiter->NumRequeues("hot"), 0);
}

}  // namespace
}  // namespace certplane::kube

// RsaKeyPool (rsa_key_pool.h): filled in the background up to its capacity, each key
// handed out once, a fresh key when empty, and a prompt stop.
#include "pki/rsa_key_pool.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "eventually.h"
#include "fixtures.h"

namespace certplane::pki {
namespace {

using namespace std::chrono_literals;
using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::Must;

// Polls `condition` every millisecond for up to 10 s.
bool Eventually(const std::function<bool()>& condition) { return certplane::testing::Eventually(condition, 10s, 1ms); }

// A fast stand-in generator (P-256 keys) that counts its calls.
struct CountingGenerator {
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  Result<PrivateKey> operator()(KeyAlgorithm) const {
    ++*calls;
    return GeneratePrivateKey(KeyAlgorithm::kEcdsaP256);
  }
};

std::string Fingerprint(const PrivateKey& key) { return key.public_key().Sha256Fingerprint(); }

TEST(RsaKeyPool, FillsUpToItsCapacityInTheBackgroundAndStops) {
  CountingGenerator generator;
  RsaKeyPool pool({.algorithm = KeyAlgorithm::kRsa2048, .capacity = 3, .generate = generator});
  EXPECT_TRUE(Eventually([&] { return pool.ready() == 3; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(pool.ready(), 3u);
  EXPECT_EQ(generator.calls->load(), 3);  // no more than it holds
}

TEST(RsaKeyPool, HandsOutEachKeyOnceAndRefillsBehindTheTakes) {
  CountingGenerator generator;
  RsaKeyPool pool({.algorithm = KeyAlgorithm::kRsa2048, .capacity = 2, .generate = generator});
  std::set<std::string> seen;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Eventually([&] { return pool.ready() == 2; }));
    EXPECT_TRUE(seen.insert(Fingerprint(Must(pool.Take()))).second) << "key handed out twice";
  }
  EXPECT_TRUE(Eventually([&] { return pool.ready() == 2; }));
  EXPECT_EQ(generator.calls->load(), 12);  // 10 taken + 2 ready: every key generated was or is fresh
}

TEST(RsaKeyPool, GeneratesOnTheCallersThreadWhenEmpty) {
  CountingGenerator generator;
  RsaKeyPool pool({.algorithm = KeyAlgorithm::kRsa2048, .capacity = 0, .generate = generator});
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(seen.insert(Fingerprint(Must(pool.Take()))).second);
  EXPECT_EQ(generator.calls->load(), 3);
  EXPECT_EQ(pool.ready(), 0u);
}

TEST(RsaKeyPool, ServesTakesFromSeveralThreadsWithDistinctKeys) {
  CountingGenerator generator;
  RsaKeyPool pool({.algorithm = KeyAlgorithm::kRsa2048, .capacity = 2, .generate = generator});
  std::mutex mu;
  std::set<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        std::string fp = Fingerprint(Must(pool.Take()));
        std::lock_guard<std::mutex> lock(mu);
        seen.insert(fp);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(seen.size(), 40u);
}

TEST(RsaKeyPool, ReportsTheGeneratorsErrorWhenItHasNoKey) {
  RsaKeyPool pool({.algorithm = KeyAlgorithm::kRsa2048,
                   .capacity = 1,
                   .generate = [](KeyAlgorithm) -> Result<PrivateKey> { return Internal("no entropy"); }});
  EXPECT_THAT(pool.Take(), IsErrorWith(StatusCode::kInternal, "no entropy"));
  EXPECT_EQ(pool.ready(), 0u);
}

TEST(RsaKeyPool, StopsPromptlyWhileAGenerationIsInProgress) {
  std::atomic<bool> started{false};
  auto start = std::chrono::steady_clock::now();
  {
    RsaKeyPool pool(
        {.algorithm = KeyAlgorithm::kRsa2048, .capacity = 1, .generate = [&](KeyAlgorithm) -> Result<PrivateKey> {
           started = true;
           std::this_thread::sleep_for(100ms);
           return GeneratePrivateKey(KeyAlgorithm::kEcdsaP256);
         }});
    ASSERT_TRUE(Eventually([&] { return started.load(); }));
  }  // waits for the generation in progress, then drops its key
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(RsaKeyPool, HandsOutRealRsaKeys) {
  // Not waiting for the refill thread: at SCHED_IDLE on a busy machine an RSA key can
  // take it seconds; Take generates one itself when none is ready.
  RsaKeyPool pool({.algorithm = KeyAlgorithm::kRsa2048, .capacity = 1});
  PrivateKey key = Must(pool.Take());
  EXPECT_EQ(key.algorithm(), KeyAlgorithm::kRsa2048);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  EXPECT_EQ(EVP_PKEY_pairwise_check(ctx.get()), 1);
}

}  // namespace
}  // namespace certplane::pki

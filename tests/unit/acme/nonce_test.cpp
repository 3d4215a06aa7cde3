#include "acme/nonce.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "acme/base64url.h"
#include "acme/token.h"

namespace certplane::acme {
namespace {

using std::chrono::seconds;

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  NonceSource::Now Func() {
    return [this] { return now; };
  }
};

TEST(NonceSource, IssuesBase64UrlNoncesWithAnInstancePrefixAnd128RandomBits) {
  NonceSource nonces;
  std::string a = nonces.Issue();
  std::string b = nonces.Issue();
  EXPECT_EQ(a.size(), 32u);
  std::optional<std::string> raw_a = Base64UrlDecode(a);
  std::optional<std::string> raw_b = Base64UrlDecode(b);
  ASSERT_TRUE(raw_a.has_value());
  ASSERT_TRUE(raw_b.has_value());
  EXPECT_EQ(raw_a->size(), 24u);
  EXPECT_EQ(raw_a->substr(0, 8), raw_b->substr(0, 8));
  EXPECT_NE(raw_a->substr(8), raw_b->substr(8));
  EXPECT_EQ(nonces.outstanding(), 2u);
}

TEST(NonceSource, RedeemsANonceExactlyOnce) {
  NonceSource nonces;
  std::string nonce = nonces.Issue();
  EXPECT_TRUE(nonces.Redeem(nonce));
  EXPECT_FALSE(nonces.Redeem(nonce));
  EXPECT_EQ(nonces.outstanding(), 0u);
}

TEST(NonceSource, RefusesTextItNeverIssued) {
  NonceSource nonces;
  std::string nonce = nonces.Issue();
  EXPECT_FALSE(nonces.Redeem(""));
  EXPECT_FALSE(nonces.Redeem("!!!!"));
  EXPECT_FALSE(nonces.Redeem(nonce + "A"));
  EXPECT_FALSE(nonces.Redeem(nonce.substr(0, 31)));
  std::string flipped = nonce;
  flipped[20] = flipped[20] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(nonces.Redeem(flipped));
  EXPECT_TRUE(nonces.Redeem(nonce));
}

TEST(NonceSource, RefusesANonceOfAnotherInstance) {
  NonceSource replica_a;
  NonceSource replica_b;
  std::string nonce = replica_a.Issue();
  EXPECT_FALSE(replica_b.Redeem(nonce));
  EXPECT_TRUE(replica_a.Redeem(nonce));
}

TEST(NonceSource, ANonceExpiresAfterItsLifetime) {
  FakeClock clock;
  NonceSource nonces(seconds(300), 100, clock.Func());
  std::string early = nonces.Issue();
  std::string late = nonces.Issue();
  clock.now += seconds(299);
  EXPECT_TRUE(nonces.Redeem(early));
  clock.now += seconds(1);
  EXPECT_EQ(nonces.outstanding(), 0u);
  EXPECT_FALSE(nonces.Redeem(late));
}

TEST(NonceSource, OnlyTheOlderNoncesExpire) {
  FakeClock clock;
  NonceSource nonces(seconds(60), 100, clock.Func());
  std::string old_nonce = nonces.Issue();
  clock.now += seconds(30);
  std::string new_nonce = nonces.Issue();
  clock.now += seconds(45);
  EXPECT_EQ(nonces.outstanding(), 1u);
  EXPECT_FALSE(nonces.Redeem(old_nonce));
  EXPECT_TRUE(nonces.Redeem(new_nonce));
}

TEST(NonceSource, ForgetsTheOldestNonceWhenFull) {
  NonceSource nonces(seconds(300), 3);
  std::string first = nonces.Issue();
  std::string second = nonces.Issue();
  std::string third = nonces.Issue();
  EXPECT_EQ(nonces.outstanding(), 3u);
  std::string fourth = nonces.Issue();
  EXPECT_EQ(nonces.outstanding(), 3u);
  EXPECT_FALSE(nonces.Redeem(first));
  EXPECT_TRUE(nonces.Redeem(second));
  EXPECT_TRUE(nonces.Redeem(third));
  EXPECT_TRUE(nonces.Redeem(fourth));
}

TEST(NonceSource, RedeemingFreesRoomSoNothingIsForgotten) {
  NonceSource nonces(seconds(300), 2);
  std::string kept = nonces.Issue();
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(nonces.Redeem(nonces.Issue()));
  EXPECT_TRUE(nonces.Redeem(kept));
}

TEST(NonceSource, ManyThreadsRedeemingOneNonceSucceedExactlyOnce) {
  NonceSource nonces;
  constexpr int kThreads = 16;
  constexpr int kRounds = 200;
  std::vector<std::string> issued;
  for (int i = 0; i < kRounds; ++i) issued.push_back(nonces.Issue());
  std::vector<std::atomic<int>> wins(kRounds);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kRounds; ++i) {
        if (nonces.Redeem(issued[static_cast<std::size_t>(i)])) wins[static_cast<std::size_t>(i)].fetch_add(1);
      }
    });
  }
  go.store(true);
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kRounds; ++i) EXPECT_EQ(wins[static_cast<std::size_t>(i)].load(), 1) << "nonce " << i;
  EXPECT_EQ(nonces.outstanding(), 0u);
}

TEST(NonceSource, ConcurrentIssueAndRedeemKeepEveryNonceUsableOnce) {
  NonceSource nonces;
  std::atomic<int> successes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        std::string nonce = nonces.Issue();
        if (nonces.Redeem(nonce)) successes.fetch_add(1);
        if (nonces.Redeem(nonce)) successes.fetch_add(1000000);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(successes.load(), 8 * 500);
}

TEST(NewToken, Is43CharactersOf256RandomBits) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string token = NewToken();
    EXPECT_EQ(token.size(), 43u);
    std::optional<std::string> raw = Base64UrlDecode(token);
    ASSERT_TRUE(raw.has_value()) << token;
    EXPECT_EQ(raw->size(), 32u);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace certplane::acme

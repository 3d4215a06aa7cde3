// BackoffDelay and SecretOwner: the pure arithmetic behind "no loop without backoff"
// and "exactly one Certificate owns a Secret".
#include "policy/backoff.h"

#include <gtest/gtest.h>

#include <vector>

#include "policy/secret_owner.h"

namespace certplane::policy {
namespace {

using namespace std::chrono_literals;

TEST(BackoffDelay, IsZeroBeforeAnyFailure) { EXPECT_EQ(BackoffDelay(0, {.initial = 10s, .max = 1h}), 0s); }

TEST(BackoffDelay, StartsAtTheInitialDelayAndDoublesWithEachAttempt) {
  const BackoffPolicy p{.initial = 10s, .max = 1h};
  EXPECT_EQ(BackoffDelay(1, p), 10s);
  EXPECT_EQ(BackoffDelay(2, p), 20s);
  EXPECT_EQ(BackoffDelay(3, p), 40s);
  EXPECT_EQ(BackoffDelay(8, p), 1280s);
}

TEST(BackoffDelay, NeverExceedsTheCapHoweverManyAttempts) {
  const BackoffPolicy p{.initial = 1min, .max = 1h};
  EXPECT_EQ(BackoffDelay(7, p), 1h);
  EXPECT_EQ(BackoffDelay(1000000, p), 1h);
  EXPECT_EQ(BackoffDelay(INT64_MAX, p), 1h);
}

TEST(BackoffDelay, ACapBelowTheInitialDelayStillWaitsTheInitialDelay) {
  EXPECT_EQ(BackoffDelay(3, {.initial = 30s, .max = 10s}), 30s);
}

TEST(SecretOwner, IsTheOldestCertificateByCreationTime) {
  const std::vector<SecretClaimant> c = {{"young", "2026-03-01T00:00:00Z", "u1"},
                                         {"old", "2026-01-01T00:00:00Z", "u2"},
                                         {"middle", "2026-02-01T00:00:00Z", "u3"}};
  EXPECT_EQ(SecretOwner(c), "old");
}

TEST(SecretOwner, BreaksATieOfCreationTimesByUidSoEveryReplicaAgrees) {
  const std::vector<SecretClaimant> a = {{"b", "2026-01-01T00:00:00Z", "uid-2"},
                                         {"a", "2026-01-01T00:00:00Z", "uid-1"}};
  const std::vector<SecretClaimant> b = {{"a", "2026-01-01T00:00:00Z", "uid-1"},
                                         {"b", "2026-01-01T00:00:00Z", "uid-2"}};
  EXPECT_EQ(SecretOwner(a), "a");
  EXPECT_EQ(SecretOwner(b), "a");
}

TEST(SecretOwner, ComparesTimesNotTextAndPutsUnreadableTimesLast) {
  const std::vector<SecretClaimant> c = {{"garbled", "yesterday", "u0"},
                                         {"offset", "2026-01-01T05:00:00+06:00", "u1"},  // 2025-12-31T23:00Z
                                         {"utc", "2026-01-01T00:00:00Z", "u2"}};
  EXPECT_EQ(SecretOwner(c), "offset");
}

TEST(SecretOwner, IsEmptyWithoutClaimants) { EXPECT_EQ(SecretOwner({}), ""); }

}  // namespace
}  // namespace certplane::policy

#include <gtest/gtest.h>

#include "api/condition.h"
#include "reconcile/profile_reconciler.h"

namespace certplane::reconcile {
namespace {

using namespace std::chrono_literals;

const kube::TimePoint kT0 = kube::TimePoint(std::chrono::hours(100));

api::CertificateProfileStatus Counting(std::int64_t certificates) {
  api::CertificateProfileStatus s;
  s.observed_generation = 1;
  s.conditions = {api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, "Ready", "ready", 1)};
  s.certificates = certificates;
  s.ready_certificates = certificates;
  return s;
}

TEST(ProfileRecountDelay, CountsWaitForTheIntervalSinceTheLastWrite) {
  EXPECT_EQ(ProfileRecountDelay(Counting(1), Counting(2), kT0, kT0 + 1s, 5s), 4s);
  EXPECT_EQ(ProfileRecountDelay(Counting(1), Counting(2), kT0, kT0 + 5s, 5s), 0s);
  EXPECT_EQ(ProfileRecountDelay(Counting(1), Counting(2), kT0, kT0 + 1h, 5s), 0s);
  // Before counting, the counts are still the written ones: the count waits as its write would.
  EXPECT_EQ(ProfileRecountDelay(Counting(1), Counting(1), kT0, kT0 + 1s, 5s), 4s);
}

TEST(ProfileRecountDelay, TheFirstCountSinceStartGoesAtOnce) {
  EXPECT_EQ(ProfileRecountDelay(Counting(1), Counting(2), std::nullopt, kT0, 5s), 0s);
}

TEST(ProfileRecountDelay, AConditionOrGenerationChangeIsNeverHeldBack) {
  api::CertificateProfileStatus not_ready = Counting(2);
  not_ready.conditions[0].status = api::ConditionStatus::kFalse;
  EXPECT_EQ(ProfileRecountDelay(Counting(1), not_ready, kT0, kT0 + 1s, 5s), 0s);
  api::CertificateProfileStatus next_generation = Counting(1);
  next_generation.observed_generation = 2;
  EXPECT_EQ(ProfileRecountDelay(Counting(1), next_generation, kT0, kT0 + 1s, 5s), 0s);
}

}  // namespace
}  // namespace certplane::reconcile

#include "api/condition.h"

#include <gtest/gtest.h>

#include <chrono>

namespace certplane::api {
namespace {

using namespace std::chrono_literals;

const Time kT0 = Time{std::chrono::sys_days{std::chrono::year{2030} / 1 / 1}};

Condition Ready(ConditionStatus status, std::string reason, std::string message = "", std::int64_t generation = 1) {
  return {std::string(kConditionReady), status, std::move(reason), std::move(message), generation, std::nullopt};
}

TEST(SetCondition, AddsANewConditionStampedNow) {
  std::vector<Condition> conditions;
  EXPECT_TRUE(SetCondition(conditions, Ready(ConditionStatus::kFalse, "DoesNotExist"), kT0));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].last_transition_time, kT0);
  EXPECT_EQ(conditions[0].reason, "DoesNotExist");
}

TEST(SetCondition, KeepsTheTransitionTimeWhenOnlyTheReasonChanges) {
  std::vector<Condition> conditions;
  SetCondition(conditions, Ready(ConditionStatus::kFalse, "DoesNotExist"), kT0);
  EXPECT_TRUE(
      SetCondition(conditions, Ready(ConditionStatus::kFalse, "PolicyViolation", "spec.dnsNames[0]", 2), kT0 + 1h));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].last_transition_time, kT0);
  EXPECT_EQ(conditions[0].reason, "PolicyViolation");
  EXPECT_EQ(conditions[0].message, "spec.dnsNames[0]");
  EXPECT_EQ(conditions[0].observed_generation, 2);
}

TEST(SetCondition, MovesTheTransitionTimeWhenTheStatusChanges) {
  std::vector<Condition> conditions;
  SetCondition(conditions, Ready(ConditionStatus::kFalse, "DoesNotExist"), kT0);
  EXPECT_TRUE(SetCondition(conditions, Ready(ConditionStatus::kTrue, "Ready"), kT0 + 1h));
  EXPECT_EQ(conditions[0].last_transition_time, kT0 + 1h);
}

TEST(SetCondition, ReportsNoChangeForTheSameCondition) {
  std::vector<Condition> conditions;
  SetCondition(conditions, Ready(ConditionStatus::kTrue, "Ready", "ok"), kT0);
  EXPECT_FALSE(SetCondition(conditions, Ready(ConditionStatus::kTrue, "Ready", "ok"), kT0 + 1h));
  EXPECT_EQ(conditions[0].last_transition_time, kT0);
}

TEST(SetCondition, StampsAConditionThatHadNoTransitionTime) {
  std::vector<Condition> conditions = {Ready(ConditionStatus::kTrue, "Ready")};
  EXPECT_TRUE(SetCondition(conditions, Ready(ConditionStatus::kTrue, "Ready"), kT0));
  EXPECT_EQ(conditions[0].last_transition_time, kT0);
}

TEST(SetCondition, LeavesOtherTypesAlone) {
  std::vector<Condition> conditions;
  SetCondition(conditions, Ready(ConditionStatus::kTrue, "Ready"), kT0);
  SetCondition(conditions, {std::string(kConditionIssuing), ConditionStatus::kTrue, "Renewing", "", 1, std::nullopt},
               kT0 + 1h);
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_TRUE(IsConditionTrue(conditions, kConditionReady));
  EXPECT_TRUE(IsConditionTrue(conditions, kConditionIssuing));
  EXPECT_EQ(FindCondition(conditions, kConditionReady)->last_transition_time, kT0);
}

TEST(RemoveCondition, RemovesOnlyThatType) {
  std::vector<Condition> conditions;
  SetCondition(conditions, Ready(ConditionStatus::kTrue, "Ready"), kT0);
  SetCondition(conditions, {std::string(kConditionIssuing), ConditionStatus::kTrue, "Renewing", "", 1, {}}, kT0);
  EXPECT_TRUE(RemoveCondition(conditions, kConditionIssuing));
  EXPECT_FALSE(RemoveCondition(conditions, kConditionIssuing));
  EXPECT_EQ(FindCondition(conditions, kConditionIssuing), nullptr);
  EXPECT_NE(FindCondition(conditions, kConditionReady), nullptr);
}

TEST(IsConditionTrue, IsFalseForAbsentFalseAndUnknown) {
  std::vector<Condition> conditions;
  EXPECT_FALSE(IsConditionTrue(conditions, kConditionReady));
  SetCondition(conditions, Ready(ConditionStatus::kUnknown, "Pending"), kT0);
  EXPECT_FALSE(IsConditionTrue(conditions, kConditionReady));
  SetCondition(conditions, Ready(ConditionStatus::kFalse, "Expired"), kT0);
  EXPECT_FALSE(IsConditionTrue(conditions, kConditionReady));
}

}  // namespace
}  // namespace certplane::api

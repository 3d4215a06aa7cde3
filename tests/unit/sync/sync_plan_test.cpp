#include "policy/sync_plan.h"

#include <gtest/gtest.h>

namespace certplane::policy {
namespace {

using namespace std::chrono_literals;

const api::Time kNow = api::Time(std::chrono::sys_days(std::chrono::year(2030) / 1 / 15)) + 12h;

SyncCandidate Ready(const std::string& name, const std::string& serial) {
  return {.name = name, .uid = "uid-" + name, .ready = true, .serial = serial, .not_after = kNow + 24h * 30};
}

api::SyncedCertificate Pushed(const std::string& name, const std::string& serial) {
  return {.name = name,
          .uid = "uid-" + name,
          .destination_id = "arn:" + name,
          .serial_number = serial,
          .synced_at = kNow - 1h,
          .synced = "True",
          .reason = std::string(kSyncedReason)};
}

SyncPlanInput Input(std::vector<SyncCandidate> selected, std::vector<api::SyncedCertificate> entries) {
  SyncPlanInput in;
  in.selected = std::move(selected);
  in.status.certificates = std::move(entries);
  in.generation = 1;
  in.status.observed_generation = 1;
  in.now = kNow;
  return in;
}

SyncStep StepOf(const SyncPlan& plan, const std::string& name) {
  for (const auto& s : plan.steps) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no step for " << name;
  return {};
}

TEST(PlanSyncTest, PushesAReadyCertificateThatWasNeverPushed) {
  SyncPlan plan = PlanSync(Input({Ready("web", "0a")}, {}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kPush);
}

TEST(PlanSyncTest, DoesNothingForACertificateWhoseSerialIsAlreadyThere) {
  SyncPlan plan = PlanSync(Input({Ready("web", "0a")}, {Pushed("web", "0a")}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kReport);
  EXPECT_EQ(StepOf(plan, "web").reason, kSyncedReason);
  EXPECT_FALSE(plan.wake_at);
}

TEST(PlanSyncTest, PushesAgainAfterARenewal) {
  SyncPlan plan = PlanSync(Input({Ready("web", "0b")}, {Pushed("web", "0a")}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kPush);
}

TEST(PlanSyncTest, PushesEverythingAgainWhenTheSyncsSpecChanged) {
  SyncPlanInput in = Input({Ready("web", "0a"), Ready("api", "0c")}, {Pushed("web", "0a"), Pushed("api", "0c")});
  in.generation = 2;
  SyncPlan plan = PlanSync(in);
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kPush);
  EXPECT_EQ(StepOf(plan, "api").action, SyncAction::kPush);
}

TEST(PlanSyncTest, PushesAgainWhenTheCertificateWasRecreatedUnderTheSameName) {
  api::SyncedCertificate old = Pushed("web", "0a");
  old.uid = "uid-of-the-deleted-one";
  SyncPlan plan = PlanSync(Input({Ready("web", "0a")}, {old}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kPush);
}

TEST(PlanSyncTest, WaitsForACertificateThatIsNotReadyYet) {
  SyncCandidate pending{.name = "web", .uid = "u", .ready = false};
  SyncPlan plan = PlanSync(Input({pending}, {}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kReport);
  EXPECT_EQ(StepOf(plan, "web").reason, kSyncPendingReason);
}

TEST(PlanSyncTest, ReportsACsrEnrolledCertificateInsteadOfPushingIt) {
  SyncCandidate csr = Ready("acme", "0a");
  csr.has_secret = false;
  SyncPlan plan = PlanSync(Input({csr}, {}));
  EXPECT_EQ(StepOf(plan, "acme").action, SyncAction::kReport);
  EXPECT_EQ(StepOf(plan, "acme").reason, kSyncNoPrivateKeyReason);
}

TEST(PlanSyncTest, RemovesARevokedCertificateThatWasPushed) {
  SyncCandidate revoked = Ready("web", "0a");
  revoked.revoked = true;
  SyncPlan plan = PlanSync(Input({revoked}, {Pushed("web", "0a")}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kRemove);
  EXPECT_EQ(StepOf(plan, "web").reason, kSyncRevokedReason);
}

TEST(PlanSyncTest, NeverPushesARevokedCertificate) {
  SyncCandidate revoked = Ready("web", "0a");
  revoked.revoked = true;
  SyncPlan plan = PlanSync(Input({revoked}, {}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kReport);
  EXPECT_EQ(StepOf(plan, "web").reason, kSyncRevokedReason);
}

TEST(PlanSyncTest, LeavesARevokedCertificateAtTheDestinationUnderRetain) {
  SyncCandidate revoked = Ready("web", "0a");
  revoked.revoked = true;
  SyncPlanInput in = Input({revoked}, {Pushed("web", "0a")});
  in.remove_on_delete = false;
  SyncPlan plan = PlanSync(in);
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kReport);
  EXPECT_NE(StepOf(plan, "web").message.find("Retain"), std::string::npos);
}

TEST(PlanSyncTest, NeverPushesAnExpiredCertificate) {
  SyncCandidate expired = Ready("web", "0b");
  expired.not_after = kNow - 1s;
  SyncPlan plan = PlanSync(Input({expired}, {Pushed("web", "0a")}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kReport);
  EXPECT_EQ(StepOf(plan, "web").reason, kSyncExpiredReason);
}

TEST(PlanSyncTest, WaitsOutTheBackoffOfAFailedPushAndWakesWhenItEnds) {
  api::SyncedCertificate failed{.name = "web", .uid = "uid-web", .synced = "False", .reason = "Throttled"};
  failed.failed_attempts = 2;
  failed.next_attempt_time = kNow + 20s;
  SyncPlan plan = PlanSync(Input({Ready("web", "0a")}, {failed}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kWait);
  ASSERT_TRUE(plan.wake_at);
  EXPECT_EQ(*plan.wake_at, kNow + 20s);
}

TEST(PlanSyncTest, TriesAgainOnceTheBackoffHasEnded) {
  api::SyncedCertificate failed{.name = "web", .uid = "uid-web", .synced = "False", .reason = "Throttled"};
  failed.failed_attempts = 2;
  failed.next_attempt_time = kNow - 1s;
  SyncPlan plan = PlanSync(Input({Ready("web", "0a")}, {failed}));
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kPush);
}

TEST(PlanSyncTest, RemovesWhatWasPushedForACertificateNoLongerSelected) {
  SyncPlan plan = PlanSync(Input({}, {Pushed("old", "0a")}));
  EXPECT_EQ(StepOf(plan, "old").action, SyncAction::kRemove);
}

TEST(PlanSyncTest, ForgetsACertificateNoLongerSelectedUnderRetain) {
  SyncPlanInput in = Input({}, {Pushed("old", "0a")});
  in.remove_on_delete = false;
  EXPECT_EQ(StepOf(PlanSync(in), "old").action, SyncAction::kForget);
}

TEST(PlanSyncTest, RemovesEverythingWhenTheSyncIsBeingDeleted) {
  SyncPlanInput in = Input({Ready("web", "0a")}, {Pushed("web", "0a"), Pushed("api", "0c")});
  in.sync_being_deleted = true;
  SyncPlan plan = PlanSync(in);
  EXPECT_EQ(StepOf(plan, "web").action, SyncAction::kRemove);
  EXPECT_EQ(StepOf(plan, "api").action, SyncAction::kRemove);
}

TEST(PlanSyncTest, ReportsANamedCertificateThatDoesNotExist) {
  SyncPlan plan = PlanSync(Input({{.name = "ghost", .exists = false}}, {}));
  EXPECT_EQ(StepOf(plan, "ghost").reason, kSyncNotFoundReason);
}

TEST(RecordSyncFailureTest, DoublesTheWaitWithEachFailureUpToTheCap) {
  api::SyncedCertificate e{.name = "web"};
  BackoffPolicy p{.initial = 10s, .max = 60s};
  RecordSyncFailure(e, "Unavailable", "503", kNow, p, std::nullopt);
  EXPECT_EQ(*e.next_attempt_time, kNow + 10s);
  RecordSyncFailure(e, "Unavailable", "503", kNow, p, std::nullopt);
  EXPECT_EQ(*e.next_attempt_time, kNow + 20s);
  for (int i = 0; i < 5; ++i) RecordSyncFailure(e, "Unavailable", "503", kNow, p, std::nullopt);
  EXPECT_EQ(*e.next_attempt_time, kNow + 60s);
  EXPECT_EQ(e.failed_attempts, 7);
  EXPECT_EQ(e.synced, "False");
}

TEST(RecordSyncFailureTest, HonoursALongerRetryAfterButNotBeyondTheCap) {
  api::SyncedCertificate e{.name = "web"};
  BackoffPolicy p{.initial = 10s, .max = 120s};
  RecordSyncFailure(e, "Throttled", "429", kNow, p, 45s);
  EXPECT_EQ(*e.next_attempt_time, kNow + 45s);
  RecordSyncFailure(e, "Throttled", "429", kNow, p, 3600s);
  EXPECT_EQ(*e.next_attempt_time, kNow + 120s);
}

}  // namespace
}  // namespace certplane::policy

#include "kube/routine_events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certplane::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;
using Decision = RoutineEventSummarizer::Decision;

const std::chrono::system_clock::time_point kT0 = std::chrono::system_clock::time_point(std::chrono::hours(1000000));
const ObjectReference kProfile{"certplane.io/v1alpha1", "CertificateProfile", "", "web", "uid-web"};

RoutineEventSummarizer Summarizer(int burst = 3) {
  return RoutineEventSummarizer({.burst = burst, .per_second = 0.2, .interval = 10s, .max_names = 2});
}

TEST(RoutineEventSummarizer, RecordsRareEventsOneByOne) {
  auto s = Summarizer();
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(s.Observe("web/Issued", kProfile, "Issued", "Issue", "shop/c" + std::to_string(i), kT0 + i * 10s),
              Decision::kRecordNow);
  }
  EXPECT_EQ(s.NextDue(), std::nullopt);
}

TEST(RoutineEventSummarizer, FoldsABurstBeyondItsTokensIntoOneSummaryPerInterval) {
  auto s = Summarizer();
  int now = 0;
  for (int i = 0; i < 100; ++i) {
    Decision d = s.Observe("web/Issued", kProfile, "Issued", "Issue", "shop/c" + std::to_string(i), kT0 + i * 10ms);
    now += d == Decision::kRecordNow;
  }
  EXPECT_EQ(now, 3) << "the burst";
  ASSERT_EQ(s.NextDue(), kT0 + 30ms + 10s) << "due an interval after the first folded event";
  EXPECT_THAT(s.TakeDue(kT0 + 5s), IsEmpty());
  auto due = s.TakeDue(kT0 + 11s);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].count, 97);
  EXPECT_EQ(due[0].regarding.name, "web");
  EXPECT_THAT(due[0].names, ElementsAre("shop/c3", "shop/c4"));
  EXPECT_EQ(due[0].Note(),
            "97 more Issued events in 10s (summarized, one Event per 10s): shop/c3, shop/c4 and 95 more");
  EXPECT_EQ(s.NextDue(), std::nullopt);
  // Tokens refilled meanwhile (0.2/s over 11 s): two more one by one, then folding again.
  EXPECT_EQ(s.Observe("web/Issued", kProfile, "Issued", "Issue", "shop/x", kT0 + 12s), Decision::kRecordNow);
  EXPECT_EQ(s.Observe("web/Issued", kProfile, "Issued", "Issue", "shop/y", kT0 + 12s), Decision::kRecordNow);
  EXPECT_EQ(s.Observe("web/Issued", kProfile, "Issued", "Issue", "shop/z", kT0 + 12s), Decision::kSummarized);
}

TEST(RoutineEventSummarizerSummary, ListsTheNamesThatFitAndAlwaysTheCountOfTheRest) {
  RoutineEventSummarizer::Summary s{.reason = "Issued", .count = 50, .interval = 10s};
  for (int i = 0; i < 20; ++i) s.names.push_back("namespace-" + std::to_string(i) + "/certificate");
  const std::string note = s.Note(200);
  EXPECT_LE(note.size(), 200u);
  EXPECT_THAT(note,
              ::testing::StartsWith("50 more Issued events in 10s (summarized, one Event per 10s): namespace-0/"));
  EXPECT_THAT(note, ::testing::EndsWith("namespace-4/certificate and 45 more"))
      << "5 names fit, the other 45 are counted";
}

TEST(RoutineEventSummarizer, KeysAreIndependent) {
  auto s = Summarizer(1);
  EXPECT_EQ(s.Observe("a/Issued", kProfile, "Issued", "Issue", "n1", kT0), Decision::kRecordNow);
  EXPECT_EQ(s.Observe("a/Issued", kProfile, "Issued", "Issue", "n2", kT0), Decision::kSummarized);
  EXPECT_EQ(s.Observe("b/Issued", kProfile, "Issued", "Issue", "n3", kT0), Decision::kRecordNow);
}

TEST(RoutineEventSummarizer, ForgetsTheIdlestKeyWithNothingPendingBeyondItsLimit) {
  RoutineEventSummarizer s({.burst = 1, .interval = 10s, .max_keys = 2});
  EXPECT_EQ(s.Observe("a", kProfile, "Issued", "Issue", "n", kT0), Decision::kRecordNow);
  EXPECT_EQ(s.Observe("a", kProfile, "Issued", "Issue", "n", kT0), Decision::kSummarized);  // a has a summary owed
  EXPECT_EQ(s.Observe("b", kProfile, "Issued", "Issue", "n", kT0 + 1s), Decision::kRecordNow);
  EXPECT_EQ(s.Observe("c", kProfile, "Issued", "Issue", "n", kT0 + 2s), Decision::kRecordNow);  // b forgotten
  EXPECT_EQ(s.TakeDue(kT0 + 1h).size(), 1u) << "a's summary survived";
  EXPECT_EQ(s.Observe("b", kProfile, "Issued", "Issue", "n", kT0 + 3s), Decision::kRecordNow)
      << "b starts over with a full burst";
}

}  // namespace
}  // namespace certplane::kube

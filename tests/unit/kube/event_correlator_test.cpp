// Event aggregation and rate limiting, with a fake clock.
#include <gtest/gtest.h>

#include "kube/event_correlator.h"

namespace certplane::kube {
namespace {

using namespace std::chrono_literals;
using Action = CorrelatedEvent::Action;

EventRecord Failure(const std::string& object, const std::string& note = "the CA is not ready") {
  return EventRecord{{"certplane.io/v1alpha1", "Certificate", "shop", object, "uid-" + object},
                     EventType::kWarning,
                     "IssuanceFailed",
                     "Issue",
                     note};
}

class EventCorrelatorTest : public ::testing::Test {
 protected:
  EventCorrelator Make(int burst = 25) {
    EventCorrelatorOptions options;
    options.burst = burst;
    return EventCorrelator(options, clock_);
  }
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
};

TEST_F(EventCorrelatorTest, CreatesTheFirstOccurrenceThenCountsRepeatsInOneSeries) {
  EventCorrelator c = Make();
  CorrelatedEvent first = c.Observe(Failure("web"));
  EXPECT_EQ(first.action, Action::kCreate);
  EXPECT_EQ(first.count, 1);
  EXPECT_EQ(first.event_name.rfind("web.", 0), 0u);
  CorrelatedEvent second = c.Observe(Failure("web"));
  EXPECT_EQ(second.action, Action::kUpdateSeries);
  EXPECT_EQ(second.count, 2);
  EXPECT_EQ(second.event_name, first.event_name);
}

TEST_F(EventCorrelatorTest, KeepsDifferentEventsApart) {
  EventCorrelator c = Make();
  std::string a = c.Observe(Failure("web")).event_name;
  EXPECT_EQ(c.Observe(Failure("web", "another note")).action, Action::kCreate);
  EXPECT_EQ(c.Observe(Failure("db")).action, Action::kCreate);
  EXPECT_NE(c.Observe(Failure("db")).event_name, a);
  EXPECT_EQ(c.tracked(), 3u);
}

TEST_F(EventCorrelatorTest, StartsANewSeriesAfterTheWindow) {
  EventCorrelator c = Make();
  std::string first = c.Observe(Failure("web")).event_name;
  clock_->Advance(31min);
  CorrelatedEvent later = c.Observe(Failure("web"));
  EXPECT_EQ(later.action, Action::kCreate);
  EXPECT_NE(later.event_name, first);
  EXPECT_EQ(later.count, 1);
}

TEST_F(EventCorrelatorTest, AFailingObjectCannotFloodTheServer) {
  EventCorrelator c = Make(/*burst=*/5);
  int writes = 0;
  int last_count = 0;
  for (int i = 0; i < 1000; ++i) {
    CorrelatedEvent d = c.Observe(Failure("web"));
    if (d.action != Action::kSkip) ++writes;
    last_count = d.count;
  }
  EXPECT_EQ(writes, 5) << "the burst, then nothing until tokens return";
  EXPECT_EQ(last_count, 1000) << "every occurrence is still counted";
  // Another object has its own budget.
  EXPECT_EQ(c.Observe(Failure("db")).action, Action::kCreate);
  // After 5 minutes one more write is allowed, carrying the full count.
  clock_->Advance(5min);
  CorrelatedEvent d = c.Observe(Failure("web"));
  EXPECT_EQ(d.action, Action::kUpdateSeries);
  EXPECT_EQ(d.count, 1001);
  EXPECT_EQ(c.Observe(Failure("web")).action, Action::kSkip);
}

TEST_F(EventCorrelatorTest, ForgetsTheLeastRecentlySeenEvents) {
  EventCorrelatorOptions options;
  options.max_tracked = 10;
  EventCorrelator c(options, clock_);
  for (int i = 0; i < 50; ++i) c.Observe(Failure("obj-" + std::to_string(i)));
  EXPECT_EQ(c.tracked(), 10u);
}

}  // namespace
}  // namespace certplane::kube

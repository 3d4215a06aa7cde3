#include "kube/leadership_fence.h"

#include <chrono>
#include <memory>

#include <gtest/gtest.h>

namespace certplane::kube {
namespace {

using namespace std::chrono_literals;

class LeadershipFenceTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  LeadershipFence fence_{clock_};
};

TEST_F(LeadershipFenceTest, RefusesWritesBeforeTheLeaseIsFirstHeld) {
  EXPECT_EQ(fence_.Check().code(), StatusCode::kFailedPrecondition);
}

TEST_F(LeadershipFenceTest, AllowsWritesUntilTheRenewDeadlineThenRefuses) {
  fence_.ExtendUntil(clock_->Now() + 10s);
  EXPECT_TRUE(fence_.Check().ok());
  clock_->Advance(9s);
  EXPECT_TRUE(fence_.Check().ok());
  // A process frozen past the deadline is refused the moment it runs again, with no
  // help from the elector.
  clock_->Advance(1s);
  Status lapsed = fence_.Check();
  EXPECT_EQ(lapsed.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(lapsed.message().find("lapsed"), std::string::npos) << lapsed.message();
}

TEST_F(LeadershipFenceTest, ARenewalMovesTheDeadlineForwardButNeverBack) {
  fence_.ExtendUntil(clock_->Now() + 10s);
  fence_.ExtendUntil(clock_->Now() + 2s);  // a late answer to an older attempt
  clock_->Advance(5s);
  EXPECT_TRUE(fence_.Check().ok());
  fence_.ExtendUntil(clock_->Now() + 10s);
  clock_->Advance(9s);
  EXPECT_TRUE(fence_.Check().ok());
}

TEST_F(LeadershipFenceTest, CloseRefusesAtOnceUntilTheLeaseIsHeldAgain) {
  fence_.ExtendUntil(clock_->Now() + 10s);
  fence_.Close();
  EXPECT_EQ(fence_.Check().code(), StatusCode::kFailedPrecondition);
  fence_.ExtendUntil(clock_->Now() + 10s);
  EXPECT_TRUE(fence_.Check().ok());
}

}  // namespace
}  // namespace certplane::kube

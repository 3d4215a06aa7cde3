#include "reconcile/expectations.h"

#include <gtest/gtest.h>

namespace certplane::reconcile {
namespace {

using namespace std::chrono_literals;
const Expectations::TimePoint kT0 = Expectations::TimePoint(std::chrono::seconds(1'800'000'000));

TEST(Expectations, NothingIsPendingWithoutAnExpectation) {
  Expectations e;
  EXPECT_FALSE(e.Pending("shop/web", "0", kT0));
}

TEST(Expectations, PendingUntilTheCacheShowsTheWrittenToken) {
  Expectations e;
  e.Expect("shop/web", "2", kT0 + 30s);
  EXPECT_TRUE(e.Pending("shop/web", "1", kT0 + 1s)) << "the cache still shows the previous revision";
  EXPECT_TRUE(e.Pending("shop/web", "0", kT0 + 1s)) << "the cache does not show the Secret at all";
  EXPECT_FALSE(e.Pending("shop/web", "2", kT0 + 2s)) << "met";
  EXPECT_FALSE(e.Pending("shop/web", "1", kT0 + 3s)) << "a met expectation is forgotten";
}

TEST(Expectations, ExpiresAtItsDeadline) {
  Expectations e;
  e.Expect("shop/web", "2", kT0 + 30s);
  EXPECT_TRUE(e.Pending("shop/web", "0", kT0 + 29s));
  EXPECT_FALSE(e.Pending("shop/web", "0", kT0 + 30s)) << "the Secret was deleted meanwhile: decide again";
}

TEST(Expectations, KeysAreIndependentAndForgettable) {
  Expectations e;
  e.Expect("a/x", "fp1", kT0 + 30s);
  e.Expect("b/y", "fp2", kT0 + 30s);
  e.Forget("a/x");
  EXPECT_FALSE(e.Pending("a/x", "", kT0));
  EXPECT_TRUE(e.Pending("b/y", "", kT0));
}

}  // namespace
}  // namespace certplane::reconcile

#include "base/status.h"
#include "base/result.h"

#include <gtest/gtest.h>

namespace certplane {
namespace {

TEST(Status, DefaultIsOkAndPrintsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, WithContextPrefixesTheMessageOutsideIn) {
  Status s = InvalidArgument("bad glob").WithContext("spec.dnsNames[2]").WithContext("shop/frontend");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "shop/frontend: spec.dnsNames[2]: bad glob");
  EXPECT_EQ(s.ToString(), "INVALID_ARGUMENT: shop/frontend: spec.dnsNames[2]: bad glob");
}

TEST(Status, WithContextLeavesOkUntouched) { EXPECT_EQ(Status::Ok().WithContext("anything"), Status::Ok()); }

TEST(Status, OnlyTransientCodesAreRetryable) {
  EXPECT_TRUE(IsRetryable(StatusCode::kConflict));
  EXPECT_TRUE(IsRetryable(StatusCode::kUnavailable));
  EXPECT_TRUE(IsRetryable(StatusCode::kResourceExhausted));
  EXPECT_FALSE(IsRetryable(StatusCode::kInvalidArgument));
  EXPECT_FALSE(IsRetryable(StatusCode::kPermissionDenied));
  EXPECT_FALSE(IsRetryable(StatusCode::kInternal));
}

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("odd number " + std::to_string(n));
  return n / 2;
}

Status UseHalf(int n, int* out) {
  Result<int> r = Half(n);
  if (!r.ok()) return r.status().WithContext("halving");
  *out = *r;
  return Status::Ok();
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good = Half(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 2);
  EXPECT_TRUE(good.status().ok());

  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status(), InvalidArgument("odd number 3"));
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, ErrorPropagatesWithContext) {
  int out = 0;
  EXPECT_EQ(UseHalf(5, &out).message(), "halving: odd number 5");
  EXPECT_TRUE(UseHalf(8, &out).ok());
  EXPECT_EQ(out, 4);
}

TEST(Result, ConstructedFromOkStatusBecomesInternalError) {
  Result<int> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> r = InvalidArgument("nope");
  EXPECT_DEATH((void)r.value(), "INVALID_ARGUMENT: nope");
}

}  // namespace
}  // namespace certplane

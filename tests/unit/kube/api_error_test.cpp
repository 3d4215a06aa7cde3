// Mapping API server answers to Status values.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kube/api_error.h"

namespace certplane::kube {
namespace {

struct ErrorCase {
  std::string name;
  int http_status;
  std::string body;
  std::string retry_after_header;
  StatusCode code;
  std::string reason;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

std::string StatusJson(int code, const std::string& reason, const std::string& message,
                       const nlohmann::json& details = nullptr) {
  nlohmann::json j = {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                      {"code", code},     {"reason", reason},   {"message", message}};
  if (!details.is_null()) j["details"] = details;
  return j.dump();
}

class ApiErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ApiErrorTest, MapsTheStatusObject) {
  const ErrorCase& c = GetParam();
  ApiError error = ApiErrorFromResponse(c.http_status, c.body, c.retry_after_header);
  EXPECT_EQ(error.http_status, c.http_status);
  EXPECT_EQ(error.reason, c.reason);
  Status status = error.ToStatus();
  EXPECT_EQ(status.code(), c.code) << status;
  if (!c.reason.empty()) {
    EXPECT_EQ(status.message().rfind(c.reason + ": ", 0), 0u) << status;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, ApiErrorTest,
    ::testing::Values(
        ErrorCase{"NotFound", 404, StatusJson(404, "NotFound", "configmaps \"x\" not found"), "", StatusCode::kNotFound,
                  "NotFound"},
        ErrorCase{"AlreadyExists", 409, StatusJson(409, "AlreadyExists", "exists"), "", StatusCode::kAlreadyExists,
                  "AlreadyExists"},
        ErrorCase{"Conflict", 409, StatusJson(409, "Conflict", "the object has been modified"), "",
                  StatusCode::kConflict, "Conflict"},
        ErrorCase{"Expired", 410, StatusJson(410, "Expired", "too old resource version"), "", StatusCode::kGone,
                  "Expired"},
        ErrorCase{"Gone", 410, StatusJson(410, "Gone", "gone"), "", StatusCode::kGone, "Gone"},
        ErrorCase{"Invalid", 422, StatusJson(422, "Invalid", "invalid"), "", StatusCode::kInvalidArgument, "Invalid"},
        ErrorCase{"BadRequest", 400, StatusJson(400, "BadRequest", "bad"), "", StatusCode::kInvalidArgument,
                  "BadRequest"},
        ErrorCase{"Unauthorized", 401, StatusJson(401, "Unauthorized", "Unauthorized"), "",
                  StatusCode::kUnauthenticated, "Unauthorized"},
        ErrorCase{"Forbidden", 403, StatusJson(403, "Forbidden", "no"), "", StatusCode::kPermissionDenied, "Forbidden"},
        ErrorCase{"TooManyRequests", 429, StatusJson(429, "TooManyRequests", "slow down"), "7",
                  StatusCode::kResourceExhausted, "TooManyRequests"},
        ErrorCase{"InternalError", 500, StatusJson(500, "InternalError", "webhook failed"), "",
                  StatusCode::kUnavailable, "InternalError"},
        ErrorCase{"ServiceUnavailable", 503, StatusJson(503, "ServiceUnavailable", "down"), "",
                  StatusCode::kUnavailable, "ServiceUnavailable"},
        ErrorCase{"GatewayTimeout", 504, StatusJson(504, "Timeout", "took too long"), "", StatusCode::kDeadlineExceeded,
                  "Timeout"},
        ErrorCase{"ServerTimeout", 500, StatusJson(500, "ServerTimeout", "retry"), "", StatusCode::kDeadlineExceeded,
                  "ServerTimeout"},
        ErrorCase{"NotAStatusObject", 502, "<html>bad gateway</html>", "", StatusCode::kUnavailable, ""}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

TEST(ApiErrorDetailTest, KeepsCausesAndRetryAfter) {
  nlohmann::json details = {
      {"retryAfterSeconds", 3},
      {"causes", {{{"reason", "FieldValueInvalid"}, {"message", "bad name"}, {"field", "metadata.name"}}}}};
  ApiError error = ApiErrorFromResponse(422, StatusJson(422, "Invalid", "invalid", details));
  ASSERT_EQ(error.causes.size(), 1u);
  EXPECT_EQ(error.causes[0].field, "metadata.name");
  EXPECT_EQ(error.causes[0].type, "FieldValueInvalid");
  ASSERT_TRUE(error.retry_after.has_value());
  EXPECT_EQ(*error.retry_after, std::chrono::seconds(3));
}

TEST(ApiErrorDetailTest, PrefersTheRetryAfterHeader) {
  ApiError error =
      ApiErrorFromResponse(429, StatusJson(429, "TooManyRequests", "x", {{"retryAfterSeconds", 3}}), " 10 ");
  EXPECT_EQ(error.retry_after, std::chrono::seconds(10));
  EXPECT_FALSE(ApiErrorFromResponse(429, "{}", "soon").retry_after.has_value()) << "an HTTP date is not honoured";
}

TEST(ApiErrorDetailTest, ReadsAStatusFromAWatchErrorEvent) {
  ApiError error =
      ApiErrorFromStatusObject(nlohmann::json::parse(StatusJson(410, "Expired", "too old resource version: 5 (9)")));
  EXPECT_EQ(error.http_status, 410);
  EXPECT_EQ(error.ToStatus().code(), StatusCode::kGone);
}

TEST(ApiResultTest, CarriesTheDetailAndConvertsTypes) {
  ApiError error = ApiErrorFromResponse(429, StatusJson(429, "TooManyRequests", "x"), "5");
  ApiResult<int> result(error);
  EXPECT_FALSE(result.ok());
  ASSERT_NE(result.api_error(), nullptr);
  EXPECT_EQ(result.retry_after(), std::chrono::seconds(5));
  ApiResult<std::string> converted = result.ErrorAs<std::string>();
  EXPECT_EQ(converted.status(), result.status());
  ASSERT_NE(converted.api_error(), nullptr);
  ApiResult<int> plain(Unavailable("no route"));
  EXPECT_EQ(plain.api_error(), nullptr);
  ApiResult<int> value(42);
  EXPECT_EQ(*value, 42);
}

}  // namespace
}  // namespace certplane::kube

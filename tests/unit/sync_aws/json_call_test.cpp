// One AWS JSON 1.1 call: how the request is built and signed, and how every kind of
// error answer maps to a Status code with its retry meaning (destination.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_transport.h"
#include "sync/aws/errors.h"
#include "sync/aws/json_call.h"

namespace certplane::sync::aws {
namespace {

using testing::FakeAws;
using ::testing::HasSubstr;
using testing::kTestSecretKey;
using testing::kTestSessionToken;
using ::testing::Not;
using testing::TestCredentials;

const std::chrono::system_clock::time_point kFixedTime = std::chrono::sys_days(std::chrono::year(2026) / 12 / 6);

AwsServiceOptions AcmService() {
  return {.region = "eu-west-1", .signing_name = "acm", .target_prefix = "CertificateManager", .clock = [] {
            return kFixedTime;
          }};
}

TEST(AwsJsonRequest, PostsToTheRegionalEndpointWithTheTargetAndJsonContentType) {
  HttpRequest request = BuildJsonRequest(AcmService(), "DescribeCertificate", {{"CertificateArn", "arn:x"}});
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://acm.eu-west-1.amazonaws.com/");
  EXPECT_THAT(request.headers, ::testing::Contains(std::pair<std::string, std::string>(
                                   "X-Amz-Target", "CertificateManager.DescribeCertificate")));
  EXPECT_THAT(request.headers,
              ::testing::Contains(std::pair<std::string, std::string>("Content-Type", "application/x-amz-json-1.1")));
  EXPECT_EQ(request.body, R"({"CertificateArn":"arn:x"})");
}

TEST(AwsJsonRequest, UsesTheEndpointOverrideWithoutItsTrailingSlash) {
  AwsServiceOptions options = AcmService();
  options.endpoint = "http://127.0.0.1:5000/";
  EXPECT_EQ(BuildJsonRequest(options, "ListCertificates", nlohmann::json::object()).url, "http://127.0.0.1:5000/");
}

TEST(AwsJsonClient, SignsEachCallWithTheCredentialsScopeAndSessionToken) {
  FakeAws aws;
  aws.Answer("ListCertificates", 200, R"({"CertificateSummaryList":[]})");
  StaticAwsCredentials credentials(TestCredentials(/*with_token=*/true));
  AwsJsonClient client(aws, credentials, AcmService());
  SyncResult<nlohmann::json> out = client.Call("ListCertificates", nlohmann::json::object());
  ASSERT_TRUE(out.ok()) << out.error().status;
  ASSERT_EQ(aws.calls().size(), 1u);
  HttpResponse headers{.headers = aws.calls()[0].request.headers};
  EXPECT_THAT(headers.Header("Authorization"),
              ::testing::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/eu-west-1/acm/aws4_request, "
                                    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
                                    "Signature="));
  EXPECT_EQ(headers.Header("X-Amz-Date"), "20261206T000000Z");
  EXPECT_EQ(headers.Header("X-Amz-Security-Token"), kTestSessionToken);
}

TEST(AwsJsonClient, ReturnsATransportFailureWithItsStatusCode) {
  FakeAws aws;
  aws.FailTransport(Status(StatusCode::kUnavailable, "connection refused"));
  StaticAwsCredentials credentials(TestCredentials());
  AwsJsonClient client(aws, credentials, AcmService());
  SyncResult<nlohmann::json> out = client.Call("ListCertificates", nlohmann::json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(out.error().status.message(), "CertificateManager.ListCertificates: connection refused");
}

TEST(AwsJsonClient, ReadsAnEmptySuccessBodyAsAnEmptyObject) {
  FakeAws aws;
  aws.Answer("DeleteCertificate", 200, "");
  StaticAwsCredentials credentials(TestCredentials());
  AwsJsonClient client(aws, credentials, AcmService());
  SyncResult<nlohmann::json> out = client.Call("DeleteCertificate", {{"CertificateArn", "a"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, nlohmann::json::object());
}

TEST(AwsJsonClient, NeverPutsTheSecretKeyOrSessionTokenIntoAnErrorMessage) {
  FakeAws aws;
  // A server that echoes what it was given (as some services echo the canonical request).
  aws.Answer("ListCertificates", 403,
             std::string(R"({"__type":"SignatureDoesNotMatch","message":"key )") + kTestSecretKey + " token " +
                 kTestSessionToken + R"("})");
  StaticAwsCredentials credentials(TestCredentials(/*with_token=*/true));
  AwsJsonClient client(aws, credentials, AcmService());
  SyncResult<nlohmann::json> out = client.Call("ListCertificates", nlohmann::json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.error().status.message(), Not(HasSubstr(kTestSecretKey)));
  EXPECT_THAT(out.error().status.message(), Not(HasSubstr(kTestSessionToken)));
  EXPECT_EQ(out.error().status.message(), "SignatureDoesNotMatch: key [redacted] token [redacted]");
}

struct ErrorCase {
  std::string name;
  int status;
  std::string body;
  HttpHeaders headers;
  StatusCode code;
  std::string aws_code;
  std::string message;
  std::optional<std::chrono::seconds> retry_after;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class AwsJsonErrorMapping : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(AwsJsonErrorMapping, MapsToTheStatusCodeWithTheRetryMeaning) {
  const ErrorCase& c = GetParam();
  SyncError error = MapJsonError(HttpResponse{c.status, c.headers, c.body});
  EXPECT_EQ(error.status.code(), c.code) << error.status;
  EXPECT_EQ(error.code, c.aws_code);
  EXPECT_EQ(error.status.message(), c.message);
  EXPECT_EQ(error.retry_after, c.retry_after);
}

INSTANTIATE_TEST_SUITE_P(
    Table, AwsJsonErrorMapping,
    ::testing::Values(
        ErrorCase{"ThrottlingIsResourceExhaustedWithRetryAfter",
                  400,
                  R"({"__type":"ThrottlingException","message":"Rate exceeded"})",
                  {{"Retry-After", "7"}},
                  StatusCode::kResourceExhausted,
                  "ThrottlingException",
                  "ThrottlingException: Rate exceeded",
                  std::chrono::seconds(7)},
        ErrorCase{"TooManyRequestsIsResourceExhausted",
                  400,
                  R"({"__type":"TooManyRequestsException"})",
                  {},
                  StatusCode::kResourceExhausted,
                  "TooManyRequestsException",
                  "TooManyRequestsException",
                  std::nullopt},
        ErrorCase{"RequestLimitExceededIsResourceExhausted",
                  400,
                  R"({"__type":"RequestLimitExceeded","Message":"slow down"})",
                  {},
                  StatusCode::kResourceExhausted,
                  "RequestLimitExceeded",
                  "RequestLimitExceeded: slow down",
                  std::nullopt},
        ErrorCase{"Http429WithoutACodeIsResourceExhausted",
                  429,
                  "",
                  {},
                  StatusCode::kResourceExhausted,
                  "",
                  "HTTP 429",
                  std::nullopt},
        ErrorCase{"ServerErrorIsUnavailable",
                  500,
                  R"({"__type":"com.amazonaws.acm#InternalFailure","message":"oops"})",
                  {},
                  StatusCode::kUnavailable,
                  "InternalFailure",
                  "InternalFailure: oops",
                  std::nullopt},
        ErrorCase{"ServiceUnavailableWithAnHtmlBodyIsUnavailable",
                  503,
                  "<html>busy</html>",
                  {},
                  StatusCode::kUnavailable,
                  "",
                  "HTTP 503",
                  std::nullopt},
        ErrorCase{
            "UnrecognizedClientIsUnauthenticated",
            400,
            R"({"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."})",
            {},
            StatusCode::kUnauthenticated,
            "UnrecognizedClientException",
            "UnrecognizedClientException: The security token included in the request is invalid.",
            std::nullopt},
        ErrorCase{"InvalidClientTokenIdIsUnauthenticated",
                  403,
                  R"({"__type":"InvalidClientTokenId"})",
                  {},
                  StatusCode::kUnauthenticated,
                  "InvalidClientTokenId",
                  "InvalidClientTokenId",
                  std::nullopt},
        ErrorCase{
            "SignatureDoesNotMatchIsUnauthenticated",
            403,
            R"({"__type":"SignatureDoesNotMatch","message":"The request signature we calculated does not match"})",
            {},
            StatusCode::kUnauthenticated,
            "SignatureDoesNotMatch",
            "SignatureDoesNotMatch: The request signature we calculated does not match",
            std::nullopt},
        ErrorCase{"ExpiredTokenIsUnauthenticated",
                  400,
                  R"({"__type":"ExpiredTokenException"})",
                  {},
                  StatusCode::kUnauthenticated,
                  "ExpiredTokenException",
                  "ExpiredTokenException",
                  std::nullopt},
        ErrorCase{"IncompleteSignatureIsUnauthenticated",
                  400,
                  R"({"__type":"IncompleteSignature"})",
                  {},
                  StatusCode::kUnauthenticated,
                  "IncompleteSignature",
                  "IncompleteSignature",
                  std::nullopt},
        ErrorCase{"AccessDeniedIsPermissionDenied",
                  400,
                  R"({"__type":"AccessDeniedException","Message":"not authorized to perform acm:ImportCertificate"})",
                  {},
                  StatusCode::kPermissionDenied,
                  "AccessDeniedException",
                  "AccessDeniedException: not authorized to perform acm:ImportCertificate",
                  std::nullopt},
        ErrorCase{"ResourceNotFoundIsNotFound",
                  400,
                  R"({"__type":"com.amazonaws.acm#ResourceNotFoundException","message":"no such certificate"})",
                  {},
                  StatusCode::kNotFound,
                  "ResourceNotFoundException",
                  "ResourceNotFoundException: no such certificate",
                  std::nullopt},
        ErrorCase{"AnyOther4xxIsInvalidArgument",
                  400,
                  R"({"__type":"ValidationException","message":"bad chain"})",
                  {},
                  StatusCode::kInvalidArgument,
                  "ValidationException",
                  "ValidationException: bad chain",
                  std::nullopt},
        ErrorCase{"TheCodeMayComeFromTheErrorTypeHeader",
                  400,
                  "",
                  {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"}},
                  StatusCode::kNotFound,
                  "ResourceNotFoundException",
                  "ResourceNotFoundException",
                  std::nullopt},
        ErrorCase{"AnXmlErrorResponseIsReadForItsCodeAndMessage",
                  403,
                  "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>"
                  "<Message>The request signature we calculated does not match</Message><Type>Sender</Type>"
                  "</Error></Errors></ErrorResponse>",
                  {},
                  StatusCode::kUnauthenticated,
                  "SignatureDoesNotMatch",
                  "SignatureDoesNotMatch: The request signature we calculated does not match",
                  std::nullopt},
        ErrorCase{"ABodyThatIsNotJsonStillMapsByStatus",
                  400,
                  "not json",
                  {},
                  StatusCode::kInvalidArgument,
                  "",
                  "HTTP 400",
                  std::nullopt}),
    [](const auto& info) { return info.param.name; });

TEST(AwsErrorMessage, IsCutAtOneKibibyteOnACharacterBoundary) {
  std::string long_message(1020, 'a');  // "X: " + 1020 puts the 2-byte character across byte 1024
  long_message += "\xc3\xa9 and more";
  SyncError error = MapAwsError(400, "X", long_message, std::nullopt);
  EXPECT_LE(error.status.message().size(), 1024u + 3u);
  EXPECT_THAT(error.status.message(), ::testing::EndsWith("..."));
  EXPECT_THAT(error.status.message(), Not(HasSubstr("\xc3")));
}

TEST(AwsErrorCode, ThatIsNoIdentifierIsDroppedAndTheMessageNamesTheStatus) {
  for (const std::string& code : {std::string(200, 'A'), std::string("Bad Code"), std::string("Code\nInjected")}) {
    SyncError error = MapAwsError(400, code, "details", std::nullopt);
    EXPECT_EQ(error.code, "") << code;
    EXPECT_EQ(error.status.message(), "HTTP 400: details") << code;
  }
}

TEST(AwsErrorCode, HoldingASecretIsDroppedSoNeitherTheCodeNorTheMessageCarriesIt) {
  SyncError error = MapAwsError(403, "Leaked-SECRETKEY", "SECRETKEY again", std::nullopt, {"SECRETKEY"});
  EXPECT_EQ(error.code, "");
  EXPECT_EQ(error.status.message(), "HTTP 403: [redacted] again");
  EXPECT_EQ(error.status.code(), StatusCode::kPermissionDenied);
}

TEST(AwsErrorMessage, AlwaysStartsWithTheCodeItReports) {
  SyncError error = MapAwsError(400, "ThrottlingException", std::string(2000, 'x'), std::nullopt, {"Throttling"});
  // The secret is inside the code, so the code is dropped rather than half-redacted.
  EXPECT_EQ(error.code, "");
  SyncError kept = MapAwsError(400, "ThrottlingException", std::string(2000, 'x'), std::nullopt, {"zzz"});
  EXPECT_EQ(kept.code, "ThrottlingException");
  EXPECT_EQ(kept.status.message().rfind("ThrottlingException: ", 0), 0u);
}

TEST(AwsJsonResponse, ASuccessWhoseBodyIsNotAnObjectIsUnavailable) {
  SyncResult<nlohmann::json> out = ReadJsonResponse(HttpResponse{200, {}, "[1,2]"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().status.code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace certplane::sync::aws

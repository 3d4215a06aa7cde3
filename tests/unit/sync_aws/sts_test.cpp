// STS AssumeRoleWithWebIdentity: the request, the XML answer reader, and the caching
// web identity credentials provider.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fake_transport.h"
#include "sync/aws/credentials.h"
#include "sync/aws/encoding.h"
#include "sync/aws/sts.h"

namespace certplane::sync::aws {
namespace {

using testing::FakeAws;
using ::testing::HasSubstr;
using ::testing::Not;
using Time = std::chrono::system_clock::time_point;

const Time kNow = std::chrono::sys_days(std::chrono::year(2026) / 12 / 6) + std::chrono::hours(12);
constexpr const char* kWebToken = "eyJhbGciOiJSUzI1NiJ9.web-identity-token.signature";

std::string Success(const std::string& key_id, const std::string& expiration) {
  return R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:certplane:controller</SubjectFromWebIdentityToken>
    <Credentials>
      <SessionToken>FwoGZX&amp;token/with+chars==</SessionToken>
      <SecretAccessKey>secret/key+value</SecretAccessKey>
      <Expiration>)" +
         expiration + R"(</Expiration>
      <AccessKeyId>)" +
         key_id + R"(</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>)";
}

TEST(StsRequest, PostsTheFormWithEveryParameterEncodedAndNoSignature) {
  HttpRequest request = BuildAssumeRoleWithWebIdentityRequest(
      "https://sts.eu-west-1.amazonaws.com/", "arn:aws:iam::123456789012:role/cert plane", "certplane", "a.b+c/d=");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://sts.eu-west-1.amazonaws.com/");
  EXPECT_EQ(request.body,
            "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcert%20plane"
            "&RoleSessionName=certplane&Version=2011-06-15&WebIdentityToken=a.b%2Bc%2Fd%3D");
  EXPECT_EQ(HttpResponse{.headers = request.headers}.Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(HttpResponse{.headers = request.headers}.Header("Authorization"), "");
}

TEST(StsResponse, ReadsTheCredentialsAndExpiryWithEntitiesDecoded) {
  SyncResult<AwsCredentials> creds =
      ReadAssumeRoleWithWebIdentityResponse(HttpResponse{200, {}, Success("ASIAEXAMPLE", "2026-12-06T13:00:00Z")});
  ASSERT_TRUE(creds.ok()) << creds.error().status;
  EXPECT_EQ(creds->access_key_id, "ASIAEXAMPLE");
  EXPECT_EQ(creds->secret_access_key.view(), "secret/key+value");
  EXPECT_EQ(creds->session_token.view(), "FwoGZX&token/with+chars==");
  EXPECT_EQ(creds->expiry, kNow + std::chrono::hours(1));
}

TEST(StsResponse, AcceptsFractionalSecondsAndAnOffsetOfZero) {
  EXPECT_EQ(ParseIso8601Utc("2026-12-06T12:00:00.123456Z"), kNow);
  EXPECT_EQ(ParseIso8601Utc("2026-12-06T12:00:00+00:00"), kNow);
  EXPECT_EQ(ParseIso8601Utc("2026-12-06T12:00:00+02:00"), std::nullopt);
  EXPECT_EQ(ParseIso8601Utc("2026-02-30T12:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601Utc("2026-12-06 12:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601Utc("2026-12-06T12:00:00.Z"), std::nullopt);
}

TEST(StsResponse, RefusesAnExpiryYearTheSystemClockCannotHold) {
  // Found by fuzz.sync_aws: 1013 overflowed the nanosecond clock (UBSan).
  EXPECT_EQ(ParseIso8601Utc("1013-12-06T13:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601Utc("9999-12-31T23:59:59Z"), std::nullopt);
}

TEST(StsResponse, MapsAnInvalidIdentityTokenErrorToUnauthenticatedWithoutTheToken) {
  const std::string body = std::string(R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
  <Message>Couldn&apos;t verify )") +
                           kWebToken + R"(</Message></Error>
  <RequestId>c6104cbe</RequestId></ErrorResponse>)";
  SyncResult<AwsCredentials> creds = ReadAssumeRoleWithWebIdentityResponse(HttpResponse{400, {}, body}, {kWebToken});
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().status.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(creds.error().code, "InvalidIdentityToken");
  EXPECT_EQ(creds.error().status.message(), "InvalidIdentityToken: Couldn't verify [redacted]");
}

TEST(StsResponse, MapsAccessDeniedToPermissionDenied) {
  SyncResult<AwsCredentials> creds = ReadAssumeRoleWithWebIdentityResponse(HttpResponse{
      403,
      {},
      "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized</Message></Error></ErrorResponse>"});
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(creds.error().status.message(), "AccessDenied: Not authorized");
}

TEST(StsResponse, ASuccessWithoutEveryCredentialIsUnavailable) {
  SyncResult<AwsCredentials> creds = ReadAssumeRoleWithWebIdentityResponse(
      HttpResponse{200, {}, "<Credentials><AccessKeyId>A</AccessKeyId></Credentials>"});
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(creds.error().status.message(), "AssumeRoleWithWebIdentity answered 200 without a usable SecretAccessKey");
}

TEST(XmlElementText, FindsPrefixedElementsAndRefusesMarkupInside) {
  EXPECT_EQ(XmlElementText("<a:Code>X</a:Code>", "Code"), "X");
  EXPECT_EQ(XmlElementText("<Code attr=\"1\">&lt;&#65;&#x42;&gt;</Code>", "Code"), "<AB>");
  EXPECT_EQ(XmlElementText("<Code><b/></Code>", "Code"), std::nullopt);
  EXPECT_EQ(XmlElementText("<Code>unterminated", "Code"), std::nullopt);
  EXPECT_EQ(XmlElementText("<CodeX>no</CodeX>", "Code"), std::nullopt);
  EXPECT_EQ(XmlElementText("<Code/><Code>second</Code>", "Code"), "second");
}

class WebIdentityTest : public ::testing::Test {
 protected:
  WebIdentityAwsCredentials Make() {
    return WebIdentityAwsCredentials(aws_, {.role_arn = "arn:aws:iam::123456789012:role/certplane",
                                            .region = "eu-west-1",
                                            .token = [this]() -> Result<SensitiveString> {
                                              ++token_reads_;
                                              return SensitiveString(kWebToken + std::to_string(token_reads_.load()));
                                            },
                                            .clock = [this] { return now_.load(); }});
  }
  FakeAws aws_;
  std::atomic<int> token_reads_{0};
  std::atomic<Time> now_{kNow};
};

TEST_F(WebIdentityTest, CachesCredentialsUntilFiveMinutesBeforeTheyExpireThenRereadsTheToken) {
  aws_.Answer("AssumeRoleWithWebIdentity", 200, Success("ASIA1", "2026-12-06T13:00:00Z"));
  aws_.Answer("AssumeRoleWithWebIdentity", 200, Success("ASIA2", "2026-12-06T14:00:00Z"));
  WebIdentityAwsCredentials provider = Make();
  EXPECT_EQ(provider.Get()->access_key_id, "ASIA1");
  now_ = kNow + std::chrono::minutes(54);
  EXPECT_EQ(provider.Get()->access_key_id, "ASIA1");
  now_ = kNow + std::chrono::minutes(55);
  EXPECT_EQ(provider.Get()->access_key_id, "ASIA2");
  EXPECT_EQ(token_reads_, 2);
  ASSERT_EQ(aws_.calls().size(), 2u);
  EXPECT_EQ(aws_.calls()[0].request.url, "https://sts.eu-west-1.amazonaws.com/");
  EXPECT_THAT(aws_.calls()[1].request.body, HasSubstr("WebIdentityToken=" + UriEncode(kWebToken, false) + "2"));
}

TEST_F(WebIdentityTest, ConcurrentCallersShareOneStsCall) {
  aws_.Answer("AssumeRoleWithWebIdentity", 200, Success("ASIA1", "2026-12-06T13:00:00Z"));
  WebIdentityAwsCredentials provider = Make();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { ok += provider.Get().ok(); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(aws_.calls().size(), 1u);
}

TEST_F(WebIdentityTest, DoesNotCacheAFailureAndNeverNamesTheToken) {
  aws_.Answer("AssumeRoleWithWebIdentity", 400,
              std::string("<ErrorResponse><Error><Code>ExpiredTokenException</Code><Message>expired: ") + kWebToken +
                  "1</Message></Error></ErrorResponse>");
  aws_.Answer("AssumeRoleWithWebIdentity", 200, Success("ASIA1", "2026-12-06T13:00:00Z"));
  WebIdentityAwsCredentials provider = Make();
  SyncResult<AwsCredentials> first = provider.Get();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().status.code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(first.error().status.message(), Not(HasSubstr(kWebToken)));
  EXPECT_TRUE(provider.Get().ok());
}

TEST_F(WebIdentityTest, ReportsAnUnreachableStsWithTheTransportsCode) {
  aws_.FailTransport(Status(StatusCode::kDeadlineExceeded, "timed out"));
  SyncResult<AwsCredentials> creds = Make().Get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(creds.error().status.message(), "STS AssumeRoleWithWebIdentity: timed out");
}

TEST(ReadTokenFile, RefusesAMissingFileNamingItsPath) {
  Result<SensitiveString> token = ReadTokenFile("/nonexistent/token")();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(token.status().message(), "cannot read the web identity token file /nonexistent/token");
}

}  // namespace
}  // namespace certplane::sync::aws

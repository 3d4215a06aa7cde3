// Entra ID tokens: the form body of both credential kinds, the answer and error parsing,
// the cache with an injected clock, and that no credential reaches a message.
#include "sync/azure/token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_material.h"

namespace certplane::sync::azure {
namespace {

using testing::Exchange;
using testing::FailsWith;
using ::testing::HasSubstr;
using testing::JsonResponse;
using ::testing::Not;
using testing::ScriptedTransport;

const std::chrono::system_clock::time_point kT0 = std::chrono::sys_days(std::chrono::year(2030) / 1 / 1);

AzureCredentialOptions Options() {
  return {.tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47",
          .client_id = "5b1e0d6c-0000-4000-8000-000000000001",
          .authority = "https://login.microsoftonline.com/",
          .scope = "https://vault.azure.net/.default"};
}

std::string TokenBody(std::string_view token, int expires_in) {
  return R"({"token_type":"Bearer","expires_in":)" + std::to_string(expires_in) +
         R"(,"ext_expires_in":3599,"access_token":")" + std::string(token) + R"("})";
}

TEST(FormEncode, KeepsUnreservedCharactersAndEscapesEverythingElse) {
  EXPECT_EQ(FormEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(FormEncode("a b+c/d=e&f:g"), "a%20b%2Bc%2Fd%3De%26f%3Ag");
  EXPECT_EQ(FormEncode("\xc3\xa9"), "%C3%A9");
}

TEST(KeyVaultScope, IsTheVaultHostWithoutItsFirstLabel) {
  EXPECT_EQ(*KeyVaultScope("https://shop.vault.azure.net"), "https://vault.azure.net/.default");
  EXPECT_EQ(*KeyVaultScope("https://Shop.Vault.Azure.CN/"), "https://vault.azure.cn/.default");
  EXPECT_EQ(*KeyVaultScope("https://x.vault.usgovcloudapi.net:443/"), "https://vault.usgovcloudapi.net/.default");
}

TEST(KeyVaultScope, IsThePublicCloudsForAnAddressOrASingleLabel) {
  EXPECT_EQ(*KeyVaultScope("https://127.0.0.1:8443"), "https://vault.azure.net/.default");
  EXPECT_EQ(*KeyVaultScope("https://localhost:8443"), "https://vault.azure.net/.default");
  EXPECT_EQ(*KeyVaultScope("https://[::1]:8443"), "https://vault.azure.net/.default");
}

TEST(KeyVaultScope, RefusesAUrlThatIsNotHttps) {
  Result<std::string> scope = KeyVaultScope("http://shop.vault.azure.net");
  ASSERT_FALSE(scope.ok());
  EXPECT_EQ(scope.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(scope.status().message(), HasSubstr("is not https"));
}

TEST(BuildTokenRequest, PostsTheClientSecretGrantToTheTenantsTokenEndpoint) {
  SensitiveString secret("s3cr=t&+");
  HttpRequest r = BuildTokenRequest(Options(), {.kind = TokenGrant::Kind::kClientSecret, .credential = &secret});
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token");
  EXPECT_THAT(r.headers, ::testing::Contains(
                             std::pair<std::string, std::string>("Content-Type", "application/x-www-form-urlencoded")));
  EXPECT_EQ(r.body,
            "grant_type=client_credentials&client_id=5b1e0d6c-0000-4000-8000-000000000001"
            "&scope=https%3A%2F%2Fvault.azure.net%2F.default&client_secret=s3cr%3Dt%26%2B");
}

TEST(BuildTokenRequest, SendsTheAssertionAsAJwtBearerClientAssertion) {
  SensitiveString jwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
  HttpRequest r = BuildTokenRequest(Options(), {.kind = TokenGrant::Kind::kClientAssertion, .credential = &jwt});
  EXPECT_EQ(r.body,
            "grant_type=client_credentials&client_id=5b1e0d6c-0000-4000-8000-000000000001"
            "&scope=https%3A%2F%2Fvault.azure.net%2F.default"
            "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            "&client_assertion=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
  EXPECT_THAT(r.body, Not(HasSubstr("client_secret")));
}

TEST(ParseTokenResponse, ReadsTheTokenAndItsLifetime) {
  SyncResult<AccessToken> t = ParseTokenResponse(JsonResponse(200, TokenBody("tok-1", 3599)), kT0);
  ASSERT_TRUE(t.ok()) << t.error().status;
  EXPECT_EQ(t->token.view(), "tok-1");
  EXPECT_EQ(t->expires_on, kT0 + std::chrono::seconds(3599));
}

TEST(ParseTokenResponse, AcceptsExpiresInAsANumericString) {
  SyncResult<AccessToken> t =
      ParseTokenResponse(JsonResponse(200, R"({"access_token":"tok","expires_in":"600"})"), kT0);
  ASSERT_TRUE(t.ok()) << t.error().status;
  EXPECT_EQ(t->expires_on, kT0 + std::chrono::seconds(600));
}

struct TokenErrorCase {
  std::string name;
  int status;
  std::string body;
  HttpHeaders headers;
  StatusCode code;
  std::string error_code;
  std::string message;
};

void PrintTo(const TokenErrorCase& c, std::ostream* os) { *os << c.name; }

class ParseTokenError : public ::testing::TestWithParam<TokenErrorCase> {};

TEST_P(ParseTokenError, MapsTheAnswerToItsCodeAndWords) {
  const TokenErrorCase& c = GetParam();
  SyncResult<AccessToken> t = ParseTokenResponse(JsonResponse(c.status, c.body, c.headers), kT0);
  EXPECT_THAT(t, FailsWith(c.code, c.message));
  if (!t.ok()) {
    EXPECT_EQ(t.error().code, c.error_code);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseTokenError,
    ::testing::Values(
        TokenErrorCase{
            "a_wrong_client_secret_is_unauthenticated_with_its_AADSTS_message",
            401,
            R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]})",
            {},
            StatusCode::kUnauthenticated,
            "invalid_client",
            "invalid_client: AADSTS7000215: Invalid client secret provided."},
        TokenErrorCase{
            "an_unknown_application_is_unauthenticated",
            400,
            R"({"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier 'x' was not found"})",
            {},
            StatusCode::kUnauthenticated,
            "unauthorized_client",
            "AADSTS700016"},
        TokenErrorCase{
            "an_expired_assertion_is_unauthenticated",
            400,
            R"({"error":"invalid_grant","error_description":"AADSTS700024: Client assertion is not within its valid time range."})",
            {},
            StatusCode::kUnauthenticated,
            "invalid_grant",
            "AADSTS700024"},
        TokenErrorCase{
            "an_invalid_scope_is_an_invalid_argument",
            400,
            R"({"error":"invalid_scope","error_description":"AADSTS70011: The provided value for scope is not valid."})",
            {},
            StatusCode::kInvalidArgument,
            "invalid_scope",
            "AADSTS70011"},
        TokenErrorCase{"throttling_is_resource_exhausted",
                       429,
                       R"({"error":"temporarily_unavailable"})",
                       {},
                       StatusCode::kResourceExhausted,
                       "temporarily_unavailable",
                       "temporarily_unavailable"},
        TokenErrorCase{"a_server_error_is_unavailable",
                       503,
                       "<html>busy</html>",
                       {},
                       StatusCode::kUnavailable,
                       "HTTP503",
                       "answered 503 without an OAuth error"},
        TokenErrorCase{"a_200_without_a_token_is_unavailable",
                       200,
                       R"({"token_type":"Bearer"})",
                       {},
                       StatusCode::kUnavailable,
                       "InvalidTokenResponse",
                       "without an access_token"},
        TokenErrorCase{"a_200_without_a_lifetime_is_unavailable",
                       200,
                       R"({"access_token":"t"})",
                       {},
                       StatusCode::kUnavailable,
                       "InvalidTokenResponse",
                       "without a usable expires_in"},
        TokenErrorCase{"a_negative_lifetime_is_unavailable",
                       200,
                       R"({"access_token":"t","expires_in":-5})",
                       {},
                       StatusCode::kUnavailable,
                       "InvalidTokenResponse",
                       "without a usable expires_in"},
        TokenErrorCase{"a_200_that_is_not_json_is_unavailable",
                       200,
                       "not json",
                       {},
                       StatusCode::kUnavailable,
                       "InvalidTokenResponse",
                       "not a JSON object"}),
    [](const auto& info) { return info.param.name; });

TEST(ParseTokenResponse, KeepsTheRetryAfterOfAThrottledAnswer) {
  SyncResult<AccessToken> t =
      ParseTokenResponse(JsonResponse(429, R"({"error":"throttled"})", {{"Retry-After", "17"}}), kT0);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().retry_after, std::chrono::seconds(17));
}

TEST(ParseTokenResponse, RedactsTheCredentialWhereAnErrorEchoesIt) {
  SyncResult<AccessToken> t = ParseTokenResponse(
      JsonResponse(401, R"({"error":"invalid_client","error_description":"AADSTS7000215: secret hunter2 is wrong"})"),
      kT0, "hunter2");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.error().status.message(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(t.error().status.message(), HasSubstr("secret [redacted] is wrong"));
}

class FakeClock {
 public:
  std::chrono::system_clock::time_point now = kT0;
  Clock AsClock() {
    return [this] { return now; };
  }
};

TEST(ClientSecretCredential, ReusesTheTokenUntilFiveMinutesBeforeItExpires) {
  ScriptedTransport transport({
      Exchange{"POST", "/oauth2/v2.0/token", JsonResponse(200, TokenBody("first", 3600))},
      Exchange{"POST", "/oauth2/v2.0/token", JsonResponse(200, TokenBody("second", 3600))},
  });
  FakeClock clock;
  ClientSecretCredential credential(transport, Options(), SensitiveString("s"), clock.AsClock());
  EXPECT_EQ(credential.Get()->token.view(), "first");
  clock.now = kT0 + std::chrono::minutes(54);
  EXPECT_EQ(credential.Get()->token.view(), "first");
  EXPECT_EQ(transport.sent.size(), 1u);
  clock.now = kT0 + std::chrono::minutes(55);
  EXPECT_EQ(credential.Get()->token.view(), "second");
  EXPECT_EQ(transport.sent.size(), 2u);
}

TEST(ClientSecretCredential, DoesNotCacheAFailureAndSaysWhoAskedWhere) {
  ScriptedTransport transport({
      Exchange{
          "POST", "/token",
          JsonResponse(
              401,
              R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."})")},
      Exchange{"POST", "/token", JsonResponse(200, TokenBody("ok", 3600))},
  });
  ClientSecretCredential credential(transport, Options(), SensitiveString("wrong-secret-value"));
  SyncResult<AccessToken> first = credential.Get();
  EXPECT_THAT(first, FailsWith(StatusCode::kUnauthenticated,
                               "getting a token for client 5b1e0d6c-0000-4000-8000-000000000001 in tenant "
                               "72f988bf-86f1-41af-91ab-2d7cd011db47 from https://login.microsoftonline.com: "
                               "invalid_client: AADSTS7000215"));
  EXPECT_THAT(first.error().status.message(), Not(HasSubstr("wrong-secret-value")));
  EXPECT_TRUE(credential.Get().ok());
}

TEST(ClientAssertionCredential, ReadsTheAssertionAgainForEveryFetchBecauseTheFileRotates) {
  ScriptedTransport transport({
      Exchange{"POST", "/token", JsonResponse(200, TokenBody("t1", 600))},
      Exchange{"POST", "/token", JsonResponse(200, TokenBody("t2", 600))},
  });
  FakeClock clock;
  int reads = 0;
  ClientAssertionCredential credential(
      transport, Options(),
      [&]() -> Result<SensitiveString> { return SensitiveString("jwt-" + std::to_string(++reads)); }, clock.AsClock());
  ASSERT_TRUE(credential.Get().ok());
  clock.now += std::chrono::minutes(6);  // 600 s token, 5 minute margin: stale
  ASSERT_TRUE(credential.Get().ok());
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_THAT(transport.sent[0].body, HasSubstr("client_assertion=jwt-1"));
  EXPECT_THAT(transport.sent[1].body, HasSubstr("client_assertion=jwt-2"));
}

TEST(ClientAssertionCredential, ReportsAnUnreadableAssertionAsUnauthenticatedWithoutCallingEntra) {
  ScriptedTransport transport({});
  ClientAssertionCredential credential(transport, Options(), []() -> Result<SensitiveString> {
    return NotFound("reading /var/run/secrets/azure/tokens/azure-identity-token: no such file");
  });
  EXPECT_THAT(credential.Get(), FailsWith(StatusCode::kUnauthenticated, "azure-identity-token: no such file"));
  EXPECT_TRUE(transport.sent.empty());
}

// Counts fetches; answers each with a fresh token.
class CountingTransport final : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest&) override {
    ++fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return JsonResponse(200, TokenBody("t", 3600));
  }
  std::atomic<int> fetches{0};
};

TEST(ClientSecretCredential, SharesOneFetchBetweenThreadsThatAskAtOnce) {
  CountingTransport transport;
  ClientSecretCredential credential(transport, Options(), SensitiveString("s"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { EXPECT_TRUE(credential.Get().ok()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(transport.fetches.load(), 1);
}

}  // namespace
}  // namespace certplane::sync::azure

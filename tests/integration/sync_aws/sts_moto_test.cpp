// WebIdentityAwsCredentials against moto's STS: a token read from a file is exchanged
// for temporary credentials, which then sign a push. moto checks no signatures in this
// mode (see MotoServer::kNoAuthentication), so the push proves the session token is
// sent and accepted, not that moto verified it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "moto.h"
#include "sync/aws/acm.h"
#include "sync/https_transport.h"

namespace certplane::sync::aws::testing {
namespace {

using certplane::testing::TempDir;

TEST(WebIdentityOnMoto, ExchangesTheTokenFileForTemporaryCredentialsThatSignAPush) {
  MotoServer moto(MotoServer::kNoAuthentication);
  TempDir dir;
  certplane::testing::WriteFile(dir.File("token"), "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjZXJ0cGxhbmUifQ.c2ln\n");
  HttpsTransport transport({});
  WebIdentityAwsCredentials provider(transport, {.role_arn = "arn:aws:iam::123456789012:role/certplane-sync",
                                                 .session_name = "certplane-test",
                                                 .region = kRegion,
                                                 .endpoint = moto.endpoint(),
                                                 .token = ReadTokenFile(dir.File("token"))});
  SyncResult<AwsCredentials> creds = provider.Get();
  ASSERT_TRUE(creds.ok()) << creds.error().status;
  EXPECT_THAT(creds->access_key_id, ::testing::StartsWith("ASIA"));
  EXPECT_FALSE(creds->secret_access_key.empty());
  EXPECT_FALSE(creds->session_token.empty());
  ASSERT_TRUE(creds->expiry.has_value());
  EXPECT_GT(*creds->expiry, std::chrono::system_clock::now() + std::chrono::minutes(10));

  // Cached: a second Get does not read the (now missing) token file.
  std::remove(dir.File("token").c_str());
  SyncResult<AwsCredentials> cached = provider.Get();
  ASSERT_TRUE(cached.ok()) << cached.error().status;
  EXPECT_EQ(cached->access_key_id, creds->access_key_id);

  AcmDestination acm(transport, provider, {.region = kRegion, .endpoint = moto.endpoint()});
  SyncResult<PushResult> pushed =
      acm.Push({.certificate_uid = "uid-sts", .certificate = "shop/frontend"}, MakeLeaf(dir, TestKey::kEcdsaP256, "a"));
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
}

TEST(WebIdentityOnMoto, AnUnreadableTokenFileIsUnauthenticatedNamingThePath) {
  HttpsTransport transport({});
  WebIdentityAwsCredentials provider(transport, {.role_arn = "arn:aws:iam::123456789012:role/x",
                                                 .region = kRegion,
                                                 .endpoint = "http://127.0.0.1:1",
                                                 .token = ReadTokenFile("/nonexistent/certplane-token")});
  SyncResult<AwsCredentials> creds = provider.Get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().status.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(creds.error().status.message(), "cannot read the web identity token file /nonexistent/certplane-token");
}

}  // namespace
}  // namespace certplane::sync::aws::testing

// SecretsManagerDestination against moto's Secrets Manager, read back with boto3: the
// JSON value, KMS key and tags of a created secret, updates, adoption by name, refusing
// a secret that is not certplane's, restoring one scheduled for deletion, removal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "moto.h"
#include "sync/aws/secrets_manager.h"
#include "sync/https_transport.h"

namespace certplane::sync::aws::testing {
namespace {

using certplane::testing::TempDir;
using json = nlohmann::json;

constexpr const char* kName = "prod/shop/frontend-tls";

class SecretsManagerOnMoto : public ::testing::Test {
 protected:
  SecretsManagerOptions Options() {
    return SecretsManagerOptions{
        .region = kRegion, .endpoint = moto_.endpoint(), .kms_key_id = moto_.kms_key_id(), .tags = {{"team", "shop"}}};
  }
  PushTarget Target(const std::string& known_id = "") {
    return PushTarget{.certificate_uid = "uid-1", .certificate = "shop/frontend", .name = kName, .known_id = known_id};
  }

  MotoServer moto_{MotoServer::kSignaturesChecked};
  HttpsTransport transport_{{}};
  StaticAwsCredentials credentials_{moto_.Credentials()};
  TempDir dir_;
};

TEST_F(SecretsManagerOnMoto, CreatesTheSecretWithEveryFieldTheKmsKeyAndTags) {
  CertificateMaterial material = MakeLeaf(dir_, TestKey::kEcdsaP256, "a");
  SecretsManagerDestination sm(transport_, credentials_, Options());
  SyncResult<PushResult> pushed = sm.Push(Target(), material);
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_THAT(pushed->id, ::testing::StartsWith("arn:aws:secretsmanager:us-east-1:"));
  EXPECT_FALSE(pushed->version.empty());

  json read = moto_.Tool({"sm-get", kName});
  EXPECT_EQ(read["arn"], pushed->id);
  EXPECT_EQ(read["version_id"], pushed->version);
  EXPECT_EQ(read["value"], json({{"certificate", material.certificate_pem},
                                 {"privateKey", std::string(material.private_key_pem.view())},
                                 {"chain", material.chain_pem},
                                 {"ca", material.ca_pem}}));
  EXPECT_EQ(read["kms_key_id"], moto_.kms_key_id());
  EXPECT_EQ(read["tags"], json({{"certplane.io/certificate-uid", "uid-1"},
                                {"certplane.io/certificate", "shop/frontend"},
                                {"team", "shop"}}));
}

TEST_F(SecretsManagerOnMoto, APushOfARenewedCertificatePutsANewVersionIntoTheSameSecret) {
  SecretsManagerDestination sm(transport_, credentials_, Options());
  SyncResult<PushResult> first = sm.Push(Target(), MakeLeaf(dir_, TestKey::kEcdsaP256, "a"));
  ASSERT_TRUE(first.ok()) << first.error().status;
  CertificateMaterial renewed = MakeLeaf(dir_, TestKey::kRsa2048, "b");
  SyncResult<PushResult> second = sm.Push(Target(first->id), renewed);
  ASSERT_TRUE(second.ok()) << second.error().status;
  EXPECT_EQ(second->id, first->id);
  EXPECT_NE(second->version, first->version);
  EXPECT_FALSE(second->adopted);
  json read = moto_.Tool({"sm-get", kName});
  EXPECT_EQ(read["version_id"], second->version);
  EXPECT_EQ(read["value"]["certificate"], renewed.certificate_pem);
}

TEST_F(SecretsManagerOnMoto, AFreshDestinationWithoutTheArnAdoptsOurSecretByName) {
  ASSERT_TRUE(SecretsManagerDestination(transport_, credentials_, Options())
                  .Push(Target(), MakeLeaf(dir_, TestKey::kEcdsaP256, "a"))
                  .ok());
  SyncResult<PushResult> again = SecretsManagerDestination(transport_, credentials_, Options())
                                     .Push(Target(), MakeLeaf(dir_, TestKey::kEcdsaP256, "b"));
  ASSERT_TRUE(again.ok()) << again.error().status;
  EXPECT_TRUE(again->adopted);
}

TEST_F(SecretsManagerOnMoto, RefusesToOverwriteASecretCertplaneDidNotCreate) {
  ASSERT_TRUE(moto_.Tool({"sm-create", kName, R"({"password":"theirs"})"}).contains("arn"));
  SyncResult<PushResult> pushed = SecretsManagerDestination(transport_, credentials_, Options())
                                      .Push(Target(), MakeLeaf(dir_, TestKey::kEcdsaP256, "a"));
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(pushed.error().status.message(),
            "secret prod/shop/frontend-tls exists and is not certplane's for shop/frontend");
  EXPECT_EQ(moto_.Tool({"sm-get", kName})["value"], json({{"password", "theirs"}}));
  SyncStatus removed = SecretsManagerDestination(transport_, credentials_, Options()).Remove(Target());
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(moto_.Tool({"sm-get", kName})["value"], json({{"password", "theirs"}}));
}

TEST_F(SecretsManagerOnMoto, RestoresOurSecretScheduledForDeletion) {
  SecretsManagerDestination sm(transport_, credentials_, Options());
  SyncResult<PushResult> first = sm.Push(Target(), MakeLeaf(dir_, TestKey::kEcdsaP256, "a"));
  ASSERT_TRUE(first.ok()) << first.error().status;
  moto_.Tool({"sm-schedule-delete", kName});
  CertificateMaterial renewed = MakeLeaf(dir_, TestKey::kEcdsaP256, "b");
  SyncResult<PushResult> again = sm.Push(Target(first->id), renewed);
  ASSERT_TRUE(again.ok()) << again.error().status;
  json read = moto_.Tool({"sm-get", kName});
  EXPECT_EQ(read["deleted"], false);
  EXPECT_EQ(read["value"]["certificate"], renewed.certificate_pem);
}

TEST_F(SecretsManagerOnMoto, RemoveDeletesTheSecretWithoutRecoveryAndASecondRemoveIsOk) {
  SecretsManagerDestination sm(transport_, credentials_, Options());
  SyncResult<PushResult> pushed = sm.Push(Target(), MakeLeaf(dir_, TestKey::kEcdsaP256, "a"));
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  SyncStatus removed = sm.Remove(Target(pushed->id));
  ASSERT_TRUE(removed.ok()) << removed.error().status;
  EXPECT_EQ(moto_.Tool({"sm-get", kName})["error"], "ResourceNotFoundException");
  EXPECT_TRUE(sm.Remove(Target(pushed->id)).ok());
}

TEST_F(SecretsManagerOnMoto, AWrongSecretKeyIsUnauthenticatedWithSignatureDoesNotMatch) {
  AwsCredentials wrong = moto_.Credentials();
  wrong.secret_access_key = SensitiveString("not-the-secret-key-0123456789abcdefghij");
  StaticAwsCredentials credentials(wrong);
  SyncResult<PushResult> pushed = SecretsManagerDestination(transport_, credentials, Options())
                                      .Push(Target(), MakeLeaf(dir_, TestKey::kEcdsaP256, "a"));
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(pushed.error().code, "SignatureDoesNotMatch");
}

}  // namespace
}  // namespace certplane::sync::aws::testing

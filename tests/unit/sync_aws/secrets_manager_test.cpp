// SecretsManagerDestination against a recording fake: create, update, restore, refusing
// a secret that is not ours, idempotency tokens, the JSON value's fields, removal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_transport.h"
#include "sync/aws/secrets_manager.h"

namespace certplane::sync::aws {
namespace {

using ::testing::ElementsAre;
using testing::FakeAws;
using testing::RecordedCall;
using testing::TestCredentials;
using json = nlohmann::json;

constexpr const char* kUid = "6f1c2a9e-0000-4000-8000-000000000002";
constexpr const char* kName = "prod/shop/frontend-tls";
constexpr const char* kArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/shop/frontend-tls-AbCdEf";

CertificateMaterial Material(std::string serial = "0a1b") {
  CertificateMaterial m;
  m.certificate_pem = "LEAF-PEM\n";
  m.chain_pem = "CHAIN-PEM\n";
  m.ca_pem = "CA-PEM\n";
  m.private_key_pem = SensitiveString("-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n");
  m.serial_hex = std::move(serial);
  return m;
}

PushTarget Target(std::string known_id = "") {
  return PushTarget{
      .certificate_uid = kUid, .certificate = "shop/frontend", .name = kName, .known_id = std::move(known_id)};
}

std::string Described(const std::string& uid, bool deleted = false) {
  json out = {{"ARN", kArn}, {"Name", kName}};
  if (!uid.empty()) out["Tags"] = {{{"Key", kCertificateUidTag}, {"Value", uid}}};
  if (deleted) out["DeletedDate"] = 1.7e9;
  return out.dump();
}
std::string Version(const std::string& id) { return json{{"ARN", kArn}, {"Name", kName}, {"VersionId", id}}.dump(); }
std::string NotFound() {
  return R"({"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."})";
}

class SecretsManagerDestinationTest : public ::testing::Test {
 protected:
  SecretsManagerDestination Make(SecretsManagerOptions options = {}) {
    options.region = "us-east-1";
    return SecretsManagerDestination(aws_, credentials_, std::move(options));
  }
  FakeAws aws_;
  StaticAwsCredentials credentials_{TestCredentials()};
};

TEST_F(SecretsManagerDestinationTest, CreatesTheSecretWithTheValueKmsKeyTagsAndADeterministicToken) {
  aws_.Answer("DescribeSecret", 400, NotFound());
  aws_.Answer("CreateSecret", 200, Version("v1"));
  SyncResult<PushResult> pushed =
      Make({.kms_key_id = "alias/certs", .tags = {{"team", "shop"}}}).Push(Target(), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->id, kArn);
  EXPECT_EQ(pushed->version, "v1");
  EXPECT_FALSE(pushed->adopted);
  EXPECT_THAT(aws_.Operations(), ElementsAre("DescribeSecret", "CreateSecret"));
  EXPECT_EQ(aws_.calls()[0].body["SecretId"], kName);
  const json& create = aws_.calls()[1].body;
  EXPECT_EQ(create["Name"], kName);
  EXPECT_EQ(create["KmsKeyId"], "alias/certs");
  EXPECT_EQ(
      json::parse(create["SecretString"].get<std::string>()),
      json::parse(
          R"({"certificate":"LEAF-PEM\n","privateKey":"-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n",
                            "chain":"CHAIN-PEM\n","ca":"CA-PEM\n"})"));
  EXPECT_EQ(create["Tags"], json::parse(R"([{"Key":"certplane.io/certificate","Value":"shop/frontend"},
                                             {"Key":"certplane.io/certificate-uid","Value":"6f1c2a9e-0000-4000-8000-000000000002"},
                                             {"Key":"team","Value":"shop"}])"));
  EXPECT_THAT(create["ClientRequestToken"].get<std::string>(),
              ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
}

TEST_F(SecretsManagerDestinationTest, RetryingTheSamePushSendsTheSameTokenAndANewSerialADifferentOne) {
  for (int i = 0; i < 3; ++i) {
    aws_.Answer("DescribeSecret", 400, NotFound());
    aws_.Answer("CreateSecret", 200, Version("v1"));
  }
  SecretsManagerDestination sm = Make();
  ASSERT_TRUE(sm.Push(Target(), Material("01")).ok());
  ASSERT_TRUE(sm.Push(Target(), Material("01")).ok());
  ASSERT_TRUE(sm.Push(Target(), Material("02")).ok());
  std::vector<RecordedCall> creates = aws_.CallsOf("CreateSecret");
  EXPECT_EQ(creates[0].body["ClientRequestToken"], creates[1].body["ClientRequestToken"]);
  EXPECT_NE(creates[0].body["ClientRequestToken"], creates[2].body["ClientRequestToken"]);
}

TEST_F(SecretsManagerDestinationTest, WritesOnlyTheChosenFieldsUnderTheChosenKeys) {
  aws_.Answer("DescribeSecret", 400, NotFound());
  aws_.Answer("CreateSecret", 200, Version("v1"));
  SecretsManagerOptions options;
  options.fields = {{SecretField::Part::kCertificate, "tls.crt"}, {SecretField::Part::kPrivateKey, "tls.key"}};
  ASSERT_TRUE(Make(options).Push(Target(), Material()).ok());
  json value = json::parse(aws_.CallsOf("CreateSecret")[0].body["SecretString"].get<std::string>());
  EXPECT_EQ(value, json::parse(R"({"tls.crt":"LEAF-PEM\n",
                                   "tls.key":"-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n"})"));
  EXPECT_FALSE(aws_.CallsOf("CreateSecret")[0].body.contains("KmsKeyId"));
}

TEST_F(SecretsManagerDestinationTest, PutsANewValueIntoOurExistingSecretFoundByItsKnownArn) {
  aws_.Answer("DescribeSecret", 200, Described(kUid));
  aws_.Answer("PutSecretValue", 200, Version("v2"));
  SyncResult<PushResult> pushed = Make().Push(Target(kArn), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->id, kArn);
  EXPECT_EQ(pushed->version, "v2");
  EXPECT_FALSE(pushed->adopted);
  EXPECT_THAT(aws_.Operations(), ElementsAre("DescribeSecret", "PutSecretValue"));
  EXPECT_EQ(aws_.calls()[0].body["SecretId"], kArn);
  EXPECT_EQ(aws_.calls()[1].body["SecretId"], kArn);
  EXPECT_FALSE(aws_.calls()[1].body.contains("Tags"));
}

TEST_F(SecretsManagerDestinationTest, AdoptsOurSecretFoundByNameWhenNoArnIsKnown) {
  aws_.Answer("DescribeSecret", 200, Described(kUid));
  aws_.Answer("PutSecretValue", 200, Version("v2"));
  SyncResult<PushResult> pushed = Make().Push(Target(), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_TRUE(pushed->adopted);
}

TEST_F(SecretsManagerDestinationTest, FallsBackToTheNameWhenTheKnownArnIsGone) {
  aws_.Answer("DescribeSecret", 400, NotFound());
  aws_.Answer("DescribeSecret", 400, NotFound());
  aws_.Answer("CreateSecret", 200, Version("v1"));
  ASSERT_TRUE(Make().Push(Target(kArn), Material()).ok());
  std::vector<RecordedCall> describes = aws_.CallsOf("DescribeSecret");
  ASSERT_EQ(describes.size(), 2u);
  EXPECT_EQ(describes[0].body["SecretId"], kArn);
  EXPECT_EQ(describes[1].body["SecretId"], kName);
}

TEST_F(SecretsManagerDestinationTest, RefusesToOverwriteASecretTaggedForAnotherCertificate) {
  aws_.Answer("DescribeSecret", 200, Described("another-uid"));
  SyncResult<PushResult> pushed = Make().Push(Target(), Material());
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(pushed.error().status.message(),
            "secret prod/shop/frontend-tls exists and is not certplane's for shop/frontend");
  EXPECT_THAT(aws_.Operations(), ElementsAre("DescribeSecret"));
}

TEST_F(SecretsManagerDestinationTest, RefusesToOverwriteAnUntaggedSecret) {
  aws_.Answer("DescribeSecret", 200, Described(""));
  SyncResult<PushResult> pushed = Make().Push(Target(), Material());
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.code(), StatusCode::kFailedPrecondition);
}

TEST_F(SecretsManagerDestinationTest, RestoresOurSecretScheduledForDeletionThenPutsTheValue) {
  aws_.Answer("DescribeSecret", 200, Described(kUid, /*deleted=*/true));
  aws_.Answer("RestoreSecret", 200, json{{"ARN", kArn}, {"Name", kName}}.dump());
  aws_.Answer("PutSecretValue", 200, Version("v3"));
  SyncResult<PushResult> pushed = Make().Push(Target(kArn), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_THAT(aws_.Operations(), ElementsAre("DescribeSecret", "RestoreSecret", "PutSecretValue"));
}

TEST_F(SecretsManagerDestinationTest, JudgesASecretCreatedConcurrentlyLikeAnyExistingOne) {
  aws_.Answer("DescribeSecret", 400, NotFound());
  aws_.Answer("CreateSecret", 400, R"({"__type":"ResourceExistsException","Message":"already exists"})");
  aws_.Answer("DescribeSecret", 200, Described("another-uid"));
  SyncResult<PushResult> pushed = Make().Push(Target(), Material());
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.code(), StatusCode::kFailedPrecondition);
}

TEST_F(SecretsManagerDestinationTest, RefusesAPushWithoutASecretName) {
  PushTarget target = Target();
  target.name.clear();
  SyncResult<PushResult> pushed = Make().Push(target, Material());
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(aws_.calls().empty());
}

TEST_F(SecretsManagerDestinationTest, RemoveForceDeletesOurSecret) {
  aws_.Answer("DescribeSecret", 200, Described(kUid));
  aws_.Answer("DeleteSecret", 200, json{{"ARN", kArn}}.dump());
  ASSERT_TRUE(Make().Remove(Target(kArn)).ok());
  EXPECT_THAT(aws_.Operations(), ElementsAre("DescribeSecret", "DeleteSecret"));
  EXPECT_EQ(aws_.calls()[1].body,
            json::parse(R"({"SecretId":")" + std::string(kArn) + R"(","ForceDeleteWithoutRecovery":true})"));
}

TEST_F(SecretsManagerDestinationTest, RemoveOfAMissingSecretIsDone) {
  aws_.Answer("DescribeSecret", 400, NotFound());
  ASSERT_TRUE(Make().Remove(Target()).ok());
  EXPECT_THAT(aws_.Operations(), ElementsAre("DescribeSecret"));
}

TEST_F(SecretsManagerDestinationTest, RemoveNeverDeletesASecretThatIsNotOurs) {
  aws_.Answer("DescribeSecret", 200, Described("another-uid"));
  SyncStatus removed = Make().Remove(Target());
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(aws_.Operations(), ElementsAre("DescribeSecret"));
}

TEST_F(SecretsManagerDestinationTest, NeverPutsTheSecretValueIntoAnErrorMessage) {
  CertificateMaterial material = Material();
  aws_.Answer("DescribeSecret", 400, NotFound());
  const std::string value = std::string(SecretValue(material, DefaultSecretFields()).view());
  aws_.Answer("CreateSecret", 400, json{{"__type", "InvalidParameterException"}, {"Message", "bad " + value}}.dump());
  SyncResult<PushResult> pushed = Make().Push(Target(), material);
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.message(), "InvalidParameterException: bad [redacted]");
}

TEST(SecretsManagerMessages, RefuseADescriptionWithoutAnArnOrWithMalformedTags) {
  EXPECT_EQ(ReadSecretDescription(json::object()).error().status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadSecretDescription(json{{"ARN", "a"}, {"Tags", "x"}}).error().status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadSecretDescription(json{{"ARN", "a"}, {"Tags", {{{"Value", "v"}}}}}).error().status.code(),
            StatusCode::kUnavailable);
  SyncResult<SecretDescription> ok = ReadSecretDescription(json{{"ARN", "a"}, {"KmsKeyId", "k"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->kms_key_id, "k");
  EXPECT_FALSE(ok->scheduled_for_deletion);
}

}  // namespace
}  // namespace certplane::sync::aws

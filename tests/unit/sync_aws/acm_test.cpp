// AcmDestination against a recording fake: which calls a push makes in each situation
// (known ARN, ARN gone, adoption by tag, first import, preserve_arn = false) and what
// each request carries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_transport.h"
#include "sync/aws/acm.h"
#include "sync/aws/acm_messages.h"
#include "sync/aws/encoding.h"

namespace certplane::sync::aws {
namespace {

using ::testing::ElementsAre;
using testing::FakeAws;
using testing::TestCredentials;
using json = nlohmann::json;

constexpr const char* kUid = "6f1c2a9e-0000-4000-8000-000000000001";
constexpr const char* kArn = "arn:aws:acm:us-east-1:123456789012:certificate/known";
constexpr const char* kOtherArn = "arn:aws:acm:us-east-1:123456789012:certificate/other";
constexpr const char* kNewArn = "arn:aws:acm:us-east-1:123456789012:certificate/new";

CertificateMaterial Material() {
  CertificateMaterial m;
  m.certificate_pem = "-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n";
  m.chain_pem = "-----BEGIN CERTIFICATE-----\nINTERMEDIATE\n-----END CERTIFICATE-----\n";
  m.private_key_pem = SensitiveString("-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n");
  m.serial_hex = "0a1b";
  return m;
}

PushTarget Target(std::string known_id = "") {
  return PushTarget{.certificate_uid = kUid, .certificate = "shop/frontend", .known_id = std::move(known_id)};
}

std::string ArnAnswer(const std::string& arn) { return json{{"CertificateArn", arn}}.dump(); }
std::string TagsAnswer(const std::string& uid) {
  return json{{"Tags", {{{"Key", kCertificateUidTag}, {"Value", uid}}, {{"Key", "team"}, {"Value", "x"}}}}}.dump();
}
std::string ListAnswer(std::vector<std::string> arns, std::string next = "") {
  json list = json::array();
  for (const auto& arn : arns) list.push_back({{"CertificateArn", arn}, {"DomainName", "a.example"}});
  json out = {{"CertificateSummaryList", list}};
  if (!next.empty()) out["NextToken"] = next;
  return out.dump();
}
std::string NotFound() { return R"({"__type":"ResourceNotFoundException","message":"Certificate not found"})"; }

class AcmDestinationTest : public ::testing::Test {
 protected:
  AcmDestination Make(AcmOptions options = {}) {
    options.region = "us-east-1";
    return AcmDestination(aws_, credentials_, std::move(options));
  }
  FakeAws aws_;
  StaticAwsCredentials credentials_{TestCredentials()};
};

TEST_F(AcmDestinationTest, ReimportsIntoTheKnownArnWithoutTagsThenPutsTheTagsBackWithoutSearching) {
  aws_.Answer("ImportCertificate", 200, ArnAnswer(kArn));
  aws_.Answer("AddTagsToCertificate", 200, "");
  SyncResult<PushResult> pushed = Make({.tags = {{"team", "shop"}}}).Push(Target(kArn), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->id, kArn);
  EXPECT_FALSE(pushed->adopted);
  EXPECT_THAT(aws_.Operations(), ElementsAre("ImportCertificate", "AddTagsToCertificate"));
  EXPECT_EQ(aws_.calls()[1].body["CertificateArn"], kArn);
  EXPECT_EQ(aws_.calls()[1].body["Tags"], json::parse(R"([{"Key":"certplane.io/certificate","Value":"shop/frontend"},
                                                          {"Key":"certplane.io/certificate-uid","Value":"6f1c2a9e-0000-4000-8000-000000000001"},
                                                          {"Key":"team","Value":"shop"}])"));
  const json& body = aws_.calls()[0].body;
  EXPECT_EQ(body["CertificateArn"], kArn);
  EXPECT_FALSE(body.contains("Tags"));
  EXPECT_EQ(body["Certificate"], Base64Encode(Material().certificate_pem));
  EXPECT_EQ(body["PrivateKey"], Base64Encode(Material().private_key_pem.view()));
  EXPECT_EQ(body["CertificateChain"], Base64Encode(Material().chain_pem));
}

TEST_F(AcmDestinationTest, ImportsANewCertificateWithCertplanesAndTheUsersTagsWhenNoneIsKnownOrTagged) {
  aws_.Answer("ListCertificates", 200, ListAnswer({kOtherArn}));
  aws_.Answer("ListTagsForCertificate", 200, TagsAnswer("someone-else"));
  aws_.Answer("ImportCertificate", 200, ArnAnswer(kNewArn));
  SyncResult<PushResult> pushed = Make({.tags = {{"team", "shop"}}}).Push(Target(), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->id, kNewArn);
  EXPECT_FALSE(pushed->adopted);
  EXPECT_THAT(aws_.Operations(), ElementsAre("ListCertificates", "ListTagsForCertificate", "ImportCertificate"));
  const json import = aws_.CallsOf("ImportCertificate")[0].body;
  EXPECT_FALSE(import.contains("CertificateArn"));
  EXPECT_EQ(import["Tags"], json::parse(R"([{"Key":"certplane.io/certificate","Value":"shop/frontend"},
                                             {"Key":"certplane.io/certificate-uid","Value":"6f1c2a9e-0000-4000-8000-000000000001"},
                                             {"Key":"team","Value":"shop"}])"));
  // Every key type is listed: ACM would otherwise hide EC and non-2048 RSA certificates.
  EXPECT_EQ(aws_.CallsOf("ListCertificates")[0].body["Includes"]["keyTypes"], json(AcmKeyTypes()));
}

TEST_F(AcmDestinationTest, AdoptsTheTaggedCertificateWhenTheKnownArnIsGone) {
  aws_.Answer("ImportCertificate", 400, NotFound());
  aws_.Answer("ListCertificates", 200, ListAnswer({kOtherArn}, "page-2"));
  aws_.Answer("ListTagsForCertificate", 200, TagsAnswer("someone-else"));
  aws_.Answer("ListCertificates", 200, ListAnswer({kNewArn}));
  aws_.Answer("ListTagsForCertificate", 200, TagsAnswer(kUid));
  aws_.Answer("ImportCertificate", 200, ArnAnswer(kNewArn));
  aws_.Answer("AddTagsToCertificate", 200, "");
  SyncResult<PushResult> pushed = Make().Push(Target(kArn), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->id, kNewArn);
  EXPECT_TRUE(pushed->adopted);
  EXPECT_THAT(aws_.Operations(),
              ElementsAre("ImportCertificate", "ListCertificates", "ListTagsForCertificate", "ListCertificates",
                          "ListTagsForCertificate", "ImportCertificate", "AddTagsToCertificate"));
  EXPECT_EQ(aws_.CallsOf("ListCertificates")[1].body["NextToken"], "page-2");
  const json reimport = aws_.CallsOf("ImportCertificate")[1].body;
  EXPECT_EQ(reimport["CertificateArn"], kNewArn);
  EXPECT_FALSE(reimport.contains("Tags"));
}

TEST_F(AcmDestinationTest, SkipsACertificateDeletedBetweenListingAndReadingItsTags) {
  aws_.Answer("ListCertificates", 200, ListAnswer({kOtherArn, kArn}));
  aws_.Answer("ListTagsForCertificate", 400, NotFound());
  aws_.Answer("ListTagsForCertificate", 200, TagsAnswer(kUid));
  aws_.Answer("ImportCertificate", 200, ArnAnswer(kArn));
  aws_.Answer("AddTagsToCertificate", 200, "");
  SyncResult<PushResult> pushed = Make().Push(Target(), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->id, kArn);
  EXPECT_TRUE(pushed->adopted);
}

TEST_F(AcmDestinationTest, LeavesOutAnEmptyChain) {
  aws_.Answer("ImportCertificate", 200, ArnAnswer(kArn));
  aws_.Answer("AddTagsToCertificate", 200, "");
  CertificateMaterial material = Material();
  material.chain_pem.clear();
  ASSERT_TRUE(Make().Push(Target(kArn), material).ok());
  EXPECT_FALSE(aws_.calls()[0].body.contains("CertificateChain"));
}

TEST_F(AcmDestinationTest, WithoutPreserveArnImportsANewCertificateThenDeletesTheOldOne) {
  aws_.Answer("ImportCertificate", 200, ArnAnswer(kNewArn));
  aws_.Answer("DeleteCertificate", 200, "{}");
  SyncResult<PushResult> pushed = Make({.preserve_arn = false}).Push(Target(kArn), Material());
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->id, kNewArn);
  EXPECT_THAT(aws_.Operations(), ElementsAre("ImportCertificate", "DeleteCertificate"));
  EXPECT_FALSE(aws_.calls()[0].body.contains("CertificateArn"));
  EXPECT_TRUE(aws_.calls()[0].body.contains("Tags"));
  EXPECT_EQ(aws_.calls()[1].body["CertificateArn"], kArn);
}

TEST_F(AcmDestinationTest, WithoutPreserveArnKeepsTheOldCertificateWhenTheNewImportFails) {
  aws_.Answer("ImportCertificate", 400, R"({"__type":"ValidationException","message":"bad key"})");
  SyncResult<PushResult> pushed = Make({.preserve_arn = false}).Push(Target(kArn), Material());
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(pushed.error().status.message(), "ValidationException: bad key");
  EXPECT_THAT(aws_.Operations(), ElementsAre("ImportCertificate"));
}

TEST_F(AcmDestinationTest, ReportsAThrottledReimportAsResourceExhaustedWithoutSearching) {
  aws_.Answer("ImportCertificate", 400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
  SyncResult<PushResult> pushed = Make().Push(Target(kArn), Material());
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(pushed.error().code, "ThrottlingException");
  EXPECT_THAT(aws_.Operations(), ElementsAre("ImportCertificate"));
}

TEST_F(AcmDestinationTest, RemoveDeletesTheKnownArnAndTreatsNotFoundAsDone) {
  aws_.Answer("DeleteCertificate", 400, NotFound());
  SyncStatus removed = Make().Remove(Target(kArn));
  EXPECT_TRUE(removed.ok());
  EXPECT_THAT(aws_.Operations(), ElementsAre("DeleteCertificate"));
  EXPECT_EQ(aws_.calls()[0].body["CertificateArn"], kArn);
}

TEST_F(AcmDestinationTest, RemoveWithoutAKnownArnDeletesTheTaggedOne) {
  aws_.Answer("ListCertificates", 200, ListAnswer({kOtherArn}));
  aws_.Answer("ListTagsForCertificate", 200, TagsAnswer(kUid));
  aws_.Answer("DeleteCertificate", 200, "{}");
  ASSERT_TRUE(Make().Remove(Target()).ok());
  EXPECT_THAT(aws_.Operations(), ElementsAre("ListCertificates", "ListTagsForCertificate", "DeleteCertificate"));
  EXPECT_EQ(aws_.CallsOf("DeleteCertificate")[0].body["CertificateArn"], kOtherArn);
}

TEST_F(AcmDestinationTest, RemoveWithNothingTaggedDoesNothing) {
  aws_.Answer("ListCertificates", 200, ListAnswer({}));
  ASSERT_TRUE(Make().Remove(Target()).ok());
  EXPECT_THAT(aws_.Operations(), ElementsAre("ListCertificates"));
}

TEST_F(AcmDestinationTest, NeverPutsThePrivateKeyOrSecretKeyIntoAnErrorMessage) {
  CertificateMaterial material = Material();
  // A server that quotes the request back in its error.
  aws_.Answer("ImportCertificate", 400,
              json{{"__type", "ValidationException"},
                   {"message", std::string("bad: ") + std::string(material.private_key_pem.view()) + " " +
                                   testing::kTestSecretKey}}
                  .dump());
  SyncResult<PushResult> pushed = Make().Push(Target(kArn), material);
  ASSERT_FALSE(pushed.ok());
  EXPECT_THAT(pushed.error().status.message(), ::testing::Not(::testing::HasSubstr(testing::kTestSecretKey)));
  EXPECT_THAT(pushed.error().status.message(), ::testing::Not(::testing::HasSubstr("PRIVATE KEY")));
  EXPECT_EQ(pushed.error().status.message(), "ValidationException: bad: [redacted] [redacted]");
}

TEST(AcmMessages, RefuseAnswersWithoutTheMembersTheApiDefines) {
  EXPECT_EQ(ReadCertificateArn(json::object()).error().status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadCertificateArn(json{{"CertificateArn", 7}}).error().status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadCertificatePage(json{{"CertificateSummaryList", "x"}}).error().status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadCertificatePage(json{{"CertificateSummaryList", {{{"DomainName", "a"}}}}}).error().status.code(),
            StatusCode::kUnavailable);
  EXPECT_TRUE(ReadCertificatePage(json::object()).ok());
}

}  // namespace
}  // namespace certplane::sync::aws

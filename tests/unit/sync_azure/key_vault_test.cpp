// KeyVaultDestination's decisions over a scripted transport: import new and ours,
// refuse another's, recover our soft-deleted name, remove and purge, and what errors say.
#include "sync/azure/key_vault.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_material.h"

namespace certplane::sync::azure {
namespace {

using testing::Exchange;
using testing::FailsWith;
using ::testing::HasSubstr;
using testing::JsonResponse;
using testing::MakeMaterial;
using ::testing::Not;
using testing::ScriptedTransport;
using json = nlohmann::json;

constexpr const char* kVault = "https://shop.vault.azure.net";
constexpr const char* kAccessToken = "access-token-that-must-not-leak";

class FakeTokens final : public AzureTokenProvider {
 public:
  SyncResult<AccessToken> Get() override {
    if (error.has_value()) return *error;
    return AccessToken{.token = SensitiveString(kAccessToken), .expires_on = {}};
  }
  std::string tenant_id() const override { return "72f988bf-86f1-41af-91ab-2d7cd011db47"; }
  std::optional<SyncError> error;
};

PushTarget Target() {
  return {.certificate_uid = "uid-ours", .certificate = "shop/web", .name = "web", .known_id = ""};
}

std::string Bundle(const std::string& version, const std::string& uid_tag) {
  json b = {{"id", std::string(kVault) + "/certificates/web/" + version}, {"x5t", "abc"}, {"cer", "MIIB"}};
  b["tags"] = json::object();
  if (!uid_tag.empty()) b["tags"]["certplane.io/certificate-uid"] = uid_tag;
  return b.dump();
}

std::string Error(const std::string& code, const std::string& message) {
  return json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

constexpr const char* kDeletedMessage =
    "Certificate web is currently in a deleted but recoverable state, and its name cannot be reused; in this state, "
    "the certificate can only be recovered or purged.";

HttpResponse NotFound() {
  return JsonResponse(404, Error("CertificateNotFound", "A certificate with (name/id) web was not found"));
}

KeyVaultOptions Options() {
  KeyVaultOptions o;
  o.vault_url = kVault;
  o.tags = {{"team", "payments"}, {"certplane.io/certificate-uid", "a user cannot override this"}};
  o.poll_interval = std::chrono::milliseconds(0);
  o.poll_attempts = 3;
  return o;
}

class KeyVaultDestinationTest : public ::testing::Test {
 protected:
  SyncResult<PushResult> Push(ScriptedTransport& t, KeyVaultOptions options = Options()) {
    KeyVaultDestination kv(t, tokens_, std::move(options));
    return kv.Push(Target(), material_);
  }
  SyncStatus Remove(ScriptedTransport& t) {
    KeyVaultDestination kv(t, tokens_, Options());
    return kv.Remove(Target());
  }
  FakeTokens tokens_;
  CertificateMaterial material_ = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
};

TEST_F(KeyVaultDestinationTest, ImportsANewNameWithCertplanesTagsAndReturnsTheVersion) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?api-version=7.4", NotFound()},
      Exchange{"POST", "/certificates/web/import?api-version=7.4", JsonResponse(200, Bundle("v1", "uid-ours"))},
  });
  SyncResult<PushResult> pushed = Push(t);
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->id, "https://shop.vault.azure.net/certificates/web/v1");
  EXPECT_EQ(pushed->version, "v1");
  EXPECT_FALSE(pushed->adopted);
  json body = json::parse(t.sent[1].body);
  EXPECT_EQ(body["tags"], json({{"certplane.io/certificate-uid", "uid-ours"},
                                {"certplane.io/certificate", "shop/web"},
                                {"certplane.io/serial", material_.serial_hex},
                                {"team", "payments"}}));
  EXPECT_EQ(body["policy"]["secret_props"]["contentType"], "application/x-pkcs12");
  EXPECT_THAT(t.sent[0].headers, ::testing::Contains(std::pair<std::string, std::string>(
                                     "Authorization", std::string("Bearer ") + kAccessToken)));
}

TEST_F(KeyVaultDestinationTest, ImportsANewVersionIntoANameThatIsOurs) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"POST", "/certificates/web/import?", JsonResponse(200, Bundle("v2", "uid-ours"))},
  });
  SyncResult<PushResult> pushed = Push(t);
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->version, "v2");
  EXPECT_TRUE(pushed->adopted);
}

TEST_F(KeyVaultDestinationTest, PushesPemWhenAskedTo) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"POST", "/certificates/web/import?", JsonResponse(200, Bundle("v1", "uid-ours"))},
  });
  KeyVaultOptions options = Options();
  options.format = KeyVaultOptions::Format::kPem;
  ASSERT_TRUE(Push(t, options).ok());
  EXPECT_EQ(json::parse(t.sent[1].body)["policy"]["secret_props"]["contentType"], "application/x-pem-file");
}

TEST_F(KeyVaultDestinationTest, RefusesANameHeldByAnotherCertificatesUid) {
  ScriptedTransport t({Exchange{"GET", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-other"))}});
  EXPECT_THAT(Push(t), FailsWith(StatusCode::kFailedPrecondition,
                                 "pushing shop/web: certificate web in https://shop.vault.azure.net exists and is not "
                                 "certplane's: it is tagged for Certificate uid uid-other"));
  EXPECT_EQ(t.sent.size(), 1u);  // never an import
}

TEST_F(KeyVaultDestinationTest, RefusesANameHeldByACertificateWithoutOurTag) {
  ScriptedTransport t({Exchange{"GET", "/certificates/web?", JsonResponse(200, Bundle("v1", ""))}});
  SyncResult<PushResult> pushed = Push(t);
  EXPECT_THAT(pushed, FailsWith(StatusCode::kFailedPrecondition,
                                "exists and is not certplane's: it has no certplane.io/certificate-uid tag"));
  EXPECT_EQ(pushed.error().code, "NotOwned");
}

TEST_F(KeyVaultDestinationTest, RecoversOurSoftDeletedNameThenImports) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"POST", "/certificates/web/import?", JsonResponse(409, Error("Conflict", kDeletedMessage))},
      Exchange{"GET", "/deletedcertificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"POST", "/deletedcertificates/web/recover?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"GET", "/certificates/web?", NotFound()},  // still recovering
      Exchange{"GET", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"POST", "/certificates/web/import?", JsonResponse(200, Bundle("v2", "uid-ours"))},
  });
  SyncResult<PushResult> pushed = Push(t);
  ASSERT_TRUE(pushed.ok()) << pushed.error().status;
  EXPECT_EQ(pushed->version, "v2");
  EXPECT_TRUE(pushed->adopted);
  EXPECT_TRUE(t.done());
}

TEST_F(KeyVaultDestinationTest, ReportsKeyVaultsConflictWhenTheSoftDeletedNameIsNotOurs) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"POST", "/certificates/web/import?", JsonResponse(409, Error("Conflict", kDeletedMessage))},
      Exchange{"GET", "/deletedcertificates/web?", JsonResponse(200, Bundle("v1", "uid-other"))},
  });
  SyncResult<PushResult> pushed = Push(t);
  EXPECT_THAT(pushed,
              FailsWith(StatusCode::kFailedPrecondition,
                        "importing: Conflict: Certificate web is currently in a deleted but recoverable state"));
  EXPECT_THAT(pushed.error().status.message(),
              HasSubstr("(the deleted certificate is not certplane's: it is tagged for Certificate uid uid-other)"));
  EXPECT_EQ(t.sent.size(), 3u);  // never a recover
}

TEST_F(KeyVaultDestinationTest, ReportsAnotherConflictAsKeyVaultWordsIt) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"POST", "/certificates/web/import?",
               JsonResponse(409, Error("Conflict", "Another operation is in progress."))},
      Exchange{"GET", "/deletedcertificates/web?", NotFound()},
  });
  EXPECT_THAT(Push(t), FailsWith(StatusCode::kFailedPrecondition, "Conflict: Another operation is in progress."));
}

TEST_F(KeyVaultDestinationTest, GivesUpWaitingForARecoveryAfterTheBoundedChecks) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"POST", "/certificates/web/import?", JsonResponse(409, Error("Conflict", kDeletedMessage))},
      Exchange{"GET", "/deletedcertificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"POST", "/deletedcertificates/web/recover?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"GET", "/certificates/web?", NotFound()},
  });
  SyncResult<PushResult> pushed = Push(t);
  EXPECT_THAT(pushed, FailsWith(StatusCode::kUnavailable, "the recovered certificate is not back yet after 3 checks"));
  EXPECT_EQ(pushed.error().code, "RecoveryPending");
}

TEST_F(KeyVaultDestinationTest, RefusesAnInvalidNameBeforeAnyRequest) {
  ScriptedTransport t({});
  KeyVaultDestination kv(t, tokens_, Options());
  PushTarget target = Target();
  target.name = "shop.web";
  EXPECT_THAT(kv.Push(target, material_), FailsWith(StatusCode::kInvalidArgument, "has '.' at 4"));
  EXPECT_THAT(kv.Remove(target), FailsWith(StatusCode::kInvalidArgument, "has '.' at 4"));
  EXPECT_TRUE(t.sent.empty());
}

TEST_F(KeyVaultDestinationTest, ReturnsTheTokenErrorWithoutCallingTheVault) {
  tokens_.error = SyncError{.status = Status(StatusCode::kUnauthenticated, "invalid_client: AADSTS7000215"),
                            .code = "invalid_client"};
  ScriptedTransport t({});
  EXPECT_THAT(Push(t), FailsWith(StatusCode::kUnauthenticated, "AADSTS7000215"));
  EXPECT_TRUE(t.sent.empty());
}

TEST_F(KeyVaultDestinationTest, NamesTheCallThatFailedWithoutTheTokenOrTheKey) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"POST", "/certificates/web/import?",
               JsonResponse(403, Error("Forbidden", "The user does not have certificates import permission."))},
  });
  SyncResult<PushResult> pushed = Push(t);
  EXPECT_THAT(pushed, FailsWith(StatusCode::kPermissionDenied,
                                "pushing shop/web to certificate web in https://shop.vault.azure.net: importing: "
                                "Forbidden: The user does not have certificates import permission."));
  const std::string& message = pushed.error().status.message();
  EXPECT_THAT(message, Not(HasSubstr(kAccessToken)));
  EXPECT_THAT(message, Not(HasSubstr("PRIVATE KEY")));
  EXPECT_THAT(message, Not(HasSubstr("pwd")));
}

// A transport with no answer at all.
class DeadTransport final : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& r) override {
    return Unavailable(r.method + " " + r.url + ": connection refused");
  }
};

TEST_F(KeyVaultDestinationTest, ReportsANetworkFailureAsUnavailable) {
  DeadTransport t;
  KeyVaultDestination kv(t, tokens_, Options());
  EXPECT_THAT(kv.Push(Target(), material_),
              FailsWith(StatusCode::kUnavailable,
                        "pushing shop/web to certificate web in https://shop.vault.azure.net: "
                        "GET https://shop.vault.azure.net/certificates/web?api-version=7.4: "
                        "connection refused"));
}

TEST_F(KeyVaultDestinationTest, RemoveDeletesThenPurgesOurs) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"DELETE", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"DELETE", "/deletedcertificates/web?", JsonResponse(204, "")},
  });
  SyncStatus removed = Remove(t);
  EXPECT_TRUE(removed.ok()) << removed.error().status;
  EXPECT_TRUE(t.done());
}

TEST_F(KeyVaultDestinationTest, RemoveIsDoneWhenPurgeProtectionKeepsItSoftDeleted) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"DELETE", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"DELETE", "/deletedcertificates/web?",
               JsonResponse(
                   403, Error("Forbidden", "Operation \"purge\" is not allowed because purge protection is enabled"))},
  });
  EXPECT_TRUE(Remove(t).ok());
}

TEST_F(KeyVaultDestinationTest, RemoveRetriesAPurgeWhileTheDeletionIsStillFinishing) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"DELETE", "/certificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"DELETE", "/deletedcertificates/web?",
               JsonResponse(409, Error("Conflict", "Certificate is currently being deleted."))},
      Exchange{"DELETE", "/deletedcertificates/web?", JsonResponse(204, "")},
  });
  EXPECT_TRUE(Remove(t).ok());
  EXPECT_TRUE(t.done());
}

TEST_F(KeyVaultDestinationTest, RemoveIsDoneWhenNothingIsThere) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"GET", "/deletedcertificates/web?", NotFound()},
  });
  EXPECT_TRUE(Remove(t).ok());
}

TEST_F(KeyVaultDestinationTest, RemovePurgesOurCertificateThatAnEarlierRemoveLeftSoftDeleted) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"GET", "/deletedcertificates/web?", JsonResponse(200, Bundle("v1", "uid-ours"))},
      Exchange{"DELETE", "/deletedcertificates/web?", JsonResponse(204, "")},
  });
  EXPECT_TRUE(Remove(t).ok());
  EXPECT_TRUE(t.done());
}

TEST_F(KeyVaultDestinationTest, RemoveLeavesAnotherSoftDeletedCertificateAlone) {
  ScriptedTransport t({
      Exchange{"GET", "/certificates/web?", NotFound()},
      Exchange{"GET", "/deletedcertificates/web?", JsonResponse(200, Bundle("v1", "uid-other"))},
  });
  EXPECT_TRUE(Remove(t).ok());
  EXPECT_EQ(t.sent.size(), 2u);
}

TEST_F(KeyVaultDestinationTest, RemoveRefusesToDeleteAnotherCertificate) {
  ScriptedTransport t({Exchange{"GET", "/certificates/web?", JsonResponse(200, Bundle("v1", ""))}});
  EXPECT_THAT(Remove(t), FailsWith(StatusCode::kFailedPrecondition,
                                   "removing shop/web: certificate web in https://shop.vault.azure.net exists and is "
                                   "not certplane's"));
  EXPECT_EQ(t.sent.size(), 1u);
}

}  // namespace
}  // namespace certplane::sync::azure

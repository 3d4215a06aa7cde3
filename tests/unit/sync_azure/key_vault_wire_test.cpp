// What certplane says to Key Vault and how it reads the answers: names, each call's
// request, the import body (decoded and opened), certificate bundles, and every error
// mapping as a named table.
#include "sync/azure/key_vault_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pki/certificate.h"
#include "pki/pem.h"
#include "pki/pkcs12.h"
#include "sync/azure/import_value.h"
#include "test_material.h"

namespace certplane::sync::azure {
namespace {

using testing::DecodeBase64;
using testing::FailsWith;
using ::testing::HasSubstr;
using testing::JsonResponse;
using testing::MakeMaterial;
using ::testing::Not;
using json = nlohmann::json;

const SensitiveString kToken("eyJ0eXAiOiJKV1QifQ.token");

TEST(ValidateCertificateName, AcceptsLettersDigitsAndHyphensUpTo127) {
  EXPECT_TRUE(ValidateCertificateName("shop-web-Tls-01").ok());
  EXPECT_TRUE(ValidateCertificateName(std::string(127, 'a')).ok());
}

class InvalidCertificateName : public ::testing::TestWithParam<std::tuple<const char*, std::string, const char*>> {};

TEST_P(InvalidCertificateName, IsRefusedWithTheReason) {
  Status s = ValidateCertificateName(std::get<1>(GetParam()));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(std::get<2>(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(
    Table, InvalidCertificateName,
    ::testing::Values(std::tuple{"an_empty_name", std::string(), "must be 1 to 127 characters, not 0"},
                      std::tuple{"a_name_of_128_characters", std::string(128, 'a'), "not 128"},
                      std::tuple{"a_name_with_a_dot", std::string("shop.web"), "has '.' at 4"},
                      std::tuple{"a_name_with_an_underscore", std::string("shop_web"), "has '_' at 4"},
                      std::tuple{"a_name_with_a_slash", std::string("shop/web"),
                                 "only 0-9, a-z, A-Z and - are allowed"}),
    [](const auto& info) { return std::string(std::get<0>(info.param)); });

struct RequestCase {
  std::string name;
  HttpRequest (*build)(const KeyVaultRequests&);
  std::string method;
  std::string url;
};

void PrintTo(const RequestCase& c, std::ostream* os) { *os << c.name; }

class KeyVaultRequest : public ::testing::TestWithParam<RequestCase> {};

TEST_P(KeyVaultRequest, HasItsMethodPathApiVersionAndBearerToken) {
  const KeyVaultRequests kv("https://shop.vault.azure.net/", "7.4");
  HttpRequest r = GetParam().build(kv);
  EXPECT_EQ(r.method, GetParam().method);
  EXPECT_EQ(r.url, GetParam().url);
  EXPECT_THAT(r.headers, ::testing::Contains(
                             std::pair<std::string, std::string>("Authorization", "Bearer eyJ0eXAiOiJKV1QifQ.token")));
}

INSTANTIATE_TEST_SUITE_P(
    Table, KeyVaultRequest,
    ::testing::Values(
        RequestCase{"get_reads_the_latest_version",
                    [](const KeyVaultRequests& kv) { return kv.GetCertificate("web", kToken); }, "GET",
                    "https://shop.vault.azure.net/certificates/web?api-version=7.4"},
        RequestCase{"get_version_reads_one_version",
                    [](const KeyVaultRequests& kv) { return kv.GetCertificateVersion("web", "abc123", kToken); }, "GET",
                    "https://shop.vault.azure.net/certificates/web/abc123?api-version=7.4"},
        RequestCase{"import_posts_to_the_import_route",
                    [](const KeyVaultRequests& kv) { return kv.Import("web", "{}", kToken); }, "POST",
                    "https://shop.vault.azure.net/certificates/web/import?api-version=7.4"},
        RequestCase{"delete_soft_deletes", [](const KeyVaultRequests& kv) { return kv.Delete("web", kToken); },
                    "DELETE", "https://shop.vault.azure.net/certificates/web?api-version=7.4"},
        RequestCase{"get_deleted_reads_the_deleted_certificate",
                    [](const KeyVaultRequests& kv) { return kv.GetDeleted("web", kToken); }, "GET",
                    "https://shop.vault.azure.net/deletedcertificates/web?api-version=7.4"},
        RequestCase{"recover_posts_to_the_recover_route",
                    [](const KeyVaultRequests& kv) { return kv.Recover("web", kToken); }, "POST",
                    "https://shop.vault.azure.net/deletedcertificates/web/recover?api-version=7.4"},
        RequestCase{"purge_deletes_the_deleted_certificate",
                    [](const KeyVaultRequests& kv) { return kv.Purge("web", kToken); }, "DELETE",
                    "https://shop.vault.azure.net/deletedcertificates/web?api-version=7.4"}),
    [](const auto& info) { return info.param.name; });

TEST(KeyVaultRequest, ImportCarriesTheBodyAsJson) {
  HttpRequest r = KeyVaultRequests("https://v.vault.azure.net", "7.5").Import("web", R"({"value":"x"})", kToken);
  EXPECT_EQ(r.body, R"({"value":"x"})");
  EXPECT_THAT(r.url, HasSubstr("api-version=7.5"));
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>("Content-Type", "application/json")));
}

std::map<std::string, std::string> Tags() {
  return {{"certplane.io/certificate-uid", "uid-1"}, {"certplane.io/certificate", "shop/web"}, {"team", "payments"}};
}

TEST(BuildImportBody, Pkcs12OpensWithItsPasswordToTheKeyLeafAndChain) {
  CertificateMaterial m = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
  Result<ImportValue> value = BuildImportValue(m, KeyVaultFormat::kPkcs12);
  ASSERT_TRUE(value.ok()) << value.status();
  json body = json::parse(BuildImportBody(*value, Tags()).view());
  EXPECT_EQ(body["policy"]["secret_props"]["contentType"], "application/x-pkcs12");
  EXPECT_EQ(body["policy"]["key_props"],
            json::parse(R"({"exportable":true,"kty":"EC","crv":"P-256","reuse_key":false})"));
  EXPECT_EQ(body["tags"]["certplane.io/certificate-uid"], "uid-1");
  EXPECT_EQ(body["attributes"]["enabled"], true);
  const std::string pwd = body["pwd"];
  EXPECT_EQ(pwd.size(), 48u);
  const std::string der = DecodeBase64(body["value"].get<std::string>());
  ASSERT_FALSE(der.empty());
  Result<pki::Pkcs12Contents> p12 =
      pki::ParsePkcs12(pki::ByteView(reinterpret_cast<const std::uint8_t*>(der.data()), der.size()), pwd);
  ASSERT_TRUE(p12.ok()) << p12.status();
  ASSERT_TRUE(p12->key.has_value() && p12->certificate.has_value());
  EXPECT_EQ(p12->certificate->ToPem(), m.certificate_pem);
  EXPECT_EQ(p12->key->public_key(), *p12->certificate->public_key());
  ASSERT_EQ(p12->other_certificates.size(), 2u);
  EXPECT_EQ(p12->other_certificates[0].ToPem() + p12->other_certificates[1].ToPem(), m.chain_pem);
}

TEST(BuildImportBody, Pkcs12PasswordsDifferEveryTime) {
  CertificateMaterial m = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
  EXPECT_NE(BuildImportValue(m, KeyVaultFormat::kPkcs12)->password.view(),
            BuildImportValue(m, KeyVaultFormat::kPkcs12)->password.view());
}

TEST(BuildImportBody, PemHoldsThePkcs8KeyThenTheLeafThenTheChain) {
  CertificateMaterial m = MakeMaterial(pki::KeyAlgorithm::kRsa2048);
  Result<ImportValue> value = BuildImportValue(m, KeyVaultFormat::kPem);
  ASSERT_TRUE(value.ok()) << value.status();
  json body = json::parse(BuildImportBody(*value, Tags()).view());
  EXPECT_EQ(body["policy"]["secret_props"]["contentType"], "application/x-pem-file");
  EXPECT_EQ(body["policy"]["key_props"]["kty"], "RSA");
  EXPECT_EQ(body["policy"]["key_props"]["key_size"], 2048);
  EXPECT_FALSE(body.contains("pwd"));
  const std::string text = DecodeBase64(body["value"].get<std::string>());
  EXPECT_EQ(text, std::string(m.private_key_pem.view()) + m.certificate_pem + m.chain_pem);
  Result<std::vector<pki::PemBlock>> blocks = pki::DecodePem(text);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 4u);
  EXPECT_EQ((*blocks)[0].label, "PRIVATE KEY");
}

TEST(BuildImportValue, RefusesAnEd25519KeyKeyVaultCannotHold) {
  Result<ImportValue> value = BuildImportValue(MakeMaterial(pki::KeyAlgorithm::kEd25519), KeyVaultFormat::kPem);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("RSA or EC keys; a Ed25519 key cannot be imported"));
}

TEST(BuildImportValue, RefusesAKeyThatDoesNotMatchTheCertificate) {
  CertificateMaterial m = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
  m.private_key_pem = MakeMaterial(pki::KeyAlgorithm::kEcdsaP384).private_key_pem;
  Result<ImportValue> value = BuildImportValue(m, KeyVaultFormat::kPkcs12);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("does not match the certificate"));
}

TEST(BuildImportValue, NamesAChainBlockThatIsNotACertificate) {
  CertificateMaterial m = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
  m.chain_pem += std::string(m.private_key_pem.view());
  Result<ImportValue> value = BuildImportValue(m, KeyVaultFormat::kPem);
  ASSERT_FALSE(value.ok());
  EXPECT_THAT(value.status().message(), HasSubstr("reading the chain: block 2 is PRIVATE KEY"));
  EXPECT_THAT(value.status().message(), Not(HasSubstr("BEGIN")));
}

constexpr const char* kBundle = R"({
  "id": "https://shop.vault.azure.net/certificates/web/db1497bc514347d4a2a2f1f0d1c2a0ad",
  "kid": "https://shop.vault.azure.net/keys/web/db1497bc514347d4a2a2f1f0d1c2a0ad",
  "x5t": "fLi3U52HunIVNXubkEnf8tP6Wbo", "cer": "MIIC",
  "attributes": {"enabled": true, "recoveryLevel": "Recoverable+Purgeable"},
  "tags": {"certplane.io/certificate-uid": "uid-1"}})";

TEST(ParseCertificateBundle, ReadsIdNameVersionThumbprintAndTags) {
  SyncResult<CertificateBundle> b = ParseCertificateBundle(kBundle);
  ASSERT_TRUE(b.ok()) << b.error().status;
  EXPECT_EQ(b->name, "web");
  EXPECT_EQ(b->version, "db1497bc514347d4a2a2f1f0d1c2a0ad");
  EXPECT_EQ(b->x5t, "fLi3U52HunIVNXubkEnf8tP6Wbo");
  EXPECT_EQ(b->cer, "MIIC");
  EXPECT_EQ(b->tags.at("certplane.io/certificate-uid"), "uid-1");
}

TEST(ParseCertificateBundle, ReadsTheRecoveryIdOfADeletedBundle) {
  SyncResult<CertificateBundle> b = ParseCertificateBundle(
      R"({"id":"https://v/certificates/web/1","recoveryId":"https://v/deletedcertificates/web","deletedDate":1,"tags":null})");
  ASSERT_TRUE(b.ok()) << b.error().status;
  EXPECT_EQ(b->recovery_id, "https://v/deletedcertificates/web");
  EXPECT_TRUE(b->tags.empty());
}

class MalformedBundle : public ::testing::TestWithParam<std::tuple<const char*, const char*, const char*>> {};

TEST_P(MalformedBundle, IsRefusedAsInvalid) {
  EXPECT_THAT(ParseCertificateBundle(std::get<1>(GetParam())),
              FailsWith(StatusCode::kInvalidArgument, std::get<2>(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedBundle,
    ::testing::Values(std::tuple{"not_json", "<html>", "not a JSON object"},
                      std::tuple{"no_id", R"({"x5t":"a"})", "without an id"},
                      std::tuple{"an_id_without_a_version", R"({"id":"https://v/certificates/web"})",
                                 "not .../certificates/{name}/{version}"},
                      std::tuple{"an_id_with_extra_segments", R"({"id":"https://v/certificates/web/1/2"})",
                                 "not .../certificates/{name}/{version}"},
                      std::tuple{"tags_that_are_a_list", R"({"id":"https://v/certificates/a/1","tags":[]})",
                                 "tags are not an object"},
                      std::tuple{"a_tag_that_is_a_number", R"({"id":"https://v/certificates/a/1","tags":{"t":1}})",
                                 "tag \"t\" is not a string"}),
    [](const auto& info) { return std::string(std::get<0>(info.param)); });

struct ErrorCase {
  std::string name;
  int status;
  std::string body;
  HttpHeaders headers;
  StatusCode code;
  std::string error_code;
  std::string message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class KeyVaultErrorMapping : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(KeyVaultErrorMapping, GivesTheCodeAndKeyVaultsWords) {
  const ErrorCase& c = GetParam();
  SyncError e = KeyVaultError(JsonResponse(c.status, c.body, c.headers), "72f988bf-86f1-41af-91ab-2d7cd011db47");
  EXPECT_THAT(e, FailsWith(c.code, c.message));
  EXPECT_EQ(e.code, c.error_code);
}

INSTANTIATE_TEST_SUITE_P(
    Table, KeyVaultErrorMapping,
    ::testing::Values(
        ErrorCase{
            "a_401_is_unauthenticated_and_names_the_authority_the_vault_asks_for",
            401,
            R"({"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}})",
            {{"WWW-Authenticate",
              R"(Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net")"}},
            StatusCode::kUnauthenticated,
            "Unauthorized",
            "Unauthorized: AKV10000: Request is missing a Bearer or PoP token.; the vault asks for a token from "
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47 for https://vault.azure.net"},
        ErrorCase{
            "a_401_from_a_vault_in_another_tenant_says_so",
            401,
            R"({"error":{"code":"Unauthorized","message":"AKV10032: Invalid issuer."}})",
            {{"WWW-Authenticate",
              R"(Bearer authorization="https://login.microsoftonline.com/0000aaaa-0000-0000-0000-000000000000", scope="https://vault.azure.net/.default")"}},
            StatusCode::kUnauthenticated,
            "Unauthorized",
            "the vault trusts tenant 0000aaaa-0000-0000-0000-000000000000 (authority "
            "https://login.microsoftonline.com/0000aaaa-0000-0000-0000-000000000000) but the credential is for "
            "tenant 72f988bf-86f1-41af-91ab-2d7cd011db47 for https://vault.azure.net/.default"},
        ErrorCase{
            "a_403_is_permission_denied_with_the_inner_code",
            403,
            R"({"error":{"code":"Forbidden","message":"The user, group or application does not have certificates import permission.","innererror":{"code":"AccessDenied"}}})",
            {},
            StatusCode::kPermissionDenied,
            "Forbidden",
            "Forbidden: The user, group or application does not have certificates import permission. (inner: "
            "AccessDenied)"},
        ErrorCase{
            "a_404_is_not_found",
            404,
            R"({"error":{"code":"CertificateNotFound","message":"A certificate with (name/id) web was not found in this key vault."}})",
            {},
            StatusCode::kNotFound,
            "CertificateNotFound",
            "CertificateNotFound: A certificate with (name/id) web"},
        ErrorCase{
            "a_409_is_a_failed_precondition",
            409,
            R"({"error":{"code":"Conflict","message":"Certificate web is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged."}})",
            {},
            StatusCode::kFailedPrecondition,
            "Conflict",
            "Conflict: Certificate web is currently in a deleted but recoverable state"},
        ErrorCase{
            "a_400_is_an_invalid_argument",
            400,
            R"({"error":{"code":"BadParameter","message":"The specified PKCS#12 X.509 certificate content can not be read."}})",
            {},
            StatusCode::kInvalidArgument,
            "BadParameter",
            "BadParameter: The specified PKCS#12"},
        ErrorCase{"a_429_is_resource_exhausted",
                  429,
                  R"({"error":{"code":"Throttled","message":"Rate limit is exceeded. Try again in 7 seconds."}})",
                  {{"Retry-After", "7"}},
                  StatusCode::kResourceExhausted,
                  "Throttled",
                  "Throttled: Rate limit is exceeded"},
        ErrorCase{"a_500_is_unavailable",
                  500,
                  R"({"error":{"code":"InternalServerError","message":"boom"}})",
                  {},
                  StatusCode::kUnavailable,
                  "InternalServerError",
                  "InternalServerError: boom"},
        ErrorCase{"a_502_without_an_error_object_is_unavailable",
                  502,
                  "<html>Bad Gateway</html>",
                  {},
                  StatusCode::kUnavailable,
                  "HTTP502",
                  "Key Vault answered 502 without an error object"}),
    [](const auto& info) { return info.param.name; });

TEST(KeyVaultErrorMapping, KeepsTheRetryAfterOfAThrottledAnswer) {
  SyncError e = KeyVaultError(JsonResponse(429, "{}", {{"Retry-After", "7"}}), "t");
  EXPECT_EQ(e.retry_after, std::chrono::seconds(7));
}

}  // namespace
}  // namespace certplane::sync::azure

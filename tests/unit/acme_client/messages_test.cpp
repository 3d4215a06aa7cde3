#include "acme/client/messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acme/base64url.h"
#include "acme/jwk.h"
#include "acme/jws.h"

namespace certplane::acme::client {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

pki::PrivateKey Key(pki::KeyAlgorithm algorithm = pki::KeyAlgorithm::kEcdsaP256) {
  return *pki::GeneratePrivateKey(algorithm);
}

TEST(ParseProblemDocument, ReadsTypeDetailStatusAndSubproblems) {
  json doc = json::parse(R"({
    "type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "not allowed", "status": 403,
    "subproblems": [{"type": "urn:ietf:params:acme:error:caa", "detail": "no",
                     "identifier": {"type": "dns", "value": "a.test"}}]})");
  std::optional<Problem> p = ParseProblemDocument(doc);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kRejectedIdentifier);
  EXPECT_EQ(p->detail, "not allowed");
  EXPECT_EQ(p->http_status(), 403);
  ASSERT_EQ(p->subproblems.size(), 1u);
  EXPECT_EQ(p->subproblems[0].type, ProblemType::kCaa);
  EXPECT_EQ(p->subproblems[0].identifier, (Identifier{"dns", "a.test"}));
}

TEST(ParseProblemDocument, RoundTripsEveryTypeTheServerWrites) {
  for (int i = 0; i <= static_cast<int>(ProblemType::kUserActionRequired); ++i) {
    Problem written = MakeProblem(static_cast<ProblemType>(i), "detail");
    std::optional<Problem> read = ParseProblemDocument(ProblemToJson(written));
    ASSERT_TRUE(read.has_value()) << ProblemTypeUrn(written.type);
    EXPECT_EQ(read->type, written.type);
    EXPECT_EQ(read->http_status(), written.http_status());
  }
}

TEST(ParseProblemDocument, RefusesWhatIsNotAnAcmeProblem) {
  EXPECT_FALSE(ParseProblemDocument(json()).has_value());
  EXPECT_FALSE(ParseProblemDocument(json::array()).has_value());
  EXPECT_FALSE(ParseProblemDocument(json{{"type", "about:blank"}}).has_value());
  EXPECT_FALSE(ParseProblemDocument(json{{"type", "urn:ietf:params:acme:error:noSuchThing"}}).has_value());
  EXPECT_FALSE(ParseProblemDocument(json{{"status", "valid"}}).has_value());
}

struct RetryAfterCase {
  std::string name;
  std::string header;
  std::optional<int> seconds;
};
class ParseRetryAfterTest : public ::testing::TestWithParam<RetryAfterCase> {};
TEST_P(ParseRetryAfterTest, ReadsDeltaSecondsOnly) {
  std::optional<std::chrono::seconds> got = ParseRetryAfter(GetParam().header);
  if (GetParam().seconds) {
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->count(), *GetParam().seconds);
  } else {
    EXPECT_FALSE(got.has_value());
  }
}
INSTANTIATE_TEST_SUITE_P(
    Cases, ParseRetryAfterTest,
    ::testing::Values(RetryAfterCase{"reads_seconds", "3", 3}, RetryAfterCase{"reads_zero", "0", 0},
                      RetryAfterCase{"trims_spaces", " 10 ", 10}, RetryAfterCase{"refuses_empty", "", std::nullopt},
                      RetryAfterCase{"refuses_negative", "-1", std::nullopt},
                      RetryAfterCase{"refuses_a_date", "Wed, 21 Oct 2015 07:28:00 GMT", std::nullopt},
                      RetryAfterCase{"refuses_trailing_text", "5s", std::nullopt}),
    [](const auto& info) { return info.param.name; });

TEST(Directory, ReadsTheResourcesAndMeta) {
  Directory d = Directory::FromJson(json::parse(R"({
    "newNonce": "http://h/acme/p/new-nonce", "newAccount": "http://h/acme/p/new-account",
    "newOrder": "http://h/acme/p/new-order", "revokeCert": "http://h/acme/p/revoke-cert",
    "keyChange": "http://h/acme/p/key-change",
    "meta": {"externalAccountRequired": true, "termsOfService": "http://h/tos"}})"));
  EXPECT_EQ(d.new_nonce, "http://h/acme/p/new-nonce");
  EXPECT_EQ(d.new_account, "http://h/acme/p/new-account");
  EXPECT_EQ(d.new_order, "http://h/acme/p/new-order");
  EXPECT_EQ(d.revoke_cert, "http://h/acme/p/revoke-cert");
  EXPECT_EQ(d.key_change, "http://h/acme/p/key-change");
  EXPECT_TRUE(d.external_account_required);
  EXPECT_EQ(d.terms_of_service, "http://h/tos");
  EXPECT_FALSE(Directory::FromJson(json{{"newNonce", "x"}}).external_account_required);
}

TEST(OrderView, ReadsStatusIdentifiersAuthorizationsAndError) {
  OrderView o = OrderView::FromJson(json::parse(R"({
    "status": "invalid", "identifiers": [{"type": "dns", "value": "a.test"}, {"type": "dns", "value": "b.test"}],
    "authorizations": ["http://h/authz/1/0", "http://h/authz/1/1"], "finalize": "http://h/order/1/finalize",
    "error": {"type": "urn:ietf:params:acme:error:badCSR", "detail": "names differ"}})"));
  EXPECT_EQ(o.status, "invalid");
  EXPECT_THAT(o.identifiers, ElementsAre("a.test", "b.test"));
  EXPECT_THAT(o.authorizations, ElementsAre("http://h/authz/1/0", "http://h/authz/1/1"));
  EXPECT_EQ(o.finalize, "http://h/order/1/finalize");
  EXPECT_EQ(o.certificate, "");
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->type, ProblemType::kBadCsr);
}

TEST(AuthorizationView, FindsChallengesByType) {
  AuthorizationView a = AuthorizationView::FromJson(json::parse(R"({
    "status": "pending", "identifier": {"type": "dns", "value": "a.test"},
    "challenges": [
      {"type": "http-01", "url": "http://h/chall/1/0/http-01", "token": "t1", "status": "pending"},
      {"type": "dns-01", "url": "http://h/chall/1/0/dns-01", "token": "t2", "status": "invalid",
       "error": {"type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "loopback"}}]})"));
  EXPECT_EQ(a.status, "pending");
  EXPECT_EQ(a.identifier_type, "dns");
  EXPECT_EQ(a.identifier_value, "a.test");
  ASSERT_NE(a.Find("dns-01"), nullptr);
  EXPECT_EQ(a.Find("dns-01")->token, "t2");
  ASSERT_TRUE(a.Find("dns-01")->error.has_value());
  EXPECT_EQ(a.Find("dns-01")->error->type, ProblemType::kRejectedIdentifier);
  EXPECT_FALSE(a.Find("http-01")->error.has_value());
  EXPECT_EQ(a.Find("tls-alpn-01"), nullptr);
}

TEST(Payloads, RevocationCarriesTheDerAndAnOptionalReason) {
  pki::Bytes der = {0x30, 0x03, 0x02, 0x01, 0xff};
  json with = RevocationPayload(der, 1);
  EXPECT_EQ(with["certificate"], Base64UrlEncode(std::string("\x30\x03\x02\x01\xff", 5)));
  EXPECT_EQ(with["reason"], 1);
  EXPECT_FALSE(RevocationPayload(der, std::nullopt).contains("reason"));
  EXPECT_EQ(FinalizePayload(der)["csr"], with["certificate"]);
}

TEST(ProtectedHeader, UsesKidWhenGivenAndTheJwkOtherwise) {
  pki::PrivateKey key = Key();
  json kid = ProtectedHeader(key, "http://h/acme/p/account/1", "n0nce", "http://h/acme/p/new-order");
  EXPECT_EQ(kid["kid"], "http://h/acme/p/account/1");
  EXPECT_FALSE(kid.contains("jwk"));
  EXPECT_EQ(kid["nonce"], "n0nce");
  EXPECT_EQ(kid["url"], "http://h/acme/p/new-order");
  json jwk = ProtectedHeader(key, "", "n0nce", "http://h/acme/p/new-account");
  EXPECT_FALSE(jwk.contains("kid"));
  EXPECT_EQ(jwk["jwk"], Jwk::FromPublicKey(key.public_key()).ToJson());
}

TEST(KeyChangeInnerJws, IsSignedByTheNewKeyAndNamesTheAccountAndOldKey) {
  pki::PrivateKey old_key = Key(), new_key = Key(pki::KeyAlgorithm::kEcdsaP384);
  json inner =
      KeyChangeInnerJws(new_key, "http://h/acme/p/key-change", "http://h/acme/p/account/1", old_key.public_key());
  // The inner JWS has no nonce (RFC 8555 section 7.3.5), which ParseJws requires of an
  // outer one; so check it by hand.
  json header = json::parse(*Base64UrlDecode(inner["protected"].get<std::string>()));
  EXPECT_EQ(header["alg"], "ES384");
  EXPECT_EQ(header["url"], "http://h/acme/p/key-change");
  EXPECT_FALSE(header.contains("nonce"));
  EXPECT_EQ(header["jwk"], Jwk::FromPublicKey(new_key.public_key()).ToJson());
  json payload = json::parse(*Base64UrlDecode(inner["payload"].get<std::string>()));
  EXPECT_EQ(payload["account"], "http://h/acme/p/account/1");
  EXPECT_EQ(payload["oldKey"], Jwk::FromPublicKey(old_key.public_key()).ToJson());

  // Its signature verifies with the new key, as the server checks it.
  JwsMessage message;
  message.header.alg = "ES384";
  message.signing_input = inner["protected"].get<std::string>() + "." + inner["payload"].get<std::string>();
  message.signature = *Base64UrlDecode(inner["signature"].get<std::string>());
  EXPECT_FALSE(VerifyJws(message, Jwk::FromPublicKey(new_key.public_key())).has_value());
  EXPECT_TRUE(VerifyJws(message, Jwk::FromPublicKey(Key(pki::KeyAlgorithm::kEcdsaP384).public_key())).has_value());
}

}  // namespace
}  // namespace certplane::acme::client

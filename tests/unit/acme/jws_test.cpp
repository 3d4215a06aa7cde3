#include "acme/jws.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_keys.h"

namespace certplane::acme {
namespace {

using ::certplane::acme::testing::AlgorithmTestName;
using ::certplane::acme::testing::B64;
using ::certplane::acme::testing::JwsBody;
using ::certplane::acme::testing::TestKey;
using ::certplane::acme::testing::Unb64;
using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr std::string_view kUrl = "https://acme.example/acme/new-order";
const std::string kNonce = B64("a nonce of sixteen bytes");

MATCHER_P2(IsProblem, type, detail, "") {
  if (!arg.has_value()) {
    *result_listener << "verifies";
    return false;
  }
  *result_listener << ProblemTypeName(arg->type) << ": " << arg->detail;
  return arg->type == type && arg->detail.find(detail) != std::string::npos;
}

json Header(std::optional<Jwk> jwk) {
  json h = {{"nonce", kNonce}, {"url", std::string(kUrl)}};
  if (jwk.has_value()) {
    h["jwk"] = jwk->ToJson();
  } else {
    h["kid"] = "https://acme.example/acme/acct/1";
  }
  return h;
}

Jwk JwkOf(pki::KeyAlgorithm algorithm) { return Jwk::FromPublicKey(TestKey(algorithm).public_key()); }

JwsMessage Compact(std::string_view protected_b64, std::string_view payload_b64, std::string_view signature_b64) {
  JwsMessage m;
  m.header.alg = json::parse(Unb64(protected_b64))["alg"];
  m.signing_input = std::string(protected_b64) + "." + std::string(payload_b64);
  m.signature = Unb64(signature_b64);
  return m;
}

// ---- RFC test vectors ----

TEST(VerifyJws, AcceptsTheRfc7515A3Es256Example) {
  Jwk key = *Jwk::FromJson(testing::Rfc7515A3Jwk());
  JwsMessage m = Compact("eyJhbGciOiJFUzI1NiJ9", testing::kRfc7515Payload, testing::kRfc7515A3Signature);
  EXPECT_EQ(VerifyJws(m, key), std::nullopt);
}

TEST(VerifyJws, AcceptsTheRfc7515A2Rs256Example) {
  Jwk key = *Jwk::FromJson({{"kty", "RSA"}, {"n", std::string(testing::kRfc7515A2N)}, {"e", "AQAB"}});
  JwsMessage m = Compact("eyJhbGciOiJSUzI1NiJ9", testing::kRfc7515Payload, testing::kRfc7515A2Signature);
  EXPECT_EQ(VerifyJws(m, key), std::nullopt);
}

TEST(VerifyJws, AcceptsTheRfc8037A4EdDsaExample) {
  Jwk key = *Jwk::FromJson({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", std::string(testing::kRfc8037X)}});
  JwsMessage m = Compact("eyJhbGciOiJFZERTQSJ9", B64("Example of Ed25519 signing"), testing::kRfc8037Signature);
  EXPECT_EQ(VerifyJws(m, key), std::nullopt);
}

TEST(VerifyJws, RefusesTheRfc7515A3ExampleWithOneCharacterOfThePayloadChanged) {
  Jwk key = *Jwk::FromJson(testing::Rfc7515A3Jwk());
  std::string payload(testing::kRfc7515Payload);
  payload[5] = payload[5] == 'A' ? 'B' : 'A';
  JwsMessage m = Compact("eyJhbGciOiJFUzI1NiJ9", payload, testing::kRfc7515A3Signature);
  EXPECT_THAT(VerifyJws(m, key), IsProblem(ProblemType::kMalformed, "JWS signature does not verify"));
}

TEST(VerifyJws, RefusesTheRfc7515A2ExampleUnderAnotherRsaKey) {
  Jwk other = *Jwk::FromJson(testing::Rfc7638Jwk());
  JwsMessage m = Compact("eyJhbGciOiJSUzI1NiJ9", testing::kRfc7515Payload, testing::kRfc7515A2Signature);
  EXPECT_THAT(VerifyJws(m, other), IsProblem(ProblemType::kMalformed, "JWS signature does not verify"));
}

// ---- sign and verify, every algorithm ----

class JwsAlgorithmTest : public ::testing::TestWithParam<pki::KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, JwsAlgorithmTest,
                         ::testing::Values(pki::KeyAlgorithm::kRsa2048, pki::KeyAlgorithm::kEcdsaP256,
                                           pki::KeyAlgorithm::kEcdsaP384, pki::KeyAlgorithm::kEd25519),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(JwsAlgorithmTest, SignedWithAnEmbeddedJwkParsesAndVerifies) {
  Jwk jwk = JwkOf(GetParam());
  std::string body = SignJws(TestKey(GetParam()), Header(jwk), R"({"termsOfServiceAgreed":true})");
  ProblemOr<JwsMessage> m = ParseJws(body);
  ASSERT_TRUE(m.ok()) << m.problem().detail;
  EXPECT_EQ(m->header.alg, JwsAlgorithmFor(GetParam()));
  EXPECT_EQ(m->header.nonce, kNonce);
  EXPECT_EQ(m->header.url, kUrl);
  EXPECT_EQ(m->header.kid, std::nullopt);
  ASSERT_TRUE(m->header.jwk.has_value());
  EXPECT_TRUE(*m->header.jwk == jwk);
  EXPECT_EQ(m->payload, R"({"termsOfServiceAgreed":true})");
  EXPECT_FALSE(m->post_as_get);
  json outer = json::parse(body);
  EXPECT_EQ(m->signing_input, outer["protected"].get<std::string>() + "." + outer["payload"].get<std::string>());
  EXPECT_EQ(VerifyJws(*m, *m->header.jwk), std::nullopt);
}

TEST_P(JwsAlgorithmTest, SignedWithAKidParsesAndVerifiesWithTheAccountKey) {
  std::string body = SignJws(TestKey(GetParam()), Header(std::nullopt), "{}");
  ProblemOr<JwsMessage> m = ParseJws(body);
  ASSERT_TRUE(m.ok()) << m.problem().detail;
  EXPECT_EQ(m->header.kid, "https://acme.example/acme/acct/1");
  EXPECT_FALSE(m->header.jwk.has_value());
  EXPECT_EQ(VerifyJws(*m, JwkOf(GetParam())), std::nullopt);
}

TEST_P(JwsAlgorithmTest, AnEmptyPayloadIsAPostAsGet) {
  ProblemOr<JwsMessage> m = ParseJws(SignJws(TestKey(GetParam()), Header(std::nullopt), ""));
  ASSERT_TRUE(m.ok()) << m.problem().detail;
  EXPECT_TRUE(m->post_as_get);
  EXPECT_EQ(m->payload, "");
  EXPECT_EQ(VerifyJws(*m, JwkOf(GetParam())), std::nullopt);
}

TEST_P(JwsAlgorithmTest, AChangedPayloadDoesNotVerify) {
  json outer = json::parse(SignJws(TestKey(GetParam()), Header(std::nullopt), R"({"a":1})"));
  outer["payload"] = B64(R"({"a":2})");
  ProblemOr<JwsMessage> m = ParseJws(outer.dump());
  ASSERT_TRUE(m.ok()) << m.problem().detail;
  EXPECT_THAT(VerifyJws(*m, JwkOf(GetParam())), IsProblem(ProblemType::kMalformed, "JWS signature does not verify"));
}

TEST_P(JwsAlgorithmTest, AChangedProtectedHeaderDoesNotVerify) {
  json outer = json::parse(SignJws(TestKey(GetParam()), Header(std::nullopt), "{}"));
  json header = json::parse(Unb64(outer["protected"].get<std::string>()));
  header["url"] = "https://acme.example/acme/revoke-cert";
  outer["protected"] = B64(header.dump());
  ProblemOr<JwsMessage> m = ParseJws(outer.dump());
  ASSERT_TRUE(m.ok()) << m.problem().detail;
  EXPECT_THAT(VerifyJws(*m, JwkOf(GetParam())), IsProblem(ProblemType::kMalformed, "JWS signature does not verify"));
}

TEST_P(JwsAlgorithmTest, AChangedSignatureDoesNotVerify) {
  json outer = json::parse(SignJws(TestKey(GetParam()), Header(std::nullopt), "{}"));
  std::string signature = Unb64(outer["signature"].get<std::string>());
  signature[signature.size() / 2] ^= 0x01;
  outer["signature"] = B64(signature);
  ProblemOr<JwsMessage> m = ParseJws(outer.dump());
  ASSERT_TRUE(m.ok()) << m.problem().detail;
  EXPECT_THAT(VerifyJws(*m, JwkOf(GetParam())), IsProblem(ProblemType::kMalformed, "JWS signature does not verify"));
}

TEST_P(JwsAlgorithmTest, AnotherKeyOfTheSameAlgorithmDoesNotVerify) {
  ProblemOr<JwsMessage> m = ParseJws(SignJws(TestKey(GetParam()), Header(std::nullopt), "{}"));
  ASSERT_TRUE(m.ok());
  Jwk other = Jwk::FromPublicKey(testing::OtherTestKey(GetParam()).public_key());
  EXPECT_THAT(VerifyJws(*m, other), IsProblem(ProblemType::kMalformed, "JWS signature does not verify"));
}

// ---- alg and key must fit ----

struct Mismatch {
  std::string name;
  pki::KeyAlgorithm signer;
  pki::KeyAlgorithm verifier;
};

class AlgorithmKeyMismatch : public ::testing::TestWithParam<Mismatch> {};

TEST_P(AlgorithmKeyMismatch, IsABadSignatureAlgorithm) {
  ProblemOr<JwsMessage> m = ParseJws(SignJws(TestKey(GetParam().signer), Header(std::nullopt), "{}"));
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(VerifyJws(*m, JwkOf(GetParam().verifier)),
              IsProblem(ProblemType::kBadSignatureAlgorithm,
                        "JWS alg \"" + std::string(JwsAlgorithmFor(GetParam().signer)) + "\" does not fit the"));
}

INSTANTIATE_TEST_SUITE_P(
    Pairs, AlgorithmKeyMismatch,
    ::testing::Values(Mismatch{"ES256_with_a_P384_key", pki::KeyAlgorithm::kEcdsaP256, pki::KeyAlgorithm::kEcdsaP384},
                      Mismatch{"ES384_with_a_P256_key", pki::KeyAlgorithm::kEcdsaP384, pki::KeyAlgorithm::kEcdsaP256},
                      Mismatch{"RS256_with_an_Ed25519_key", pki::KeyAlgorithm::kRsa2048, pki::KeyAlgorithm::kEd25519},
                      Mismatch{"EdDSA_with_an_RSA_key", pki::KeyAlgorithm::kEd25519, pki::KeyAlgorithm::kRsa2048},
                      Mismatch{"ES256_with_an_RSA_key", pki::KeyAlgorithm::kEcdsaP256, pki::KeyAlgorithm::kRsa2048}),
    [](const auto& info) { return info.param.name; });

TEST(VerifyJws, RefusesAnEcdsaSignatureOfTheWrongLength) {
  ProblemOr<JwsMessage> m = ParseJws(SignJws(TestKey(pki::KeyAlgorithm::kEcdsaP256), Header(std::nullopt), "{}"));
  ASSERT_TRUE(m.ok());
  JwsMessage longer = *m;
  longer.signature += '\0';
  EXPECT_THAT(VerifyJws(longer, JwkOf(pki::KeyAlgorithm::kEcdsaP256)),
              IsProblem(ProblemType::kMalformed, "JWS signature: ES256 wants 64 bytes (r||s), got 65"));
  JwsMessage shorter = *m;
  shorter.signature.pop_back();
  EXPECT_THAT(VerifyJws(shorter, JwkOf(pki::KeyAlgorithm::kEcdsaP256)),
              IsProblem(ProblemType::kMalformed, "wants 64 bytes (r||s), got 63"));
}

TEST(VerifyJws, RefusesADerEncodedEcdsaSignature) {
  // What an OpenSSL-based client that forgot the JWS conversion would send.
  ProblemOr<JwsMessage> m = ParseJws(SignJws(TestKey(pki::KeyAlgorithm::kEcdsaP384), Header(std::nullopt), "{}"));
  ASSERT_TRUE(m.ok());
  JwsMessage der = *m;
  der.signature = std::string("\x30\x66\x02\x31\x00", 5) + m->signature.substr(0, 48) + std::string("\x02\x31\x00", 3) +
                  m->signature.substr(48);
  EXPECT_THAT(VerifyJws(der, JwkOf(pki::KeyAlgorithm::kEcdsaP384)),
              IsProblem(ProblemType::kMalformed, "ES384 wants 96 bytes (r||s), got 104"));
}

TEST(SignJws, KeepsTheCallersHeaderMembersAndAddsAlg) {
  std::string body = SignJws(TestKey(pki::KeyAlgorithm::kEd25519), {{"nonce", "abc"}, {"url", "u"}, {"kid", "k"}}, "x");
  json outer = json::parse(body);
  EXPECT_EQ(outer.size(), 3u);
  json header = json::parse(Unb64(outer["protected"].get<std::string>()));
  EXPECT_EQ(header, json({{"alg", "EdDSA"}, {"nonce", "abc"}, {"url", "u"}, {"kid", "k"}}));
  EXPECT_EQ(outer["payload"], "eA");
}

// ---- ParseJws refusals ----

struct RefusedBody {
  std::string name;
  std::string body;
  ProblemType type;
  std::string detail;
};

class ParseJwsRefuses : public ::testing::TestWithParam<RefusedBody> {};

TEST_P(ParseJwsRefuses, WithTheProblemAndADetailNamingTheField) {
  ProblemOr<JwsMessage> m = ParseJws(GetParam().body);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(ProblemTypeName(m.problem().type), ProblemTypeName(GetParam().type));
  EXPECT_THAT(m.problem().detail, HasSubstr(GetParam().detail));
}

json KidHeader() { return {{"alg", "ES256"}, {"nonce", kNonce}, {"url", std::string(kUrl)}, {"kid", "acct/1"}}; }
json Set(json j, const std::string& name, json value) {
  j[name] = std::move(value);
  return j;
}
json Erase(json j, const std::string& name) {
  j.erase(name);
  return j;
}
const std::string kSig = B64(std::string(64, 's'));
std::string Good(const json& header) { return JwsBody(header, B64("{}"), kSig); }
std::string Outer(json outer) { return outer.dump(); }
json GoodOuter() { return json::parse(Good(KidHeader())); }
std::string Deep(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseJwsRefuses,
    ::testing::Values(
        RefusedBody{"a_body_over_64_KiB", Outer(Set(GoodOuter(), "payload", B64(std::string(65 * 1024, 'x')))),
                    ProblemType::kMalformed, "the limit is 65536"},
        RefusedBody{"the_compact_serialization", "eyJhbGciOiJFUzI1NiJ9.e30." + kSig, ProblemType::kMalformed,
                    "is not valid JSON"},
        RefusedBody{"an_empty_body", "", ProblemType::kMalformed, "is not valid JSON"},
        RefusedBody{"a_JSON_array", "[" + Good(KidHeader()) + "]", ProblemType::kMalformed, "is not a JSON object"},
        RefusedBody{"an_unprotected_header", Outer(Set(GoodOuter(), "header", {{"kid", "x"}})), ProblemType::kMalformed,
                    "unprotected \"header\" is not allowed"},
        RefusedBody{
            "the_general_serialization",
            Outer({{"payload", B64("{}")}, {"signatures", json::array({{{"protected", "e30"}, {"signature", kSig}}})}}),
            ProblemType::kMalformed, "general serialization (\"signatures\")"},
        RefusedBody{"an_unknown_member", Outer(Set(GoodOuter(), "extra", 1)), ProblemType::kMalformed,
                    "unexpected member \"extra\""},
        RefusedBody{"a_duplicate_member", R"({"protected":"e30","protected":"e30","payload":"","signature":"AA"})",
                    ProblemType::kMalformed, "has the member \"protected\" twice"},
        RefusedBody{"no_protected", Outer(Erase(GoodOuter(), "protected")), ProblemType::kMalformed,
                    "JWS: protected is missing"},
        RefusedBody{"no_payload", Outer(Erase(GoodOuter(), "payload")), ProblemType::kMalformed,
                    "JWS: payload is missing"},
        RefusedBody{"no_signature", Outer(Erase(GoodOuter(), "signature")), ProblemType::kMalformed,
                    "JWS: signature is missing"},
        RefusedBody{"a_protected_object", Outer(Set(GoodOuter(), "protected", KidHeader())), ProblemType::kMalformed,
                    "JWS: protected is not a string"},
        RefusedBody{"a_padded_protected", Outer(Set(GoodOuter(), "protected", B64(KidHeader().dump()) + "=")),
                    ProblemType::kMalformed, "JWS: protected is not base64url"},
        RefusedBody{"a_protected_that_is_not_JSON", Outer(Set(GoodOuter(), "protected", B64("{not json"))),
                    ProblemType::kMalformed, "protected header is not valid JSON"},
        RefusedBody{"a_protected_header_array", Outer(Set(GoodOuter(), "protected", B64("[1]"))),
                    ProblemType::kMalformed, "protected header is not a JSON object"},
        RefusedBody{"a_duplicate_alg_in_the_header",
                    Outer(Set(GoodOuter(), "protected",
                              B64(R"({"alg":"ES256","alg":"none","nonce":"AA","url":"u","kid":"k"})"))),
                    ProblemType::kMalformed, "protected header has the member \"alg\" twice"},
        RefusedBody{"a_deeply_nested_header",
                    Outer(Set(GoodOuter(), "protected", B64(R"({"alg":"ES256","x":)" + Deep(40) + "}"))),
                    ProblemType::kMalformed, "nests deeper than 32 levels"},
        RefusedBody{"alg_none", Good(Set(KidHeader(), "alg", "none")), ProblemType::kBadSignatureAlgorithm,
                    "alg \"none\" is not accepted (accepted: RS256, ES256, ES384, EdDSA)"},
        RefusedBody{"alg_HS256", Good(Set(KidHeader(), "alg", "HS256")), ProblemType::kBadSignatureAlgorithm,
                    "alg \"HS256\" is not accepted (accepted: RS256, ES256, ES384, EdDSA)"},
        RefusedBody{"alg_ES512", Good(Set(KidHeader(), "alg", "ES512")), ProblemType::kBadSignatureAlgorithm,
                    "alg \"ES512\" is not accepted"},
        RefusedBody{"alg_PS256", Good(Set(KidHeader(), "alg", "PS256")), ProblemType::kBadSignatureAlgorithm,
                    "alg \"PS256\" is not accepted"},
        RefusedBody{"no_alg", Good(Erase(KidHeader(), "alg")), ProblemType::kBadSignatureAlgorithm, "alg is missing"},
        RefusedBody{"no_nonce", Good(Erase(KidHeader(), "nonce")), ProblemType::kMalformed,
                    "protected header: nonce is missing"},
        RefusedBody{"an_empty_nonce", Good(Set(KidHeader(), "nonce", "")), ProblemType::kMalformed,
                    "protected header: nonce is empty"},
        RefusedBody{"a_numeric_nonce", Good(Set(KidHeader(), "nonce", 7)), ProblemType::kMalformed,
                    "protected header: nonce is not a string"},
        RefusedBody{"a_nonce_that_is_not_base64url", Good(Set(KidHeader(), "nonce", "abc+/==")),
                    ProblemType::kMalformed, "protected header: nonce is not base64url"},
        RefusedBody{"no_url", Good(Erase(KidHeader(), "url")), ProblemType::kMalformed,
                    "protected header: url is missing"},
        RefusedBody{"both_kid_and_jwk",
                    Good(Set(KidHeader(), "jwk",
                             Jwk::FromPublicKey(TestKey(pki::KeyAlgorithm::kEcdsaP256).public_key()).ToJson())),
                    ProblemType::kMalformed, "both jwk and kid are present"},
        RefusedBody{"neither_kid_nor_jwk", Good(Erase(KidHeader(), "kid")), ProblemType::kMalformed,
                    "one of jwk and kid is required"},
        RefusedBody{"an_empty_kid", Good(Set(KidHeader(), "kid", "")), ProblemType::kMalformed,
                    "protected header: kid is empty"},
        RefusedBody{"a_jwk_with_a_private_key",
                    Good(Set(Erase(KidHeader(), "kid"), "jwk", Set(testing::Rfc7515A3Jwk(), "d", "AAAA"))),
                    ProblemType::kMalformed, "protected header: jwk: a JWK must not carry a private key"},
        RefusedBody{"a_jwk_of_an_unsupported_curve",
                    Good(Set(Erase(KidHeader(), "kid"), "jwk", Set(testing::Rfc7515A3Jwk(), "crv", "P-521"))),
                    ProblemType::kBadPublicKey, "protected header: jwk: EC curve \"P-521\" is not supported"},
        RefusedBody{"a_jwk_that_is_a_string", Good(Set(Erase(KidHeader(), "kid"), "jwk", "key")),
                    ProblemType::kMalformed, "protected header: jwk: not a JSON object"},
        RefusedBody{"crit", Good(Set(KidHeader(), "crit", json::array({"exp"}))), ProblemType::kMalformed,
                    "protected header: crit"},
        RefusedBody{"unencoded_payload_b64", Good(Set(KidHeader(), "b64", false)), ProblemType::kMalformed,
                    "protected header: b64"},
        RefusedBody{"a_payload_in_standard_base64", JwsBody(KidHeader(), "e30=", kSig), ProblemType::kMalformed,
                    "JWS: payload is not base64url"},
        RefusedBody{"a_signature_with_a_space", JwsBody(KidHeader(), "e30", "AAAA AAAA"), ProblemType::kMalformed,
                    "JWS: signature is not base64url"},
        RefusedBody{"an_empty_signature", JwsBody(KidHeader(), "e30", ""), ProblemType::kMalformed,
                    "JWS: signature is empty"},
        RefusedBody{"a_numeric_signature", Outer(Set(GoodOuter(), "signature", 5)), ProblemType::kMalformed,
                    "JWS: signature is not a string"}),
    [](const auto& info) { return info.param.name; });

TEST(ParseJws, AcceptsABodyOfExactly64KiB) {
  std::string body = Good(KidHeader());
  std::size_t filler = kMaxJwsBodyBytes - body.size();
  // Whitespace is allowed around JSON tokens; pad with it to exactly the limit.
  std::string padded = body.substr(0, body.size() - 1) + std::string(filler, ' ') + "}";
  ASSERT_EQ(padded.size(), kMaxJwsBodyBytes);
  EXPECT_TRUE(ParseJws(padded).ok());
}

TEST(ParseJws, AnInnerJwsWithoutANonceParsesWhenNoNonceIsRequired) {
  // keyChange (RFC 8555 section 7.3.5): the inner JWS has a jwk and a url but no nonce.
  json header = {{"url", "https://acme.example/acme/key-change"}, {"jwk", JwkOf(pki::KeyAlgorithm::kEd25519).ToJson()}};
  std::string body = SignJws(TestKey(pki::KeyAlgorithm::kEd25519), header, R"({"account":"a","oldKey":{}})");
  ProblemOr<JwsMessage> m = ParseJws(body, JwsParseOptions{.require_nonce = false});
  ASSERT_TRUE(m.ok()) << m.problem().detail;
  EXPECT_EQ(m->header.nonce, "");
  EXPECT_EQ(VerifyJws(*m, *m->header.jwk), std::nullopt);
  ProblemOr<JwsMessage> outer_rules = ParseJws(body);
  ASSERT_FALSE(outer_rules.ok());
  EXPECT_EQ(outer_rules.problem().detail, "protected header: nonce is missing");
}

TEST(ParseJws, AnInnerJwsWithANonceIsRefusedWhenNoNonceIsRequired) {
  std::string body = SignJws(TestKey(pki::KeyAlgorithm::kEd25519), Header(JwkOf(pki::KeyAlgorithm::kEd25519)), "{}");
  ProblemOr<JwsMessage> m = ParseJws(body, JwsParseOptions{.require_nonce = false});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.problem().type, ProblemType::kMalformed);
  EXPECT_THAT(m.problem().detail, HasSubstr("must not carry a nonce"));
}

TEST(ParseJsonObject, RefusesInvalidUtf8) {
  ProblemOr<json> j = ParseJsonObject("{\"a\":\"\xff\"}", "payload");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.problem().detail, "payload is not valid JSON");
}

TEST(ParseJsonObject, RefusesADuplicateMemberInANestedObject) {
  ProblemOr<json> j = ParseJsonObject(R"({"a":{"b":1,"c":{"d":1,"d":2}},"e":[{"f":1},{"f":2}]})", "payload");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.problem().detail, "payload has the member \"d\" twice");
  // The same name in sibling objects is fine.
  EXPECT_TRUE(ParseJsonObject(R"({"e":[{"f":1},{"f":2}],"g":{"f":3}})", "payload").ok());
}

}  // namespace
}  // namespace certplane::acme

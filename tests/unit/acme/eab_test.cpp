#include "acme/eab.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "test_keys.h"

namespace certplane::acme {
namespace {

using ::certplane::acme::testing::B64;
using ::certplane::acme::testing::TestKey;
using ::certplane::acme::testing::Unb64;
using json = nlohmann::json;

constexpr std::string_view kUrl = "https://acme.example/acme/new-account";
constexpr std::string_view kKid = "eab-kid-1";
const std::string kMacKey = "0123456789abcdef0123456789abcdef";

MATCHER_P2(IsProblem, type, detail, "") {
  if (!arg.has_value()) {
    *result_listener << "verifies";
    return false;
  }
  *result_listener << ProblemTypeName(arg->type) << ": " << arg->detail;
  return arg->type == type && arg->detail.find(detail) != std::string::npos;
}

Jwk AccountKey() { return Jwk::FromPublicKey(TestKey(pki::KeyAlgorithm::kEcdsaP256).public_key()); }

std::string Hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

// A binding with any header and payload, MACed correctly with `md`.
json Binding(const json& header, std::string_view payload, const EVP_MD* md = EVP_sha256()) {
  std::string protected_b64 = B64(header.dump());
  std::string payload_b64 = B64(payload);
  return {{"protected", protected_b64},
          {"payload", payload_b64},
          {"signature", B64(Hmac(md, kMacKey, protected_b64 + "." + payload_b64))}};
}

json GoodHeader(std::string alg = "HS256") {
  return {{"alg", std::move(alg)}, {"kid", std::string(kKid)}, {"url", std::string(kUrl)}};
}

std::optional<Problem> Verify(const json& binding) {
  return VerifyExternalAccountBinding(binding, AccountKey(), kUrl, kKid, kMacKey);
}

TEST(ExternalAccountBinding, ASignedBindingVerifies) {
  json binding = SignExternalAccountBinding(AccountKey(), kUrl, kKid, kMacKey);
  EXPECT_EQ(Verify(binding), std::nullopt);
  json header = json::parse(Unb64(binding["protected"].get<std::string>()));
  EXPECT_EQ(header, json({{"alg", "HS256"}, {"kid", std::string(kKid)}, {"url", std::string(kUrl)}}));
  EXPECT_EQ(json::parse(Unb64(binding["payload"].get<std::string>())), AccountKey().ToJson());
  EXPECT_EQ(ExternalAccountBindingKid(binding).value(), kKid);
}

TEST(ExternalAccountBinding, Hs384AndHs512Verify) {
  EXPECT_EQ(Verify(Binding(GoodHeader("HS384"), AccountKey().canonical_json(), EVP_sha384())), std::nullopt);
  EXPECT_EQ(Verify(Binding(GoodHeader("HS512"), AccountKey().canonical_json(), EVP_sha512())), std::nullopt);
}

TEST(ExternalAccountBinding, APayloadJwkWithOptionalMembersVerifies) {
  json jwk = AccountKey().ToJson();
  jwk["use"] = "sig";
  EXPECT_EQ(Verify(Binding(GoodHeader(), jwk.dump())), std::nullopt);
}

TEST(ExternalAccountBinding, RefusesAnotherKid) {
  json binding = SignExternalAccountBinding(AccountKey(), kUrl, "eab-kid-2", kMacKey);
  EXPECT_THAT(Verify(binding), IsProblem(ProblemType::kUnauthorized, "kid \"eab-kid-2\" is not the expected key id"));
}

TEST(ExternalAccountBinding, RefusesAMacUnderAnotherKey) {
  json binding = SignExternalAccountBinding(AccountKey(), kUrl, kKid, "another key");
  EXPECT_THAT(Verify(binding), IsProblem(ProblemType::kUnauthorized, "the MAC does not verify"));
}

TEST(ExternalAccountBinding, RefusesATruncatedMac) {
  json binding = SignExternalAccountBinding(AccountKey(), kUrl, kKid, kMacKey);
  binding["signature"] = B64(Unb64(binding["signature"].get<std::string>()).substr(0, 16));
  EXPECT_THAT(Verify(binding), IsProblem(ProblemType::kUnauthorized, "the MAC does not verify"));
}

TEST(ExternalAccountBinding, RefusesAnotherUrl) {
  json binding = SignExternalAccountBinding(AccountKey(), "https://acme.example/acme/new-order", kKid, kMacKey);
  EXPECT_THAT(Verify(binding), IsProblem(ProblemType::kUnauthorized, "is not the newAccount URL"));
}

TEST(ExternalAccountBinding, RefusesABindingOfAnotherAccountKey) {
  Jwk other = Jwk::FromPublicKey(testing::OtherTestKey(pki::KeyAlgorithm::kEcdsaP256).public_key());
  json binding = SignExternalAccountBinding(other, kUrl, kKid, kMacKey);
  EXPECT_THAT(Verify(binding), IsProblem(ProblemType::kUnauthorized, "the bound key is not the account key"));
}

TEST(ExternalAccountBinding, RefusesAnEmptyMacKey) {
  json binding = SignExternalAccountBinding(AccountKey(), kUrl, kKid, "");
  EXPECT_THAT(VerifyExternalAccountBinding(binding, AccountKey(), kUrl, kKid, ""),
              IsProblem(ProblemType::kUnauthorized, "no MAC key is configured"));
}

struct RefusedBinding {
  std::string name;
  json binding;
  std::string detail;
};

class ExternalAccountBindingRefuses : public ::testing::TestWithParam<RefusedBinding> {};

TEST_P(ExternalAccountBindingRefuses, AsMalformed) {
  EXPECT_THAT(Verify(GetParam().binding), IsProblem(ProblemType::kMalformed, GetParam().detail));
  EXPECT_THAT(Verify(GetParam().binding), IsProblem(ProblemType::kMalformed, "externalAccountBinding: "));
}

json Set(json j, const std::string& name, json value) {
  j[name] = std::move(value);
  return j;
}
json Erase(json j, const std::string& name) {
  j.erase(name);
  return j;
}
std::string KeyText() { return AccountKey().canonical_json(); }

INSTANTIATE_TEST_SUITE_P(
    Structure, ExternalAccountBindingRefuses,
    ::testing::Values(
        RefusedBinding{"alg_none", Binding(GoodHeader("none"), KeyText()), "alg \"none\" is not a MAC algorithm"},
        RefusedBinding{"alg_ES256", Binding(GoodHeader("ES256"), KeyText()), "alg \"ES256\" is not a MAC algorithm"},
        RefusedBinding{"no_alg", Binding(Erase(GoodHeader(), "alg"), KeyText()), "protected header: alg is missing"},
        RefusedBinding{"a_nonce", Binding(Set(GoodHeader(), "nonce", "AAAA"), KeyText()), "a nonce is not allowed"},
        RefusedBinding{"no_kid", Binding(Erase(GoodHeader(), "kid"), KeyText()), "protected header: kid is missing"},
        RefusedBinding{"no_url", Binding(Erase(GoodHeader(), "url"), KeyText()), "protected header: url is missing"},
        RefusedBinding{"a_payload_that_is_not_a_key", Binding(GoodHeader(), R"({"kty":"oct","k":"AAAA"})"),
                       "payload: jwk: a JWK must not carry a private key"},
        RefusedBinding{"a_payload_that_is_not_JSON", Binding(GoodHeader(), "not json"), "payload is not valid JSON"},
        RefusedBinding{"a_string", json("binding"), "not a JWS object"},
        RefusedBinding{"an_unprotected_header", Set(Binding(GoodHeader(), KeyText()), "header", json::object()),
                       "unexpected member \"header\""},
        RefusedBinding{"no_signature", Erase(Binding(GoodHeader(), KeyText()), "signature"), "signature is missing"},
        RefusedBinding{"a_padded_signature", Set(Binding(GoodHeader(), KeyText()), "signature", "AAAA="),
                       "signature is not base64url"},
        RefusedBinding{"a_protected_header_that_is_not_JSON",
                       Set(Binding(GoodHeader(), KeyText()), "protected", B64("{")),
                       "protected header is not valid JSON"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace certplane::acme

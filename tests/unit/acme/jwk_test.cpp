#include "acme/jwk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_keys.h"

namespace certplane::acme {
namespace {

using ::certplane::acme::testing::AlgorithmTestName;
using ::certplane::acme::testing::B64;
using ::certplane::acme::testing::OtherTestKey;
using ::certplane::acme::testing::TestKey;
using ::testing::HasSubstr;
using json = nlohmann::json;

TEST(Jwk, ThumbprintOfTheRfc7638Section31KeyIsTheOneTheRfcGives) {
  ProblemOr<Jwk> jwk = Jwk::FromJson(testing::Rfc7638Jwk());
  ASSERT_TRUE(jwk.ok()) << jwk.problem().detail;
  EXPECT_EQ(jwk->Thumbprint(), testing::kRfc7638Thumbprint);
}

TEST(Jwk, ToJsonKeepsOnlyTheRequiredMembersInCanonicalOrder) {
  Jwk jwk = *Jwk::FromJson(testing::Rfc7638Jwk());
  EXPECT_EQ(jwk.ToJson().dump(), R"({"e":"AQAB","kty":"RSA","n":")" + std::string(testing::kRfc7638N) + R"("})");
  EXPECT_EQ(jwk.canonical_json(), jwk.ToJson().dump());
  Jwk ec = *Jwk::FromJson(testing::Rfc7515A3Jwk());
  EXPECT_EQ(ec.ToJson().dump(), R"({"crv":"P-256","kty":"EC","x":")" + std::string(testing::kRfc7515A3X) +
                                    R"(","y":")" + std::string(testing::kRfc7515A3Y) + R"("})");
}

TEST(Jwk, KeyAuthorizationIsTheTokenADotAndTheThumbprint) {
  Jwk jwk = *Jwk::FromJson(testing::Rfc7638Jwk());
  EXPECT_EQ(KeyAuthorization("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", jwk),
            "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA." + std::string(testing::kRfc7638Thumbprint));
}

TEST(Jwk, AcceptsTheRfc8037Ed25519Key) {
  ProblemOr<Jwk> jwk = Jwk::FromJson({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", std::string(testing::kRfc8037X)}});
  ASSERT_TRUE(jwk.ok()) << jwk.problem().detail;
  EXPECT_EQ(jwk->public_key().algorithm(), pki::KeyAlgorithm::kEd25519);
  // RFC 8037 appendix A.3 gives this thumbprint.
  EXPECT_EQ(jwk->Thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST(Jwk, IgnoresMemberOrderAndOptionalMembersWhenComparing) {
  json reordered = json::parse(R"({"y":")" + std::string(testing::kRfc7515A3Y) + R"(","use":"sig","x":")" +
                               std::string(testing::kRfc7515A3X) + R"(","kid":"k1","crv":"P-256","kty":"EC"})");
  Jwk a = *Jwk::FromJson(testing::Rfc7515A3Jwk());
  Jwk b = *Jwk::FromJson(reordered);
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a.Thumbprint(), b.Thumbprint());
  EXPECT_FALSE(a == *Jwk::FromJson(testing::Rfc7638Jwk()));
}

class JwkAlgorithmTest : public ::testing::TestWithParam<pki::KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, JwkAlgorithmTest, ::testing::ValuesIn(pki::kAllKeyAlgorithms),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(JwkAlgorithmTest, FromPublicKeyRoundTripsThroughJson) {
  pki::PublicKey key = TestKey(GetParam()).public_key();
  Jwk jwk = Jwk::FromPublicKey(key);
  ProblemOr<Jwk> again = Jwk::FromJson(jwk.ToJson());
  ASSERT_TRUE(again.ok()) << again.problem().detail;
  EXPECT_TRUE(*again == jwk);
  EXPECT_TRUE(again->public_key() == key);
  EXPECT_EQ(again->Thumbprint(), jwk.Thumbprint());
  EXPECT_EQ(jwk.Thumbprint().size(), 43u);
}

TEST_P(JwkAlgorithmTest, TwoKeysHaveDifferentThumbprints) {
  Jwk a = Jwk::FromPublicKey(TestKey(GetParam()).public_key());
  Jwk b = Jwk::FromPublicKey(OtherTestKey(GetParam()).public_key());
  EXPECT_FALSE(a == b);
  EXPECT_NE(a.Thumbprint(), b.Thumbprint());
}

TEST_P(JwkAlgorithmTest, HasTheMembersOfItsKeyType) {
  json j = Jwk::FromPublicKey(TestKey(GetParam()).public_key()).ToJson();
  if (pki::IsRsa(GetParam())) {
    EXPECT_EQ(j["kty"], "RSA");
    EXPECT_EQ(j["e"], "AQAB");
    EXPECT_EQ(j.size(), 3u);
  } else if (GetParam() == pki::KeyAlgorithm::kEd25519) {
    EXPECT_EQ(j["kty"], "OKP");
    EXPECT_EQ(j["crv"], "Ed25519");
    EXPECT_EQ(j["x"].get<std::string>().size(), 43u);
    EXPECT_EQ(j.size(), 3u);
  } else {
    bool p256 = GetParam() == pki::KeyAlgorithm::kEcdsaP256;
    EXPECT_EQ(j["kty"], "EC");
    EXPECT_EQ(j["crv"], p256 ? "P-256" : "P-384");
    EXPECT_EQ(j["x"].get<std::string>().size(), p256 ? 43u : 64u);
    EXPECT_EQ(j["y"].get<std::string>().size(), p256 ? 43u : 64u);
    EXPECT_EQ(j.size(), 4u);
  }
}

// An RSA modulus of `bits` bits (odd, top bit set); not a real key, which is enough
// for the checks that come before OpenSSL sees it.
std::string FakeModulus(int bits) {
  std::string n(static_cast<std::size_t>((bits + 7) / 8), '\x5a');
  int top_bits = bits % 8 == 0 ? 8 : bits % 8;
  n[0] = static_cast<char>(1 << (top_bits - 1));
  n.back() = '\x01';
  return B64(n);
}

json Rsa(std::string n, std::string e) { return {{"kty", "RSA"}, {"n", std::move(n)}, {"e", std::move(e)}}; }
json Ec(std::string crv, std::string x, std::string y) {
  return {{"kty", "EC"}, {"crv", std::move(crv)}, {"x", std::move(x)}, {"y", std::move(y)}};
}
json With(json j, const std::string& name, json value) {
  j[name] = std::move(value);
  return j;
}
json Without(json j, const std::string& name) {
  j.erase(name);
  return j;
}

struct RefusedJwk {
  std::string name;
  json jwk;
  ProblemType type;
  std::string detail;
};

class JwkRefuses : public ::testing::TestWithParam<RefusedJwk> {};

TEST_P(JwkRefuses, WithTheProblemAndADetailNamingTheMember) {
  ProblemOr<Jwk> jwk = Jwk::FromJson(GetParam().jwk);
  ASSERT_FALSE(jwk.ok());
  EXPECT_EQ(ProblemTypeName(jwk.problem().type), ProblemTypeName(GetParam().type));
  EXPECT_THAT(jwk.problem().detail, HasSubstr(GetParam().detail));
  EXPECT_THAT(jwk.problem().detail, ::testing::StartsWith("jwk: "));
}

const std::string kA3X(testing::kRfc7515A3X);
const std::string kA3Y(testing::kRfc7515A3Y);
const std::string kRfcN(testing::kRfc7638N);

INSTANTIATE_TEST_SUITE_P(
    Cases, JwkRefuses,
    ::testing::Values(
        RefusedJwk{"an_EC_key_with_its_private_scalar",
                   With(testing::Rfc7515A3Jwk(), "d", "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"),
                   ProblemType::kMalformed, "a JWK must not carry a private key"},
        RefusedJwk{"an_RSA_key_with_a_prime", With(testing::Rfc7638Jwk(), "p", "AQAB"), ProblemType::kMalformed,
                   "a JWK must not carry a private key (member \"p\")"},
        RefusedJwk{"a_symmetric_key", json{{"kty", "oct"}, {"k", "AQAB"}}, ProblemType::kMalformed,
                   "must not carry a private key"},
        RefusedJwk{"a_1024_bit_RSA_key", Rsa(FakeModulus(1024), "AQAB"), ProblemType::kBadPublicKey, "1024 bits"},
        RefusedJwk{"an_RSA_key_over_8192_bits", Rsa(FakeModulus(8200), "AQAB"), ProblemType::kBadPublicKey,
                   "8200 bits"},
        RefusedJwk{"an_RSA_key_of_an_unsupported_size", Rsa(FakeModulus(2056), "AQAB"), ProblemType::kBadPublicKey,
                   "2056 is not supported"},
        RefusedJwk{"an_even_RSA_exponent", Rsa(kRfcN, B64(std::string("\x01\x00\x00", 3))), ProblemType::kBadPublicKey,
                   "e is even"},
        RefusedJwk{"the_RSA_exponent_one", Rsa(kRfcN, B64("\x01")), ProblemType::kBadPublicKey, "e is below 3"},
        RefusedJwk{"a_modulus_with_a_leading_zero", Rsa(B64(std::string(1, '\0') + testing::Unb64(kRfcN)), "AQAB"),
                   ProblemType::kMalformed, "n has a leading zero octet"},
        RefusedJwk{"an_exponent_with_a_leading_zero", Rsa(kRfcN, B64(std::string("\0\x01\x00\x01", 4))),
                   ProblemType::kMalformed, "e has a leading zero octet"},
        RefusedJwk{"a_modulus_in_padded_base64", Rsa(kRfcN + "=", "AQAB"), ProblemType::kMalformed,
                   "n is not base64url"},
        RefusedJwk{"a_numeric_exponent", With(Rsa(kRfcN, ""), "e", 65537), ProblemType::kMalformed,
                   "e is not a string"},
        RefusedJwk{"an_RSA_key_without_n", Without(testing::Rfc7638Jwk(), "n"), ProblemType::kMalformed,
                   "n is missing"},
        RefusedJwk{"a_point_off_the_curve", Ec("P-256", kA3X, kA3Y.substr(0, 42) + "4"), ProblemType::kBadPublicKey,
                   "not on P-256"},
        RefusedJwk{"a_P256_point_given_as_P384", Ec("P-384", kA3X, kA3Y), ProblemType::kMalformed, "must be 48 bytes"},
        RefusedJwk{"an_x_one_byte_short", Ec("P-256", B64(testing::Unb64(kA3X).substr(1)), kA3Y),
                   ProblemType::kMalformed, "x of a P-256 key must be 32 bytes, not 31"},
        RefusedJwk{"an_EC_key_without_y", Without(testing::Rfc7515A3Jwk(), "y"), ProblemType::kMalformed,
                   "y is missing"},
        RefusedJwk{"the_curve_P521", Ec("P-521", kA3X, kA3Y), ProblemType::kBadPublicKey, "\"P-521\" is not supported"},
        RefusedJwk{"secp256k1", Ec("secp256k1", kA3X, kA3Y), ProblemType::kBadPublicKey,
                   "\"secp256k1\" is not supported"},
        RefusedJwk{"an_EC_key_without_crv", Without(testing::Rfc7515A3Jwk(), "crv"), ProblemType::kMalformed,
                   "crv is missing"},
        RefusedJwk{"Ed448", json{{"kty", "OKP"}, {"crv", "Ed448"}, {"x", kA3X}}, ProblemType::kBadPublicKey,
                   "\"Ed448\" is not supported"},
        RefusedJwk{"X25519", json{{"kty", "OKP"}, {"crv", "X25519"}, {"x", kA3X}}, ProblemType::kBadPublicKey,
                   "\"X25519\" is not supported"},
        RefusedJwk{"an_Ed25519_key_of_31_bytes",
                   json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", B64(std::string(31, 'a'))}}, ProblemType::kMalformed,
                   "must be 32 bytes, not 31"},
        RefusedJwk{"an_unknown_kty", json{{"kty", "DSA"}}, ProblemType::kBadPublicKey, "kty \"DSA\" is not supported"},
        RefusedJwk{"a_missing_kty", Without(testing::Rfc7515A3Jwk(), "kty"), ProblemType::kMalformed, "kty is missing"},
        RefusedJwk{"a_numeric_kty", With(testing::Rfc7515A3Jwk(), "kty", 1), ProblemType::kMalformed,
                   "kty is not a string"},
        RefusedJwk{"an_array", json::array({testing::Rfc7515A3Jwk()}), ProblemType::kMalformed, "not a JSON object"},
        RefusedJwk{"a_string", json("{}"), ProblemType::kMalformed, "not a JSON object"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace certplane::acme

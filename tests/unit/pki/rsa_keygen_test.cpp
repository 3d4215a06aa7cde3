// RSA key generation (internal/rsa_keygen.h): the Miller-Rabin test against known
// primes and composites, and generated keys against OpenSSL's own checks and the
// conditions FIPS 186-5 A.1.3 puts on p, q and d.
#include "pki/internal/rsa_keygen.h"

#include <openssl/core_names.h>

#include "fixtures.h"
#include "pki/key.h"

namespace certplane::pki {
namespace {

using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::Must;

BignumPtr FromDec(const char* text) {
  BIGNUM* bn = nullptr;
  EXPECT_GT(BN_dec2bn(&bn, text), 0) << text;
  return BignumPtr(bn);
}

// 2^k - c.
BignumPtr PowerOfTwoMinus(int k, unsigned long c) {
  BignumPtr bn(BN_new());
  EXPECT_EQ(BN_set_bit(bn.get(), k), 1);
  EXPECT_EQ(BN_sub_word(bn.get(), c), 1);
  return bn;
}

bool Passes(const BIGNUM* candidate, int rounds = 20) {
  BnCtxPtr ctx(BN_CTX_new());
  return Must(internal::PassesMillerRabin(candidate, rounds, ctx.get()));
}

TEST(MillerRabinRounds, FollowsFips186Dash5TableB1) {
  EXPECT_EQ(internal::MillerRabinRounds(1024), 5);  // RSA-2048, error probability 2^-112
  EXPECT_EQ(internal::MillerRabinRounds(1536), 4);  // RSA-3072, 2^-128
  EXPECT_EQ(internal::MillerRabinRounds(2048), 4);  // RSA-4096, 2^-144
  EXPECT_EQ(internal::MillerRabinRounds(512), 0);
}

TEST(PassesMillerRabin, AcceptsKnownPrimes) {
  EXPECT_TRUE(Passes(PowerOfTwoMinus(127, 1).get()));   // Mersenne prime M127
  EXPECT_TRUE(Passes(PowerOfTwoMinus(521, 1).get()));   // Mersenne prime M521
  EXPECT_TRUE(Passes(PowerOfTwoMinus(1279, 1).get()));  // Mersenne prime M1279
  EXPECT_TRUE(Passes(PowerOfTwoMinus(64, 59).get()));   // the largest 64-bit prime
  EXPECT_TRUE(Passes(FromDec("2147483647").get()));     // M31
}

TEST(PassesMillerRabin, RejectsCompositesIncludingPseudoprimes) {
  EXPECT_FALSE(Passes(FromDec("561").get()));                  // Carmichael number
  EXPECT_FALSE(Passes(FromDec("41041").get()));                // Carmichael number
  EXPECT_FALSE(Passes(FromDec("3215031751").get()));           // strong pseudoprime to bases 2, 3, 5 and 7
  EXPECT_FALSE(Passes(FromDec("3825123056546413051").get()));  // strong pseudoprime to the first nine prime bases
  EXPECT_FALSE(Passes(PowerOfTwoMinus(128, 1).get()));         // 2^128 - 1 = 3 * 5 * 17 * 257 * ...
  EXPECT_FALSE(Passes(PowerOfTwoMinus(1277, 1).get()));        // M1277 is composite
  // The product of two large primes: what an RSA modulus looks like.
  BignumPtr product(BN_new());
  BnCtxPtr ctx(BN_CTX_new());
  ASSERT_EQ(BN_mul(product.get(), PowerOfTwoMinus(521, 1).get(), PowerOfTwoMinus(607, 1).get(), ctx.get()), 1);
  EXPECT_FALSE(Passes(product.get()));
}

TEST(GenerateRsaKey, RefusesOtherSizes) {
  EXPECT_THAT(internal::GenerateRsaKey(1024),
              IsErrorWith(StatusCode::kInvalidArgument, "unsupported RSA key size 1024"));
  EXPECT_THAT(internal::GenerateRsaKey(2049),
              IsErrorWith(StatusCode::kInvalidArgument, "unsupported RSA key size 2049"));
}

BignumPtr Param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  return BignumPtr(bn);
}

class GeneratedRsaKey : public ::testing::TestWithParam<int> {};

INSTANTIATE_TEST_SUITE_P(Sizes, GeneratedRsaKey, ::testing::Values(2048, 3072, 4096),
                         [](const auto& info) { return "RSA_" + std::to_string(info.param); });

TEST_P(GeneratedRsaKey, PassesOpenSslsKeyChecks) {
  const int bits = GetParam();
  EvpPkeyPtr key = Must(internal::GenerateRsaKey(bits));
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), bits);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  ASSERT_NE(ctx, nullptr);
  // The full check: n = p * q, both prime (OpenSSL's own 64/128-round test), d and the
  // CRT values consistent with them.
  EXPECT_EQ(EVP_PKEY_check(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_pairwise_check(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_public_check(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_private_check(ctx.get()), 1);
  // And it is a certplane key of the right algorithm.
  PrivateKey wrapped = Must(PrivateKey::FromEvp(std::move(key)));
  EXPECT_EQ(KeyAlgorithmName(wrapped.algorithm()), "RSA-" + std::to_string(bits));
}

TEST_P(GeneratedRsaKey, MeetsTheConditionsOfFips186Dash5) {
  const int bits = GetParam();
  const int half = bits / 2;
  EvpPkeyPtr key = Must(internal::GenerateRsaKey(bits));
  BignumPtr n = Param(key.get(), OSSL_PKEY_PARAM_RSA_N), e = Param(key.get(), OSSL_PKEY_PARAM_RSA_E),
            d = Param(key.get(), OSSL_PKEY_PARAM_RSA_D), p = Param(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR1),
            q = Param(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR2), dp = Param(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1),
            dq = Param(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2),
            qinv = Param(key.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
  BnCtxPtr ctx(BN_CTX_new());
  BignumPtr t(BN_new()), u(BN_new()), p1(BN_new()), q1(BN_new()), bound(BN_new());
  EXPECT_TRUE(BN_is_word(e.get(), 65537));
  EXPECT_EQ(BN_num_bits(n.get()), bits);
  EXPECT_EQ(BN_num_bits(p.get()), half);
  EXPECT_EQ(BN_num_bits(q.get()), half);
  EXPECT_GT(BN_cmp(p.get(), q.get()), 0);
  // p, q >= sqrt(2) * 2^(half - 1): their squares have 2 * half bits.
  ASSERT_EQ(BN_sqr(t.get(), q.get(), ctx.get()), 1);
  EXPECT_EQ(BN_num_bits(t.get()), bits);
  // |p - q| > 2^(half - 100).
  ASSERT_EQ(BN_sub(t.get(), p.get(), q.get()), 1);
  ASSERT_EQ(BN_set_bit(bound.get(), half - 100), 1);
  EXPECT_GT(BN_cmp(t.get(), bound.get()), 0);
  // gcd(e, p - 1) = gcd(e, q - 1) = 1 (e is prime).
  ASSERT_EQ(BN_sub(p1.get(), p.get(), BN_value_one()), 1);
  ASSERT_EQ(BN_sub(q1.get(), q.get(), BN_value_one()), 1);
  EXPECT_NE(BN_mod_word(p1.get(), 65537), 0u);
  EXPECT_NE(BN_mod_word(q1.get(), 65537), 0u);
  // 2^half < d < lcm(p - 1, q - 1), and e * d = 1 mod lcm.
  BN_zero(bound.get());
  ASSERT_EQ(BN_set_bit(bound.get(), half), 1);
  EXPECT_GT(BN_cmp(d.get(), bound.get()), 0);
  BignumPtr g(BN_new()), lcm(BN_new());
  ASSERT_EQ(BN_gcd(g.get(), p1.get(), q1.get(), ctx.get()), 1);
  ASSERT_EQ(BN_mul(t.get(), p1.get(), q1.get(), ctx.get()), 1);
  ASSERT_EQ(BN_div(lcm.get(), nullptr, t.get(), g.get(), ctx.get()), 1);
  EXPECT_LT(BN_cmp(d.get(), lcm.get()), 0);
  ASSERT_EQ(BN_mod_mul(t.get(), e.get(), d.get(), lcm.get(), ctx.get()), 1);
  EXPECT_TRUE(BN_is_one(t.get()));
  // CRT: dP = d mod (p - 1), dQ = d mod (q - 1), qInv * q = 1 mod p.
  ASSERT_EQ(BN_mod(t.get(), d.get(), p1.get(), ctx.get()), 1);
  EXPECT_EQ(BN_cmp(t.get(), dp.get()), 0);
  ASSERT_EQ(BN_mod(t.get(), d.get(), q1.get(), ctx.get()), 1);
  EXPECT_EQ(BN_cmp(t.get(), dq.get()), 0);
  ASSERT_EQ(BN_mod_mul(u.get(), qinv.get(), q.get(), p.get(), ctx.get()), 1);
  EXPECT_TRUE(BN_is_one(u.get()));
}

TEST(GenerateRsaKey, DrawsADifferentKeyEachTime) {
  EvpPkeyPtr a = Must(internal::GenerateRsaKey(2048));
  EvpPkeyPtr b = Must(internal::GenerateRsaKey(2048));
  EXPECT_NE(EVP_PKEY_eq(a.get(), b.get()), 1);
  EXPECT_NE(
      BN_cmp(Param(a.get(), OSSL_PKEY_PARAM_RSA_FACTOR1).get(), Param(b.get(), OSSL_PKEY_PARAM_RSA_FACTOR1).get()), 0);
}

TEST(GeneratePrivateKey, UsesTheRsaGeneratorForEveryRsaSize) {
  for (KeyAlgorithm algorithm : {KeyAlgorithm::kRsa2048, KeyAlgorithm::kRsa3072}) {
    PrivateKey key = Must(GeneratePrivateKey(algorithm));
    EXPECT_EQ(key.algorithm(), algorithm);
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    EXPECT_EQ(EVP_PKEY_pairwise_check(ctx.get()), 1);
    // It writes and reads back as any key does.
    PrivateKey again = Must(ParsePrivateKeyPem(Must(key.ToPkcs8Pem()).view()));
    EXPECT_TRUE(again.public_key() == key.public_key());
    Must(key.ToPkcs1Pem());
  }
}

}  // namespace
}  // namespace certplane::pki

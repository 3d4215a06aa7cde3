#include "pki/internal/rsa_keygen.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/rand.h>

#include "pki/errors.h"

namespace certplane::pki::internal {
namespace {

constexpr unsigned long kPublicExponent = 65537;  // prime, so gcd(x, e) = 1 iff e does not divide x

// Trial division by the odd primes below this bound before Miller-Rabin. Each prime
// removes 1/p of the candidates; past a few hundred the division costs more than the
// Miller-Rabin rounds it saves (measured with BM_KeyGen).
constexpr unsigned kTrialDivisionBound = 1u << 11;

// Odd primes below kTrialDivisionBound, multiplied together in groups whose product
// fits in 32 bits, so that one BN_mod_word (which divides by half words without
// allocating when the divisor fits in 32 bits) tests several primes.
struct TrialDivisor {
  BN_ULONG product = 1;
  std::vector<unsigned> primes;
};

const std::vector<TrialDivisor>& TrialDivisors() {
  static const std::vector<TrialDivisor>* const divisors = [] {
    std::vector<bool> composite(kTrialDivisionBound, false);
    auto* out = new std::vector<TrialDivisor>();  // kept for the life of the process
    TrialDivisor group;
    for (unsigned n = 3; n < kTrialDivisionBound; n += 2) {
      if (composite[n]) continue;
      for (unsigned k = n * n; k < kTrialDivisionBound; k += 2 * n) composite[k] = true;
      if (group.product * n > 0xffffffffu) {
        out->push_back(group);
        group = TrialDivisor{};
      }
      group.product *= n;
      group.primes.push_back(n);
    }
    if (!group.primes.empty()) out->push_back(group);
    return out;
  }();
  return *divisors;
}

bool HasSmallFactor(const BIGNUM* candidate) {
  for (const TrialDivisor& d : TrialDivisors()) {
    BN_ULONG r = BN_mod_word(candidate, d.product);
    if (r == static_cast<BN_ULONG>(-1)) return true;  // cannot happen for a non-zero divisor; reject
    for (unsigned p : d.primes) {
      if (r % p == 0) return true;  // candidates are far larger than p, so p divides a composite
    }
  }
  return false;
}

Status Failed(std::string_view what) { return OpenSslError(StatusCode::kInternal, what); }

// Marks a private value: constant-time code paths in BN_div, BN_mod_inverse, BN_mod_exp.
BIGNUM* Secret(BIGNUM* bn) {
  if (bn != nullptr) BN_set_flags(bn, BN_FLG_CONSTTIME);
  return bn;
}

SecretBignumPtr NewSecret() { return SecretBignumPtr(Secret(BN_secure_new())); }

// One prime of `bits` bits for an RSA modulus (FIPS 186-5 A.1.3 step 4, or step 5 when
// `other` is the first prime: then |p - q| > 2^(bits - 100) too). Internal when
// OpenSSL fails or after 5 * bits draws without a prime (step 4.7).
Status GeneratePrime(int bits, const BIGNUM* other, BIGNUM* out, BN_CTX* ctx) {
  BN_CTX_start(ctx);
  BIGNUM* square = BN_CTX_get(ctx);
  BIGNUM* difference = BN_CTX_get(ctx);
  BIGNUM* min_difference = BN_CTX_get(ctx);
  if (min_difference == nullptr || BN_set_bit(min_difference, bits - 100) != 1) {  // BN_CTX_get's are zero
    BN_CTX_end(ctx);
    return Failed("allocating prime generation temporaries");
  }
  Secret(square);
  Secret(difference);
  const int rounds = MillerRabinRounds(bits);
  Status result = Internal("no probable prime of " + std::to_string(bits) + " bits in " + std::to_string(5 * bits) +
                           " random candidates (FIPS 186-5 A.1.3 step 4.7)");
  for (int draws = 0; draws < 5 * bits; ++draws) {
    // Steps 4.2-4.3: a random odd integer of `bits` bits from the private DRBG, with its
    // top two bits set (as OpenSSL and Go draw): then p >= 1.5 * 2^(bits - 1) meets step
    // 4.4 by construction. With only the top bit set, 41 % of the draws failed step 4.4
    // and still counted against step 4.7's 5 * bits, so about one RSA-3072 prime in
    // 5000 ran out of draws (a test run saw it); now about one in 2 million does.
    if (BN_priv_rand_ex(out, bits, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD, 0, ctx) != 1) {
      result = Failed("drawing a random prime candidate");
      break;
    }
    // Step 4.4: p >= sqrt(2) * 2^(bits - 1), i.e. p^2 >= 2^(2 * bits - 1), so that the
    // product of two such primes has exactly 2 * bits bits (kept as a guard: the draw
    // above already ensures it).
    if (BN_sqr(square, out, ctx) != 1) {
      result = Failed("squaring a prime candidate");
      break;
    }
    if (BN_num_bits(square) < 2 * bits) continue;
    // Step 5.5: q far enough from p.
    if (other != nullptr) {
      if (BN_sub(difference, out, other) != 1) {
        result = Failed("comparing the primes");
        break;
      }
      BN_set_negative(difference, 0);
      if (BN_cmp(difference, min_difference) <= 0) continue;
    }
    // Step 4.5: gcd(p - 1, e) = 1.
    if (BN_mod_word(out, kPublicExponent) == 1) continue;
    if (HasSmallFactor(out)) continue;
    // Step 4.5.1: a composite nearly always fails the first round, so the rounds after
    // it run (almost) only for the prime that is kept.
    Result<bool> prime = PassesMillerRabin(out, rounds, ctx);
    if (!prime.ok()) {
      result = prime.status();
      break;
    }
    if (*prime) {
      result = Status::Ok();
      break;
    }
  }
  BN_CTX_end(ctx);
  return result;
}

// Sign and verify once with the new key (the pairwise consistency test of SP 800-56B
// 6.4.1.1, as OpenSSL runs it in FIPS mode).
Status CheckPairwise(EVP_PKEY* key) {
  static constexpr unsigned char kDigest[32] = {'c', 'e', 'r', 't', 'p', 'l', 'a', 'n', 'e', ' ', 'p',
                                                'a', 'i', 'r', 'w', 'i', 's', 'e', ' ', 't', 'e', 's',
                                                't', ' ', 'S', 'H', 'A', '-', '2', '5', '6', '.'};
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  std::vector<unsigned char> signature(static_cast<size_t>(EVP_PKEY_get_size(key)));
  size_t len = signature.size();
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_sign(ctx.get(), signature.data(), &len, kDigest, sizeof(kDigest)) != 1) {
    return Failed("signing with the new RSA key");
  }
  if (EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_verify(ctx.get(), signature.data(), len, kDigest, sizeof(kDigest)) != 1) {
    return Failed("the new RSA key failed its pairwise consistency test");
  }
  return Status::Ok();
}

}  // namespace

int MillerRabinRounds(int prime_bits) {
  // FIPS 186-5 Appendix B.3, Table B.1 "Minimum number of rounds of M-R testing", for
  // p and q generated as random probable primes: the column whose error probability
  // matches the modulus's security strength, 2^-112 for 1024-bit primes (nlen 2048),
  // 2^-128 for 1536 bits (nlen 3072) and 2^-144 for 2048 bits (nlen 4096). (The
  // table's 2^-100 column allows 4, 3 and 2.) These bounds are for candidates drawn at
  // random, as GenerateRsaKey draws them, not for testing numbers an adversary chose.
  switch (prime_bits) {
    case 1024: return 5;
    case 1536:
    case 2048: return 4;
    default: return 0;
  }
}

Result<bool> PassesMillerRabin(const BIGNUM* w, int rounds, BN_CTX* ctx) {
  BnMontCtxPtr mont(BN_MONT_CTX_new());
  BN_CTX_start(ctx);
  BIGNUM* w1 = Secret(BN_CTX_get(ctx));  // w - 1
  BIGNUM* w3 = Secret(BN_CTX_get(ctx));  // w - 3: bases are 2 + [0, w - 3)
  BIGNUM* m = Secret(BN_CTX_get(ctx));
  BIGNUM* b = BN_CTX_get(ctx);
  BIGNUM* z = Secret(BN_CTX_get(ctx));
  auto fail = [&](std::string_view what) -> Result<bool> {
    BN_CTX_end(ctx);
    return Failed(what);
  };
  if (!mont || z == nullptr || BN_copy(w1, w) == nullptr || BN_sub_word(w1, 1) != 1 || BN_copy(w3, w) == nullptr ||
      BN_sub_word(w3, 3) != 1 || BN_MONT_CTX_set(mont.get(), w, ctx) != 1) {
    return fail("preparing a Miller-Rabin test");
  }
  // Steps 1-2: w - 1 = 2^a * m with m odd.
  int a = 0;
  while (!BN_is_bit_set(w1, a)) ++a;
  if (BN_rshift(m, w1, a) != 1) return fail("preparing a Miller-Rabin test");
  for (int round = 0; round < rounds; ++round) {
    // Steps 4.1-4.2: a random base b with 1 < b < w - 1.
    if (BN_priv_rand_range_ex(b, w3, 0, ctx) != 1 || BN_add_word(b, 2) != 1) {
      return fail("drawing a Miller-Rabin base");
    }
    // Step 4.3: z = b^m mod w, in constant time (w may become a private prime).
    if (BN_mod_exp_mont_consttime(z, b, m, w, ctx, mont.get()) != 1) return fail("a Miller-Rabin exponentiation");
    // Step 4.4.
    if (BN_is_one(z) || BN_cmp(z, w1) == 0) continue;
    // Steps 4.5-4.7.
    bool passed = false;
    for (int j = 1; j < a; ++j) {
      if (BN_mod_sqr(z, z, w, ctx) != 1) return fail("a Miller-Rabin squaring");
      if (BN_cmp(z, w1) == 0) {
        passed = true;
        break;
      }
      if (BN_is_one(z)) break;
    }
    if (!passed) {
      BN_CTX_end(ctx);
      return false;  // composite
    }
  }
  BN_CTX_end(ctx);
  return true;
}

Result<EvpPkeyPtr> GenerateRsaKey(int bits) {
  if (bits != 2048 && bits != 3072 && bits != 4096) {
    return InvalidArgument("unsupported RSA key size " + std::to_string(bits) + " (supported: 2048, 3072, 4096)");
  }
  ClearOpenSslErrors();
  const int prime_bits = bits / 2;
  BnCtxPtr ctx(BN_CTX_secure_new());
  SecretBignumPtr p = NewSecret(), q = NewSecret(), d = NewSecret(), dp = NewSecret(), dq = NewSecret(),
                  qinv = NewSecret(), p1 = NewSecret(), q1 = NewSecret(), lcm = NewSecret(), gcd = NewSecret(),
                  phi = NewSecret();
  BignumPtr n(BN_new()), e(BN_new()), min_d(BN_new());
  if (!ctx || !p || !q || !d || !dp || !dq || !qinv || !p1 || !q1 || !lcm || !gcd || !phi || !n || !e || !min_d ||
      BN_set_word(e.get(), kPublicExponent) != 1 || BN_set_bit(min_d.get(), prime_bits) != 1) {
    return Failed("allocating RSA key generation");
  }
  // FIPS 186-5 A.1.1: regenerate p and q in the (vanishingly rare) case that d is not
  // larger than 2^(nlen/2).
  for (;;) {
    CERTPLANE_RETURN_IF_ERROR(GeneratePrime(prime_bits, nullptr, p.get(), ctx.get()));
    CERTPLANE_RETURN_IF_ERROR(GeneratePrime(prime_bits, p.get(), q.get(), ctx.get()));
    if (BN_cmp(p.get(), q.get()) < 0) std::swap(p, q);  // p > q, the usual CRT order
    // d = e^-1 mod lcm(p - 1, q - 1), with lcm = (p - 1)(q - 1) / gcd(p - 1, q - 1).
    if (BN_sub(p1.get(), p.get(), BN_value_one()) != 1 || BN_sub(q1.get(), q.get(), BN_value_one()) != 1 ||
        BN_mul(phi.get(), p1.get(), q1.get(), ctx.get()) != 1 ||
        BN_gcd(gcd.get(), p1.get(), q1.get(), ctx.get()) != 1 ||
        BN_div(lcm.get(), nullptr, phi.get(), gcd.get(), ctx.get()) != 1 ||
        BN_mod_inverse(d.get(), e.get(), lcm.get(), ctx.get()) == nullptr) {
      return Failed("deriving the RSA private exponent");
    }
    if (BN_cmp(d.get(), min_d.get()) > 0) break;
  }
  if (BN_mul(n.get(), p.get(), q.get(), ctx.get()) != 1 || BN_num_bits(n.get()) != bits ||
      BN_mod(dp.get(), d.get(), p1.get(), ctx.get()) != 1 || BN_mod(dq.get(), d.get(), q1.get(), ctx.get()) != 1 ||
      BN_mod_inverse(qinv.get(), q.get(), p.get(), ctx.get()) == nullptr) {
    return Failed("deriving the RSA CRT parameters");
  }

  // The secure BIGNUMs put their values in the parameter block's secure part, which
  // OSSL_PARAM_free clears.
  OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv.get()) != 1) {
    return Failed("collecting the RSA key parameters");
  }
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
      EVP_PKEY_fromdata(pctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return Failed("building the RSA key from its parameters");
  }
  EvpPkeyPtr key(raw);  // owns the new key
  CERTPLANE_RETURN_IF_ERROR(CheckPairwise(key.get()));
  return key;
}

}  // namespace certplane::pki::internal

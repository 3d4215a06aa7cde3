// internal/rsa_keygen.h: RSA key generation with random probable primes, as FIPS 186-5
// Appendix A.1.3 describes it, built from OpenSSL's BIGNUM primitives. Not part of the
// public API; GeneratePrivateKey (key.h) calls it for RSA.
//
//   Result<EvpPkeyPtr> key = internal::GenerateRsaKey(2048);
//
// Why not EVP_PKEY_keygen: for 2048 bits and more with e = 65537, OpenSSL 3.0 follows
// FIPS 186-4 B.3.6 (primes with auxiliary primes) and, for every candidate, computes
// gcd(candidate - 1, e) with its constant-time binary GCD before any trial division
// (two thirds of the ~150-185 ms an RSA-2048 key takes here, in BN_consttime_swap and
// BN_gcd), then runs 64 Miller-Rabin rounds on the prime it finds (BN_check_prime's
// floor, which applies to BN_is_prime_ex's explicit count too). Here:
//
//   1. p: draw a random odd nlen/2-bit integer from the private DRBG, redraw it while
//      p < sqrt(2) * 2^(nlen/2 - 1) (checked exactly, as p^2 < 2^(nlen - 1)) or while
//      p = 1 mod e (gcd(p - 1, e) = 1 for the prime e = 65537), reject it on a small
//      factor (trial division by the odd primes below 2^11), then run Miller-Rabin:
//      a composite fails its first round; a candidate that passes gets the rounds
//      MillerRabinRounds() gives in all. At most 5 * nlen/2 draws (A.1.3 step 4.7).
//   2. q: the same, redrawn unless |p - q| > 2^(nlen/2 - 100) (step 5.5).
//   3. d = e^-1 mod lcm(p - 1, q - 1), regenerating p and q unless d > 2^(nlen/2);
//      dP, dQ and qInv for CRT (p > q).
//   4. The EVP_PKEY from those parameters (OSSL_PARAM_BLD, EVP_PKEY_fromdata), then a
//      pairwise consistency test (sign and verify once).
//
// Every private value lives in BIGNUMs allocated as secure and cleared when freed, with
// BN_FLG_CONSTTIME set; exponentiations with the candidate are constant time.
#pragma once

#include "base/result.h"
#include "pki/handles.h"

namespace certplane::pki::internal {

// A fresh RSA key pair of `bits` (2048, 3072 or 4096) with e = 65537. InvalidArgument
// for another size; Internal if OpenSSL fails (no entropy, allocation) or, with
// negligible probability, if no prime is found in the draws FIPS 186-5 allows.
Result<EvpPkeyPtr> GenerateRsaKey(int bits);

// The Miller-Rabin rounds a prime of `prime_bits` (1024, 1536 or 2048) gets: FIPS 186-5
// Table B.1. 0 for other sizes.
int MillerRabinRounds(int prime_bits);

// True if the candidate `w` (odd, > 3; the standard's name) passes `rounds` Miller-Rabin rounds with random
// bases (FIPS 186-5 B.3.1); false at the first round it fails. Internal if OpenSSL
// fails. For tests and GenerateRsaKey.
Result<bool> PassesMillerRabin(const BIGNUM* w, int rounds, BN_CTX* ctx);

}  // namespace certplane::pki::internal

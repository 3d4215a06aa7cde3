// Micro-benchmarks of the PKI engine: key generation, certificate signing and
// signature verification per key algorithm, and CRL building at 10k, 100k and 1M
// entries. hack/bench/pki/run.sh runs this next to `openssl speed` and prints ratios.
//
// What each measures:
//   BM_KeyGen/<alg>          GeneratePrivateKey
//   BM_RawKeyGen/<alg>       the bare EVP_PKEY_keygen calls, the reference for key
//                            generation (openssl speed 3.0 does not time keygen)
//   BM_Sign/<alg>            IssueCertificate: build and sign a leaf for a P-256 key
//                            with an issuer key of <alg> (one signature per iteration)
//   BM_Verify/<alg>          Certificate::VerifySignedBy on a leaf signed by <alg>
//                            (hash of the TBS + one signature verification)
//   BM_BuildCrl/<n>          BuildCrl with n entries, ECDSA P-256 issuer
//   BM_ParseCrl/<n>          ParseCrlDer of the same CRL
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "../bench_support.h"
#include "pki/crl.h"
#include "pki/issue.h"
#include "pki/key.h"

namespace certplane::pki {
namespace {

using bench::Must;

using namespace std::chrono_literals;

const TimePoint kNow = TimePoint(std::chrono::sys_days(std::chrono::year(2030) / 1 / 1));

KeyAlgorithm Algorithm(const benchmark::State& state) { return kAllKeyAlgorithms[static_cast<size_t>(state.range(0))]; }

const Issuer& CaFor(KeyAlgorithm algorithm) {
  static std::map<KeyAlgorithm, Issuer>* cache = new std::map<KeyAlgorithm, Issuer>();
  auto it = cache->find(algorithm);
  if (it != cache->end()) return it->second;
  PrivateKey key = Must(GeneratePrivateKey(algorithm));
  CertificateSpec spec;
  spec.subject.common_name = "Bench CA " + std::string(KeyAlgorithmName(algorithm));
  spec.is_ca = true;
  spec.key_usages = DefaultCaKeyUsages();
  spec.validity = 24h * 3650;
  Certificate cert = Must(SelfSignCertificate(spec, key, kNow - 24h));
  return cache->emplace(algorithm, Must(Issuer::Create(cert, key))).first->second;
}

CertificateSpec LeafSpec() {
  CertificateSpec spec;
  spec.subject.common_name = "frontend";
  spec.subject_alt_names.dns_names = {"frontend.shop.svc", "frontend.shop.svc.cluster.local"};
  spec.key_usages = {KeyUsage::kDigitalSignature};
  spec.extended_key_usages = {ExtendedKeyUsage::kServerAuth};
  spec.validity = 24h * 90;
  spec.crl_distribution_points = {"http://certplane.certplane.svc/crl/acme/0"};
  return spec;
}

void BM_KeyGen(benchmark::State& state) {
  KeyAlgorithm algorithm = Algorithm(state);
  state.SetLabel(std::string(KeyAlgorithmName(algorithm)));
  for (auto _ : state) benchmark::DoNotOptimize(Must(GeneratePrivateKey(algorithm)));
}

void BM_RawKeyGen(benchmark::State& state) {
  KeyAlgorithm algorithm = Algorithm(state);
  state.SetLabel(std::string(KeyAlgorithmName(algorithm)));
  for (auto _ : state) {
    const char* type = IsRsa(algorithm) ? "RSA" : algorithm == KeyAlgorithm::kEd25519 ? "ED25519" : "EC";
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY_keygen_init(ctx.get());
    if (algorithm == KeyAlgorithm::kRsa2048) EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048);
    if (algorithm == KeyAlgorithm::kRsa3072) EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 3072);
    if (algorithm == KeyAlgorithm::kRsa4096) EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 4096);
    if (algorithm == KeyAlgorithm::kEcdsaP256) EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256");
    if (algorithm == KeyAlgorithm::kEcdsaP384) EVP_PKEY_CTX_set_group_name(ctx.get(), "P-384");
    EVP_PKEY* raw = nullptr;
    EVP_PKEY_keygen(ctx.get(), &raw);
    EvpPkeyPtr key(raw);  // owns the generated key
    benchmark::DoNotOptimize(key.get());
  }
}

void BM_Sign(benchmark::State& state) {
  KeyAlgorithm algorithm = Algorithm(state);
  state.SetLabel(std::string(KeyAlgorithmName(algorithm)));
  const Issuer& ca = CaFor(algorithm);
  PublicKey subject = Must(GeneratePrivateKey(KeyAlgorithm::kEcdsaP256)).public_key();
  CertificateSpec spec = LeafSpec();
  for (auto _ : state) benchmark::DoNotOptimize(Must(IssueCertificate(spec, subject, ca, kNow)));
}

void BM_Verify(benchmark::State& state) {
  KeyAlgorithm algorithm = Algorithm(state);
  state.SetLabel(std::string(KeyAlgorithmName(algorithm)));
  const Issuer& ca = CaFor(algorithm);
  PublicKey subject = Must(GeneratePrivateKey(KeyAlgorithm::kEcdsaP256)).public_key();
  Certificate leaf = Must(IssueCertificate(LeafSpec(), subject, ca, kNow));
  for (auto _ : state) {
    Status s = leaf.VerifySignedBy(ca.certificate());
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}

CrlSpec CrlWith(int64_t entries) {
  CrlSpec spec;
  spec.number = 1;
  spec.this_update = kNow;
  spec.next_update = kNow + 24h;
  spec.revoked.reserve(static_cast<size_t>(entries));
  for (int64_t i = 0; i < entries; ++i) {
    spec.revoked.push_back({Must(SerialNumber::Random()), kNow - std::chrono::seconds(i % 86400),
                            i % 3 == 0 ? RevocationReason::kKeyCompromise : RevocationReason::kUnspecified});
  }
  return spec;
}

void BM_BuildCrl(benchmark::State& state) {
  const Issuer& ca = CaFor(KeyAlgorithm::kEcdsaP256);
  CrlSpec spec = CrlWith(state.range(0));
  size_t bytes = 0;
  for (auto _ : state) {
    Crl crl = Must(BuildCrl(spec, ca));
    bytes = crl.ToDer().size();
  }
  state.counters["entries"] = static_cast<double>(state.range(0));
  state.counters["der_bytes"] = static_cast<double>(bytes);
}

void BM_ParseCrl(benchmark::State& state) {
  Bytes der = Must(BuildCrl(CrlWith(state.range(0)), CaFor(KeyAlgorithm::kEcdsaP256))).ToDer();
  for (auto _ : state) benchmark::DoNotOptimize(Must(ParseCrlDer(der)));
  state.counters["entries"] = static_cast<double>(state.range(0));
}

// range(0) indexes kAllKeyAlgorithms.
void Algorithms(benchmark::internal::Benchmark* b) {
  for (size_t i = 0; i < kAllKeyAlgorithms.size(); ++i) b->Arg(static_cast<int64_t>(i));
}

BENCHMARK(BM_KeyGen)->Apply(Algorithms)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RawKeyGen)->Apply(Algorithms)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sign)->Apply(Algorithms)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Verify)->Apply(Algorithms)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BuildCrl)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseCrl)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace certplane::pki

BENCHMARK_MAIN();

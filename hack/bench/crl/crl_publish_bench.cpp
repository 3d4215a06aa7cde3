// Times what publishing a CRL costs the controller, apart from the API write: turning a
// CA's ledger into signed CRLs (DER and PEM) and ledger text with SignShardCrl, exactly
// as the publisher does, for N revoked serials (16 random bytes each, a reason each):
//   one CRL  every serial in a single CRL (what one shard of that size would cost)
//   sharded  the same serials over ceil(N / 2000) shards, the default shard size
// Prints one line per case: entries, shards, milliseconds, and bytes of the largest
// shard's ConfigMap payload (ledger + PEM + base64 DER).
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "../bench_support.h"
#include "kube/base64.h"
#include "pki/certificate.h"
#include "pki/issue.h"
#include "pki/issuer.h"
#include "pki/key.h"
#include "pki/usage.h"
#include "reconcile/crl_ledger.h"
#include "reconcile/crl_signing.h"

using namespace certplane;
using namespace std::chrono_literals;

namespace {

using bench::Must;

pki::Issuer MakeIssuer(pki::TimePoint now) {
  pki::PrivateKey key = Must(pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256));
  pki::CertificateSpec spec;
  spec.subject.common_name = "Bench CRL CA";
  spec.is_ca = true;
  spec.key_usages = pki::DefaultCaKeyUsages();
  spec.validity = 24h * 3650;
  return Must(pki::Issuer::Create(Must(pki::SelfSignCertificate(spec, key, now - 24h)), key));
}

std::vector<reconcile::Ledger> MakeLedgers(std::size_t entries, std::size_t shards, api::Time now) {
  std::mt19937_64 rng(42);
  std::vector<reconcile::Ledger> out(shards);
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < entries; ++i) {
    std::string serial(32, '0');
    for (auto& c : serial) c = hex[rng() % 16];
    serial[0] = hex[1 + rng() % 7];  // positive, no leading zero octet
    out[i % shards].Put({serial, now - std::chrono::seconds(rng() % 86400), api::RevocationReason::kKeyCompromise,
                         now + std::chrono::hours(24 * 90)});
  }
  return out;
}

void Run(const pki::Issuer& issuer, std::size_t entries, std::size_t shard_size) {
  const auto now = std::chrono::system_clock::now();
  const std::size_t shards = shard_size == 0 ? 1 : (entries + shard_size - 1) / shard_size;
  auto ledgers = MakeLedgers(entries, shards, api::ToTime(now));
  std::size_t largest = 0;
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t number = 1;
  for (const auto& ledger : ledgers) {
    auto crl = Must(reconcile::SignShardCrl(
        {.ledger = ledger,
         .number = number++,
         .now = now,
         .validity = 24h,
         .distribution_point_urls = shards > 1 ? std::vector<std::string>{"http://certplane.svc/crl/bench/0.crl"}
                                               : std::vector<std::string>{}},
        issuer));
    largest = std::max(largest, crl.pem.size() + crl.ledger_text.size() + kube::Base64Encode(crl.der).size());
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-8s %9zu entries %5zu shards %10.1f ms %8.0f entries/s  largest ConfigMap payload %9zu bytes\n",
              shards == 1 ? "one CRL" : "sharded", entries, shards, ms, entries / (ms / 1000.0), largest);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const pki::Issuer issuer = MakeIssuer(std::chrono::system_clock::now());
  std::vector<std::size_t> sizes = quick ? std::vector<std::size_t>{10000} : std::vector<std::size_t>{100000, 1000000};
  for (std::size_t n : sizes) {
    Run(issuer, n, 0);
    Run(issuer, n, 2000);
  }
  return 0;
}

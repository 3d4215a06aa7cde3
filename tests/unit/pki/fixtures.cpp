#include "fixtures.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace certplane::pki::testing {
namespace {

// ctest runs every test in its own process, and RSA-4096 key generation takes seconds,
// so generated test keys are kept as PEM files in the build folder
// (CERTPLANE_PKI_TEST_KEY_DIR) and re-read by later processes. A missing or unreadable
// file is regenerated; files are written under a temporary name and renamed, so
// concurrent test processes never read half a key.
PrivateKey LoadOrGenerate(KeyAlgorithm algorithm, int slot) {
  namespace fs = std::filesystem;
  fs::path dir = CERTPLANE_PKI_TEST_KEY_DIR;
  fs::path file = dir / (std::string(KeyAlgorithmName(algorithm)) + "-" + std::to_string(slot) + ".pem");
  if (std::ifstream in(file); in) {
    std::stringstream text;
    text << in.rdbuf();
    if (Result<PrivateKey> key = ParsePrivateKeyPem(text.str()); key.ok() && key->algorithm() == algorithm) {
      return std::move(*key);
    }
  }
  PrivateKey key = Must(GeneratePrivateKey(algorithm));
  std::error_code ignored;
  fs::create_directories(dir, ignored);
  fs::path tmp = file;
  tmp += ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp);
    out << Must(key.ToPkcs8Pem()).view();
  }
  fs::rename(tmp, file, ignored);
  return key;
}

const PrivateKey& CachedKey(KeyAlgorithm algorithm, int slot) {
  static std::mutex mu;
  static std::map<std::pair<KeyAlgorithm, int>, PrivateKey>* keys =
      new std::map<std::pair<KeyAlgorithm, int>, PrivateKey>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = keys->find({algorithm, slot});
  if (it == keys->end()) it = keys->emplace(std::make_pair(algorithm, slot), LoadOrGenerate(algorithm, slot)).first;
  return it->second;
}

}  // namespace

const PrivateKey& TestKey(KeyAlgorithm algorithm) { return CachedKey(algorithm, 0); }
const PrivateKey& OtherTestKey(KeyAlgorithm algorithm) { return CachedKey(algorithm, 1); }

SpecBuilder CaSpec(std::string common_name) {
  SpecBuilder b;
  b.spec_.subject.common_name = std::move(common_name);
  b.spec_.subject.organizations = {"certplane tests"};
  b.spec_.is_ca = true;
  b.spec_.key_usages = DefaultCaKeyUsages();
  b.spec_.validity = std::chrono::hours(24 * 3650);
  return b;
}

SpecBuilder LeafSpec() {
  SpecBuilder b;
  b.spec_.subject.common_name = "leaf";
  b.spec_.subject_alt_names.dns_names = {"leaf.example"};
  b.spec_.key_usages = {KeyUsage::kDigitalSignature};
  b.spec_.extended_key_usages = {ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth};
  b.spec_.validity = std::chrono::hours(24 * 90);
  return b;
}

const TestHierarchy& Hierarchy(KeyAlgorithm algorithm) {
  static std::mutex mu;
  static std::map<KeyAlgorithm, TestHierarchy>* cache = new std::map<KeyAlgorithm, TestHierarchy>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache->find(algorithm);
  if (it != cache->end()) return it->second;
  TimePoint issued = kNow - std::chrono::hours(24);
  const PrivateKey& root_key = TestKey(algorithm);
  const PrivateKey& intermediate_key = OtherTestKey(algorithm);
  Certificate root_cert =
      Must(SelfSignCertificate(CaSpec("Test Root " + std::string(KeyAlgorithmName(algorithm))), root_key, issued));
  Issuer root = Must(Issuer::Create(root_cert, root_key));
  Certificate intermediate_cert =
      Must(IssueCertificate(CaSpec("Test Intermediate " + std::string(KeyAlgorithmName(algorithm)))
                                .WithPathLen(0)
                                .WithValidity(std::chrono::hours(24 * 1825))
                                .WithCrlDistributionPoints({"http://crl.example/root.crl"}),
                            intermediate_key.public_key(), root, issued));
  Issuer intermediate = Must(Issuer::Create(intermediate_cert, intermediate_key));
  ExpectParsesBackWithEveryCheck(root_cert);
  ExpectParsesBackWithEveryCheck(intermediate_cert);
  return cache->emplace(algorithm, TestHierarchy{root_cert, root, intermediate_cert, intermediate}).first->second;
}

Certificate IssueLeaf(const Issuer& issuer, KeyAlgorithm leaf_key, const CertificateSpec& spec) {
  Certificate cert = Must(IssueCertificate(spec, TestKey(leaf_key).public_key(), issuer, kNow));
  ExpectParsesBackWithEveryCheck(cert);
  return cert;
}

void ExpectParsesBackWithEveryCheck(const Certificate& issued) {
  Result<Certificate> parsed = ParseCertificateDer(issued.ToDer());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(*parsed == issued);
  EXPECT_EQ(X509_get_extension_flags(issued.get()) & EXFLAG_INVALID, 0u);
  EXPECT_EQ(X509_get_extension_flags(issued.get()), X509_get_extension_flags(parsed->get()));
  EXPECT_EQ(parsed->serial(), issued.serial());
  EXPECT_EQ(parsed->not_before(), issued.not_before());
  EXPECT_EQ(parsed->not_after(), issued.not_after());
}

std::string AlgorithmTestName(KeyAlgorithm algorithm) {
  std::string name(KeyAlgorithmName(algorithm));
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

}  // namespace certplane::pki::testing

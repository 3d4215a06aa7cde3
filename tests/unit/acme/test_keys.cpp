#include "test_keys.h"

#include <array>
#include <cctype>
#include <mutex>
#include <optional>

namespace certplane::acme::testing {
namespace {

const pki::PrivateKey& Cached(pki::KeyAlgorithm algorithm, int which) {
  static std::mutex mu;
  static std::array<std::array<std::optional<pki::PrivateKey>, 2>, pki::kAllKeyAlgorithms.size()> keys;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = keys[static_cast<std::size_t>(algorithm)][static_cast<std::size_t>(which)];
  if (!slot.has_value()) slot = pki::GeneratePrivateKey(algorithm).value();
  return *slot;
}

}  // namespace

const pki::PrivateKey& TestKey(pki::KeyAlgorithm algorithm) { return Cached(algorithm, 0); }
const pki::PrivateKey& OtherTestKey(pki::KeyAlgorithm algorithm) { return Cached(algorithm, 1); }

std::string AlgorithmTestName(pki::KeyAlgorithm algorithm) {
  std::string name;
  for (char c : pki::KeyAlgorithmName(algorithm)) {
    if (std::isalnum(static_cast<unsigned char>(c))) name += c;
  }
  return name;
}

std::string JwsBody(const nlohmann::json& header, std::string_view payload_b64, std::string_view signature_b64) {
  return nlohmann::json{{"protected", B64(header.dump())},
                        {"payload", std::string(payload_b64)},
                        {"signature", std::string(signature_b64)}}
      .dump();
}

}  // namespace certplane::acme::testing

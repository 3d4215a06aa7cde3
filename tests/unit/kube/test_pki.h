// Throwaway certificates for config tests, made with OpenSSL at test time.
#pragma once

#include <string>

namespace certplane::kube::testing {

struct TestKeyPair {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed EC P-256 certificate with the given common name, and its key.
TestKeyPair MakeSelfSigned(const std::string& common_name);

}  // namespace certplane::kube::testing

#include "acme/token.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <openssl/rand.h>

#include "acme/base64url.h"

namespace certplane::acme {

std::string NewToken() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    std::fprintf(stderr, "acme::NewToken: RAND_bytes failed\n");
    std::abort();
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace certplane::acme

// The libFuzzer entry point; CMake names the body with CERTPLANE_FUZZ_BODY.
#include <cstddef>
#include <cstdint>

#include "parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  certplane::pki::ocsp_fuzz::CERTPLANE_FUZZ_BODY(certplane::pki::ByteView(data, size));
  return 0;
}

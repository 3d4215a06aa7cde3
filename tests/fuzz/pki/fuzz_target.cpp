// A libFuzzer entry point; CMake builds one binary per parser group, naming the
// function with CERTPLANE_FUZZ_BODY (e.g. FuzzCertificatePem).
#include <cstddef>
#include <cstdint>

#include "parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  certplane::pki::fuzz::CERTPLANE_FUZZ_BODY(certplane::pki::ByteView(data, size));
  return 0;
}

// A libFuzzer entry point; CMake builds one binary per parser, naming the function with
// CERTPLANE_FUZZ_BODY (e.g. FuzzTokenResponse).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  certplane::sync::azure::fuzz::CERTPLANE_FUZZ_BODY(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

// A libFuzzer entry point; CMake builds one binary per reader, naming the function with
// CERTPLANE_FUZZ_BODY (e.g. FuzzJsonError).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  certplane::sync::aws::fuzz::CERTPLANE_FUZZ_BODY(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

// main() for integration and e2e GoogleTest binaries: cleanup on interrupt, quiet
// logs unless CERTPLANE_TEST_LOG_LEVEL says otherwise (trace, debug, info, warn, error).
#include <cstdlib>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "test_namespaces.h"

int main(int argc, char** argv) {
  certplane::testing::InstallInterruptCleanup();
  ::testing::InitGoogleTest(&argc, argv);
  const char* level = std::getenv("CERTPLANE_TEST_LOG_LEVEL");
  spdlog::set_level(level != nullptr ? spdlog::level::from_str(level) : spdlog::level::info);
  return RUN_ALL_TESTS();
}

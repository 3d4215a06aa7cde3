// certplane-controller: parses its flags and hands over to Run (run.h).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "options.h"
#include "run.h"

int main(int argc, char** argv) {
  using certplane::controller::ParseOptions;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = ParseOptions(args, [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
  if (!options.ok()) {
    std::fprintf(stderr, "certplane-controller: %s\n", options.status().message().c_str());
    return 2;
  }
  if (options->show_help) {
    std::fputs(certplane::controller::Usage().c_str(), stdout);
    return 0;
  }
  if (options->show_version) {
    std::printf("certplane-controller %s\n", CERTPLANE_VERSION);
    return 0;
  }
  return certplane::controller::Run(*options);
}

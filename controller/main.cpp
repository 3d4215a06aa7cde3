// certplane-controller: parses its flags and hands over to Run (run.h).
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "options.h"
#include "run.h"

int main(int argc, char** argv) {
  // At most two glibc malloc arenas. By default glibc gives each thread that contends
  // for one an arena of its own, up to 8 per core, and cpprestsdk's pool, the HTTP
  // servers and the informers run over a hundred threads: each arena kept what its
  // thread once freed (JSON pages, TLS buffers) and the controller held about 25 MiB
  // more at 10,000 certificates. Two arenas cost no measurable CPU on two cores.
  // Before any thread starts; MALLOC_ARENA_MAX in the environment still overrides it.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
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

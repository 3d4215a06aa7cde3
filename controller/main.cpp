// certplane-controller: parses its flags and hands over to Run (run.h).
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>  // before boost asio, which uses std::exchange
#include <vector>

#include <pplx/threadpool.h>

#include "kube/system_roots.h"
#include "options.h"
#include "run.h"

namespace {

int Main(int argc, char** argv) {
  // At most two glibc malloc arenas. By default glibc gives each thread that contends
  // for one an arena of its own, up to 8 per core, and cpprestsdk's pool, the HTTP
  // servers and the informers run over a hundred threads: each arena kept what its
  // thread once freed (JSON pages, TLS buffers) and the controller held about 25 MiB
  // more at 10,000 certificates. Two arenas cost no measurable CPU on two cores.
  // Before any thread starts; MALLOC_ARENA_MAX in the environment still overrides it.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  // Blocks of 128 KiB and more (a page of a list, a large Secret) always get pages of
  // their own, given back when freed. glibc's default raises this threshold to the size
  // of the largest block freed so far, so after the first list page of 1.5 MB every
  // later one came from the heap, and the holes they left among the cached objects
  // stayed resident: 2-4 MiB at 10,000 certificates, more or less from run to run.
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  // Before the first thread (it sets two environment variables): the system's trusted
  // roots are parsed once for the process, not into every new TLS connection.
  certplane::kube::DetachSystemRootsFromDefaults();
  // Before the first thread, so that every thread inherits the mask (run.h).
  certplane::controller::BlockShutdownSignals();
  // cpprestsdk's pool only completes I/O (every handler and every blocking .get() runs
  // on threads of our own), so its default of 40 threads is 32 idle stacks and
  // per-thread malloc caches. Before anything uses the pool.
  crossplat::threadpool::initialize_with_threads(8);
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

}  // namespace

int main(int argc, char** argv) {
  // Failures are Status values all the way up; an exception reaching main is a bug or
  // an allocation failure. Name it and exit 1, as for any other fatal error.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "certplane-controller: unexpected error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "certplane-controller: unexpected error of an unknown type\n");
  }
  return 1;
}

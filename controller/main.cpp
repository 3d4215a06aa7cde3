// certplane-controller: the process that runs certplane's reconcilers.
//
// For now it only answers --version and --help: the reconcilers, flags and HTTP
// surfaces arrive with the operator issue. Kept buildable so that the build, the
// chart and the tests have a real target to point at from the start.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("certplane-controller %s\n", CERTPLANE_VERSION);
      return 0;
    }
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::printf("usage: certplane-controller [--version]\n");
      return 0;
    }
    std::fprintf(stderr, "certplane-controller: unknown flag %s\n", argv[i]);
    return 2;
  }
  std::fprintf(stderr, "certplane-controller: no reconcilers are built yet\n");
  return 1;
}

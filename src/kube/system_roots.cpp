#include "kube/system_roots.h"

#include <cstdlib>
#include <optional>
#include <string>

#include <openssl/err.h>
#include <openssl/x509.h>

namespace certplane::kube {

namespace {

struct RootPaths {
  std::string file;
  std::string dir;
};

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

// Where OpenSSL's default verify paths read now: the environment, else its built-ins.
RootPaths DefaultRootPaths() {
  return {EnvOr(X509_get_default_cert_file_env(), X509_get_default_cert_file()),
          EnvOr(X509_get_default_cert_dir_env(), X509_get_default_cert_dir())};
}

// Those places as they were before DetachSystemRootsFromDefaults emptied them; empty
// while it has not run.
std::optional<RootPaths>& Detached() {
  static std::optional<RootPaths> paths;
  return paths;
}

}  // namespace

void DetachSystemRootsFromDefaults() {
  if (Detached()) return;
  Detached() = DefaultRootPaths();
  // Empty, not unset: unset would bring back the built-in paths.
  setenv(X509_get_default_cert_file_env(), "", 1);
  setenv(X509_get_default_cert_dir_env(), "", 1);
}

X509_STORE* SharedSystemRoots() {
  static X509_STORE* const store = [] {
    X509_STORE* s = X509_STORE_new();
    if (s == nullptr) std::abort();  // out of memory at first use
    const RootPaths paths = Detached().value_or(DefaultRootPaths());
    // Either may be missing (a bundle without a hashed folder, or the reverse); the
    // hashed folder is read lazily, a certificate at a time, when a chain needs one.
    if (!paths.file.empty()) X509_STORE_load_file(s, paths.file.c_str());
    if (!paths.dir.empty()) X509_STORE_load_path(s, paths.dir.c_str());
    ERR_clear_error();
    return s;
  }();
  return store;
}

}  // namespace certplane::kube

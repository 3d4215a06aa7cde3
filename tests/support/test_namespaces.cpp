#include "test_namespaces.h"

#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigaction and sigwait, beyond <csignal>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

#include "kube_test.h"

namespace certplane::testing {
namespace {
std::mutex mu;
std::vector<std::string>& Live() {
  static std::vector<std::string> live;
  return live;
}
}  // namespace

void RegisterLiveNamespace(const std::string& ns) {
  std::lock_guard lock(mu);
  Live().push_back(ns);
}

void UnregisterLiveNamespace(const std::string& ns) {
  std::lock_guard lock(mu);
  auto& live = Live();
  live.erase(std::remove(live.begin(), live.end(), ns), live.end());
}

std::vector<std::string> LiveNamespaces() {
  std::lock_guard lock(mu);
  return Live();
}

void InstallInterruptCleanup() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    std::fprintf(stderr, "test interrupted by signal %d: deleting its namespaces\n", sig);
    for (const auto& ns : LiveNamespaces()) DeleteTestNamespace(ns);
    _exit(128 + sig);
  }).detach();
}

}  // namespace certplane::testing

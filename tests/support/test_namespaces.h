// The namespaces a test binary has created and not yet deleted, so a signal handler
// thread can delete them before the process exits.
#pragma once

#include <string>
#include <vector>

namespace certplane::testing {

void RegisterLiveNamespace(const std::string& ns);
void UnregisterLiveNamespace(const std::string& ns);
std::vector<std::string> LiveNamespaces();

// Blocks SIGINT, SIGTERM and SIGHUP in this thread (call first in main, so every
// later thread inherits it) and starts a thread that, on one of them, deletes the
// live namespaces and exits with 128 + signal.
void InstallInterruptCleanup();

}  // namespace certplane::testing

// One named spdlog logger per kube component ("kube.rest", "kube.watch",
// "kube.informer", "kube.workqueue", "kube.leader", "kube.events", "kube.config").
// Fields are written key=value. Never log tokens, keys or Secret data.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace certplane::kube {

// Returns the logger with this name, creating it (stderr, colour when a terminal) on
// first use. Thread-safe.
std::shared_ptr<spdlog::logger> Logger(const std::string& name);

}  // namespace certplane::kube

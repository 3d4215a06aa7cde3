#include "kube/logging.h"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace certplane::kube {

std::shared_ptr<spdlog::logger> Logger(const std::string& name) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto existing = spdlog::get(name)) return existing;
  return spdlog::stderr_color_mt(name);
}

}  // namespace certplane::kube

// The kube runtime's command-line flags, parsed one argument at a time so the
// controller's main() can offer them next to its own.
//
//   KubeFlags flags;
//   for (int i = 1; i < argc; ++i) {
//     Result<bool> used = ParseKubeFlag(argv[i], flags);
//     if (!used.ok()) { print used.status(); return 2; }
//     if (!*used) { ...the controller's own flags... }
//   }
//
//   --kubeconfig=PATH  --context=NAME
//   --kube-api-qps=20  --kube-api-burst=30
//   --leader-elect=true|false
//   --leader-elect-lease-duration=15s  --leader-elect-renew-deadline=10s
//   --leader-elect-retry-period=2s
// Durations take ms, s, m or h suffixes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "kube/clock.h"

namespace certplane::kube {

struct KubeFlags {
  std::string kubeconfig;
  std::optional<std::string> context;
  double qps = 20;
  int burst = 30;
  bool leader_elect = true;
  Duration lease_duration = std::chrono::seconds(15);
  Duration renew_deadline = std::chrono::seconds(10);
  Duration retry_period = std::chrono::seconds(2);
};

// True if `arg` was one of the flags above (and is now in `flags`), false if it is
// not ours; kInvalidArgument naming the flag if its value is malformed.
Result<bool> ParseKubeFlag(std::string_view arg, KubeFlags& flags);

// "1500ms", "15s", "2m", "1h" -> Duration.
Result<Duration> ParseDuration(std::string_view text);

// One line per flag, for --help.
std::string KubeFlagsHelp();

}  // namespace certplane::kube

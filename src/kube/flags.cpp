#include "kube/flags.h"

#include <charconv>
#include <cstdlib>

namespace certplane::kube {

Result<Duration> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) ++digits;
  if (digits == 0) return InvalidArgument("\"" + std::string(text) + "\" is not a duration (e.g. 15s)");
  std::string number(text.substr(0, digits));
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) return InvalidArgument("\"" + std::string(text) + "\" is not a duration");
  std::string_view unit = text.substr(digits);
  double seconds;
  if (unit == "ms") {
    seconds = value / 1000;
  } else if (unit == "s") {
    seconds = value;
  } else if (unit == "m") {
    seconds = value * 60;
  } else if (unit == "h") {
    seconds = value * 3600;
  } else {
    return InvalidArgument("\"" + std::string(text) + "\": the unit must be ms, s, m or h");
  }
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

Result<bool> ParseKubeFlag(std::string_view arg, KubeFlags& flags) {
  if (arg.rfind("--", 0) != 0) return false;
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) return false;
  std::string_view name = arg.substr(2, eq - 2);
  std::string_view value = arg.substr(eq + 1);
  auto bad = [&](const std::string& why) { return InvalidArgument("--" + std::string(name) + ": " + why); };
  auto duration = [&](Duration& out) -> Result<bool> {
    Result<Duration> d = ParseDuration(value);
    if (!d.ok()) return bad(d.status().message());
    if (*d <= Duration::zero()) return bad("must be positive");
    out = *d;
    return true;
  };
  if (name == "kubeconfig") {
    flags.kubeconfig = std::string(value);
    return true;
  }
  if (name == "context") {
    flags.context = std::string(value);
    return true;
  }
  if (name == "kube-api-qps") {
    std::string v(value);
    char* end = nullptr;
    double qps = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || qps < 0) return bad("must be a number >= 0");
    flags.qps = qps;
    return true;
  }
  if (name == "kube-api-burst") {
    int burst = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), burst);
    if (ec != std::errc() || ptr != value.data() + value.size() || burst < 1) return bad("must be an integer >= 1");
    flags.burst = burst;
    return true;
  }
  if (name == "leader-elect") {
    if (value != "true" && value != "false") return bad("must be true or false");
    flags.leader_elect = value == "true";
    return true;
  }
  if (name == "leader-elect-lease-duration") return duration(flags.lease_duration);
  if (name == "leader-elect-renew-deadline") return duration(flags.renew_deadline);
  if (name == "leader-elect-retry-period") return duration(flags.retry_period);
  return false;
}

std::string KubeFlagsHelp() {
  return "  --kubeconfig=PATH                  kubeconfig file (else $KUBECONFIG, in-cluster, ~/.kube/config)\n"
         "  --context=NAME                     kubeconfig context (default: current-context)\n"
         "  --kube-api-qps=20                  client-side requests per second to the API server\n"
         "  --kube-api-burst=30                client-side burst above the QPS\n"
         "  --leader-elect=true                run leader election on a Lease\n"
         "  --leader-elect-lease-duration=15s  how long a lease is valid without renewal\n"
         "  --leader-elect-renew-deadline=10s  how long the leader retries renewing before giving up\n"
         "  --leader-elect-retry-period=2s     time between attempts to acquire or renew\n";
}

}  // namespace certplane::kube

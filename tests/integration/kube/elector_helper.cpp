// A leader-election candidate in its own process, for the leader election tests:
//
//   kube_elector_helper NAMESPACE LEASE IDENTITY LEASE_DURATION RENEW_DEADLINE RETRY_PERIOD [--write]
//
// Uses $KUBECONFIG. Prints "leading IDENTITY" when it starts leading and
// "stopped IDENTITY" when it stops; SIGTERM or SIGINT stop it cleanly (releasing the
// Lease), SIGKILL does not.
//
// With --write, while leading it writes ConfigMap "writes-IDENTITY" (data.n counting
// up) every 100 ms through a client gated on the election's LeadershipFence, as the
// controller's writes are, and prints "refused IDENTITY" the first time the fence
// refuses a write.
#include <signal.h>

#include <cstdio>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "kube/config.h"
#include "kube/flags.h"
#include "kube/leader_election.h"
#include "kube/leadership_fence.h"
#include "kube/resource.h"
#include "kube/rest_client.h"

int main(int argc, char** argv) {
  using namespace certplane;
  const bool write = argc == 8 && std::string_view(argv[7]) == "--write";
  if (argc != 7 && !write) {
    std::fprintf(stderr, "usage: %s NAMESPACE LEASE IDENTITY LEASE_DURATION RENEW_DEADLINE RETRY_PERIOD [--write]\n",
                 argv[0]);
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  spdlog::set_level(spdlog::level::warn);

  auto config = kube::LoadClusterConfig();
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  auto client = kube::Client::Create(*config, {});
  kube::LeadershipFence fence;
  auto writer = kube::Client::Create(*config, {.write_gate = [&fence] { return fence.Check(); }});
  if (!client.ok() || !writer.ok()) {
    std::fprintf(stderr, "%s\n", (client.ok() ? writer.status() : client.status()).ToString().c_str());
    return 1;
  }
  kube::LeaderElectionConfig election;
  election.lease_namespace = argv[1];
  election.lease_name = argv[2];
  election.identity = argv[3];
  auto lease = kube::ParseDuration(argv[4]);
  auto renew = kube::ParseDuration(argv[5]);
  auto retry = kube::ParseDuration(argv[6]);
  if (!lease.ok() || !renew.ok() || !retry.ok()) {
    std::fprintf(stderr, "bad duration\n");
    return 2;
  }
  election.lease_duration = *lease;
  election.renew_deadline = *renew;
  election.retry_period = *retry;
  std::string identity = argv[3];
  if (write) election.fence = &fence;
  const std::string ns = argv[1];
  election.on_started_leading = [identity, write, ns, &writer](std::stop_token leading) {
    std::printf("leading %s\n", identity.c_str());
    std::fflush(stdout);
    bool refused = false;
    // Like a worker with an item in hand, it finishes the write it is about to make
    // even when told to stop (a drain): so a leader thawed after losing the lease always
    // tries once more, whichever of its threads runs first.
    for (int n = 0; write; ++n) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      nlohmann::json cm = {{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata", {{"name", "writes-" + identity}, {"namespace", ns}}},
                           {"data", {{"n", std::to_string(n)}}}};
      auto written = (*writer)->Apply(kube::kConfigMaps, ns, "writes-" + identity, cm, {.field_manager = "elector"});
      if (!written.ok() && written.status().code() == StatusCode::kFailedPrecondition && !refused) {
        refused = true;
        std::printf("refused %s\n", identity.c_str());
        std::fflush(stdout);
      }
      if (leading.stop_requested()) break;
    }
  };
  election.on_stopped_leading = [identity] {
    std::printf("stopped %s\n", identity.c_str());
    std::fflush(stdout);
  };
  std::stop_source stop;
  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    stop.request_stop();
  });
  signals.detach();
  kube::LeaderElector elector(*client, election);
  Status ended = elector.Run(stop.get_token());
  if (!ended.ok()) {
    std::fprintf(stderr, "%s\n", ended.ToString().c_str());
    return 1;
  }
  return 0;
}

// A leader-election candidate in its own process, for the leader election tests:
//
//   kube_elector_helper NAMESPACE LEASE IDENTITY LEASE_DURATION RENEW_DEADLINE RETRY_PERIOD
//
// Uses $KUBECONFIG. Prints "leading IDENTITY" when it starts leading and
// "stopped IDENTITY" when it stops; SIGTERM or SIGINT stop it cleanly (releasing the
// Lease), SIGKILL does not.
#include <signal.h>

#include <cstdio>
#include <stop_token>
#include <thread>

#include <spdlog/spdlog.h>

#include "kube/config.h"
#include "kube/flags.h"
#include "kube/leader_election.h"
#include "kube/rest_client.h"

int main(int argc, char** argv) {
  using namespace certplane;
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s NAMESPACE LEASE IDENTITY LEASE_DURATION RENEW_DEADLINE RETRY_PERIOD\n", argv[0]);
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
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.status().ToString().c_str());
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
  election.on_started_leading = [identity](std::stop_token) {
    std::printf("leading %s\n", identity.c_str());
    std::fflush(stdout);
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

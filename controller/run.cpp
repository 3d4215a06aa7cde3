#include "run.h"

#include <malloc.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigset_t and sigwait, which <csignal> need not declare
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "acme/server/acme_server.h"
#include "api/condition.h"
#include "api/well_known.h"
#include "http/health.h"
#include "http/http_server.h"
#include "http/routes/ocsp_routes.h"
#include "kube/access_review.h"
#include "kube/config.h"
#include "kube/event_recorder.h"
#include "kube/leader_election.h"
#include "kube/leadership_fence.h"
#include "kube/logging.h"
#include "kube/rest_client.h"
#include "logging_setup.h"
#include "metrics/metrics.h"
#include "reconcile/caches.h"
#include "reconcile/ocsp_responder.h"
#include "reconcile/operator.h"
#include "reconcile/operator_metrics.h"
#include "reconcile/serving_tls.h"
#include "route_sources.h"

namespace certplane::controller {
namespace {

std::string Identity() {
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr && *pod != '\0') return pod;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + "_" + std::to_string(::getpid());
}

// SIGTERM and SIGINT, and SIGUSR1: our own wake-up, to end the waiter when we stop first.
sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  return set;
}

// Waits for SIGTERM or SIGINT on a thread of its own (the signals are blocked in every
// other thread), then runs `on_signal`.
class SignalWaiter {
 public:
  explicit SignalWaiter(std::function<void()> on_signal) {
    set_ = ShutdownSignals();
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, f = std::move(on_signal)] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (sig != SIGUSR1) {
        kube::Logger("main")->info("received signal={}, shutting down", sig);
        f();
      }
    });
  }
  ~SignalWaiter() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

 private:
  sigset_t set_;
  std::thread thread_;
};

// Gives the heap's free pages back to the system every `period` until stopped. glibc
// returns freed memory from the middle of its heaps only when asked: after the caches'
// first list, or a burst of issuances, a few MiB stay resident otherwise. A trim walks
// the free lists of the two arenas (main.cpp): about a millisecond.
class HeapTrimmer {
 public:
  explicit HeapTrimmer(std::chrono::seconds period)
      : thread_([period](std::stop_token stop) {
          std::mutex mu;
          std::condition_variable_any cv;
          std::unique_lock lock(mu);
          while (!cv.wait_for(lock, stop, period, [] { return false; })) {
            if (stop.stop_requested()) break;
            malloc_trim(0);
          }
        }) {}

 private:
  std::jthread thread_;
};

}  // namespace

void BlockShutdownSignals() {
  const sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int Run(const ControllerOptions& options) {
  ConfigureLogging(options.log_format, options.log_level);
  auto log = kube::Logger("main");

  std::stop_source stop;
  std::atomic<int> exit_code{0};
  SignalWaiter signals([&stop] { stop.request_stop(); });

  auto config = kube::LoadClusterConfig({.kubeconfig = options.kubeconfig});
  if (!config.ok()) {
    log->error("loading the cluster configuration: {}", config.status().ToString());
    return 1;
  }
  metrics::MetricsRegistry registry;
  reconcile::OperatorMetrics metrics(registry);
  // With leader election, everything the controllers write passes this fence: a replica
  // that lost the lease, or was frozen past its renew deadline, writes nothing more.
  kube::LeadershipFence fence;
  std::function<Status()> write_gate;
  if (options.leader_elect) write_gate = [&fence] { return fence.Check(); };
  auto client = kube::Client::Create(
      *config, {.qps = options.kube_api_qps,
                .burst = options.kube_api_burst,
                .user_agent = "certplane-controller",
                .on_response = [&metrics](const std::string& method, int code) { metrics.ApiRequest(method, code); },
                .write_gate = write_gate});
  if (!client.ok()) {
    log->error("creating the API client: {}", client.status().ToString());
    return 1;
  }
  // The Lease's own client: ungated (it renews and releases) and with its own rate
  // limit, so renewals never queue behind a burst of reconciler writes.
  auto lease_client = kube::Client::Create(
      *config, {.qps = 5,
                .burst = 10,
                .timeout = std::max(std::chrono::seconds(1),
                                    std::chrono::duration_cast<std::chrono::seconds>(options.renew_deadline)),
                .user_agent = "certplane-controller/leader-election",
                .on_response = [&metrics](const std::string& method, int code) { metrics.ApiRequest(method, code); }});
  if (!lease_client.ok()) {
    log->error("creating the leader election's client: {}", lease_client.status().ToString());
    return 1;
  }
  reconcile::Caches caches(*client, {.controller_namespace = options.ns});
  // The bundle API's own client: its reviews and Secret reads have their own rate limit,
  // so a burst of downloads cannot starve the reconcilers (nor they it).
  auto bundle_client = kube::Client::Create(
      *config, {.qps = 20,
                .burst = 40,
                .timeout = std::chrono::seconds(10),
                .user_agent = "certplane-controller/bundle-api",
                .on_response = [&metrics](const std::string& method, int code) { metrics.ApiRequest(method, code); }});
  if (!bundle_client.ok()) {
    log->error("creating the bundle API's client: {}", bundle_client.status().ToString());
    return 1;
  }
  kube::ApiAccessReviewer api_reviewer(*bundle_client);
  kube::CachingAccessReviewer reviewer(api_reviewer, {.ttl = std::chrono::seconds(10), .max_entries = 4096});

  http::HealthChecks health;
  health.AddLiveness("ping", [] { return Status::Ok(); });
  health.AddReadiness("caches", [&caches] {
    return caches.HasSynced() ? Status::Ok() : Unavailable("the caches have not synced yet");
  });
  // A replica is put behind the Service only once it answers on every port the Service
  // names: without this, a new pod in a rollout would take HTTPS (ACME, bundles) before
  // its serving certificate has loaded, and refuse those connections.
  // The HTTPS port opens once the first serving certificate has loaded (HttpServer does
  // not start without one); start_https below sets these.
  std::mutex https_mu;
  bool https_started = false, https_stopped = false;  // guarded by https_mu
  if (!options.https_address.empty()) {
    health.AddReadiness("https", [&https_mu, &https_started] {
      std::lock_guard lock(https_mu);
      return https_started ? Status::Ok() : Unavailable("the HTTPS port waits for its serving certificate");
    });
  }
  http::Router health_router, metrics_router, public_router;
  health.Register(health_router);
  metrics_router.Get("/metrics", [&registry](const http::HttpRequest&) {
    return http::HttpResponse::Bytes(200, registry.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  // CA certificates and CRLs, from the caches: served by every replica, leader or not.
  http::RegisterPublicRoutes(public_router, PublicRouteSourcesOf(caches, *kube::SystemClock()));
  // OCSP, from the same caches, signed with the CAs' delegated responder keys: every
  // replica answers, and re-signs what its caches say changed.
  reconcile::OcspResponder ocsp_responder(
      reconcile::OcspSourcesOf(caches, *kube::SystemClock()),
      {.response_validity = std::chrono::ceil<std::chrono::seconds>(options.ocsp_response_validity)});
  http::RegisterOcspRoutes(public_router, ocsp_responder, *kube::SystemClock());
  auto ocsp_changed = [&ocsp_responder](const std::string& ca) {
    if (!ca.empty()) ocsp_responder.Invalidate(ca);
  };
  caches.crl_config_maps.AddEventHandler({[ocsp_changed](const auto& cm) { ocsp_changed(cm->ca_name); },
                                          [ocsp_changed](const auto&, const auto& cm) { ocsp_changed(cm->ca_name); },
                                          [ocsp_changed](const auto& cm) { ocsp_changed(cm->ca_name); }});
  caches.ocsp_signer_secrets.AddEventHandler({[ocsp_changed](const auto& s) { ocsp_changed(s->ca_name); },
                                              [ocsp_changed](const auto&, const auto& s) { ocsp_changed(s->ca_name); },
                                              [ocsp_changed](const auto& s) { ocsp_changed(s->ca_name); }});
  caches.issued_serials.AddEventHandler({[ocsp_changed](const auto& s) { ocsp_changed(s->ca_name); },
                                         [ocsp_changed](const auto&, const auto& s) { ocsp_changed(s->ca_name); },
                                         [ocsp_changed](const auto& s) { ocsp_changed(s->ca_name); }});
  ocsp_responder.Start();
  // The bundle API (certificates and their keys, for callers RBAC lets read the Secret).
  http::RegisterBundleRoutes(public_router, BundleRouteSourcesOf(caches, *bundle_client, reviewer, *kube::SystemClock(),
                                                                 options.bundle_api_plain_http));
  // ACME directories of the profiles that enroll over ACME, on every replica. Its own
  // client, like the bundle API's, so enrollment bursts and reconciling do not starve
  // each other.
  auto acme_client = kube::Client::Create(
      *config, {.qps = options.kube_api_qps,
                .burst = options.kube_api_burst,
                .timeout = std::chrono::seconds(10),
                .user_agent = "certplane-controller/acme",
                .on_response = [&metrics](const std::string& method, int code) { metrics.ApiRequest(method, code); }});
  if (!acme_client.ok()) {
    log->error("creating the ACME server's client: {}", acme_client.status().ToString());
    return 1;
  }
  acme::ValidatorOptions validator;
  validator.http01_port = options.acme_http01_port;
  validator.tls_alpn01_port = options.acme_tls_alpn01_port;
  if (!options.acme_dns_server.empty()) validator.dns_server = options.acme_dns_server;
  validator.timeout = options.acme_validation_timeout;
  acme::AcmeServer acme_server(*acme_client, caches, registry, kube::SystemClock(),
                               {.controller_namespace = options.ns,
                                .validator = validator,
                                .allow_plain_http = options.acme_plain_http,
                                .https_port = http::ListenPort(options.https_address)});
  acme_server.Register(public_router);
  acme_server.Start();
  // Probes and scrapes come one at a time: two workers each, not sixteen (every idle
  // thread costs its stack and malloc's per-thread cache).
  http::HttpServer health_server(options.health_address, health_router, {.workers = 2});
  http::HttpServer metrics_server(options.metrics_address, metrics_router, {.workers = 2});
  http::HttpServer public_server(options.http_address, public_router);
  // HTTPS: the same routes; what carries keys (ACME, the bundle API) answers only here.
  // Every replica serves it, with the serving Secret it watches.
  http::ServingIdentity serving_identity;
  std::optional<http::HttpServer> https_server;
  // A port that cannot be bound when the first serving certificate arrives stops the
  // controller with exit code 1, as it would have at start-up.
  auto start_https = [&] {
    std::lock_guard lock(https_mu);
    if (https_started || https_stopped) return;
    if (Status s = https_server->Start(); !s.ok()) {
      log->error("{}", s.ToString());
      exit_code = 1;
      stop.request_stop();
      https_stopped = true;
      return;
    }
    https_started = true;
    log->info("serving https={} serial={}", options.https_address, serving_identity.serial_hex());
  };
  // Declared after what its callback uses, so that it is destroyed (and its watch
  // stopped) first.
  std::optional<reconcile::ServingTls> serving_tls;
  if (!options.https_address.empty()) {
    https_server.emplace(options.https_address, public_router, http::HttpServerOptions{.tls = &serving_identity});
    serving_tls.emplace(
        *client, serving_identity,
        reconcile::ServingTlsOptions{
            .ns = options.ns,
            .secret_name = options.https_secret,
            .manage = options.https_manage_certificate,
            .spec = {.dns_names = options.https_dns_names,
                     .ip_addresses = options.https_ip_addresses,
                     .issuer_ca = options.https_issuer,
                     .duration = std::chrono::ceil<std::chrono::seconds>(options.https_certificate_duration),
                     .renew_before = std::chrono::ceil<std::chrono::seconds>(options.https_renew_before)},
            .ca_config_map = options.https_ca_config_map,
            .on_loaded = start_https});
  }
  for (http::HttpServer* server : {&health_server, &metrics_server, &public_server}) {
    if (Status s = server->Start(); !s.ok()) {
      log->error("{}", s.ToString());
      return 1;
    }
  }
  log->info("serving health={} metrics={} http={} https={} namespace={}", options.health_address,
            options.metrics_address, options.http_address,
            options.https_address.empty() ? "off" : options.https_address + " (once its certificate is loaded)",
            options.ns);
  if (serving_tls) serving_tls->Start();

  kube::EventRecorder events(*client,
                             {.reporting_controller = "certplane.io/controller", .reporting_instance = Identity()});
  reconcile::Operator op(
      {.client = *client, .caches = &caches, .events = &events, .metrics = &metrics},
      {.workers = options.workers,
       .public_base_url = options.public_base_url,
       .issuance_backoff = {.initial = std::chrono::ceil<std::chrono::seconds>(options.issuance_backoff_initial),
                            .max = std::chrono::ceil<std::chrono::seconds>(options.issuance_backoff_max)},
       .ocsp_signer_validity = std::chrono::ceil<std::chrono::seconds>(options.ocsp_signer_validity)});

  HeapTrimmer trimmer(std::chrono::seconds(10));
  caches.Start();
  while (!caches.WaitForSync(std::chrono::seconds(5))) {
    if (stop.stop_requested()) break;
    log->info("waiting for the caches to sync");
  }

  auto lead = [&](std::stop_token leading) {
    log->info("starting the controllers workers={}", options.workers);
    op.Start();
    if (serving_tls) serving_tls->StartLeading();
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    cv.wait(lock, leading, [] { return false; });
    log->info("stopping the controllers");
    if (serving_tls) serving_tls->StopLeading();
    op.Stop();
  };

  if (!stop.stop_requested()) {
    if (options.leader_elect) {
      kube::LeaderElectionConfig le;
      le.lease_namespace = options.ns;
      le.lease_name = options.leader_election_id;
      le.identity = Identity();
      le.lease_duration = options.lease_duration;
      le.renew_deadline = options.renew_deadline;
      le.retry_period = options.retry_period;
      le.on_started_leading = lead;
      le.on_new_leader = [&log](const std::string& holder) { log->info("leader is {}", holder); };
      le.fence = &fence;
      kube::LeaderElector elector(*lease_client, le);
      Status s = elector.Run(stop.get_token());
      if (!s.ok()) {
        log->error("leader election ended: {}", s.ToString());
        exit_code = 1;
      }
    } else {
      lead(stop.get_token());
    }
  }

  events.Flush(std::chrono::seconds(3));
  caches.Stop();
  if (serving_tls) serving_tls->Stop();
  if (https_server) {
    std::lock_guard lock(https_mu);
    https_stopped = true;
    https_server->Stop();
  }
  for (http::HttpServer* server : {&public_server, &metrics_server, &health_server}) server->Stop();
  acme_server.Stop();
  log->info("stopped exit_code={}", exit_code.load());
  return exit_code;
}

}  // namespace certplane::controller

// compare_client: the API client of hack/bench/compare/run.sh. It creates objects fast
// (many requests in flight, no client-side rate limit), watches Certificates until they
// are Ready with their Secret, and plays "the floor": the writes one issuance needs and
// nothing else. Every command prints one JSON object on stdout; run.sh collects them.
//
//   compare_client issue  --kind certplane|cert-manager --n 1000 [--algorithm ECDSA-P256|RSA-2048]
//       Watches Certificates and Secrets in --namespace, creates c0..c{n-1} with
//       --concurrency requests in flight, and waits until each is Ready (condition
//       Ready=True) and its Secret exists. Per certificate: from just before its create
//       was sent to the event that completed it.
//   compare_client wait   --kind K --n N --min-revision 2 --t0 EPOCH_SECONDS
//       The same wait, for status.revision >= --min-revision, timed from --t0 (the
//       renewal storm: run.sh starts the controller at t0).
//   compare_client patch  --kind K --n N --merge '{"spec":{...}}'
//       A JSON merge patch on c0..c{n-1}.
//   compare_client floor  --n N
//       Per object: create a certplane Certificate (as the user does), create its Secret
//       and write its status (PUT /status), as a controller's issuance must, with no
//       signing, no reads and no client-side limit: what the API server allows.
//   compare_client secrets --n N --size BYTES --namespace NS
//       N unrelated Opaque Secrets of BYTES of data each (the idle-cost scenario).
//
// Common flags: --namespace (default bench), --concurrency (default 16), --timeout
// seconds (default 3600), --duration of the certificates created (default 720h). The kubeconfig comes from $KUBECONFIG.
// Exit status 0 when everything completed, 1 otherwise (the JSON still says how far it got).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "kube/config.h"
#include "kube/resource.h"
#include "kube/rest_client.h"
#include "kube/watch.h"

namespace {

using namespace certplane;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

const kube::GroupVersionResource kCertplaneCertificates{"certplane.io", "v1alpha1", "certificates", true};
const kube::GroupVersionResource kCertManagerCertificates{"cert-manager.io", "v1", "certificates", true};

struct Flags {
  std::string command;
  std::string kind = "certplane";
  std::string ns = "bench";
  std::string algorithm = "ECDSA-P256";
  std::string merge;
  std::string duration = "720h";
  int n = 0;
  int concurrency = 16;
  int size = 10240;
  int64_t min_revision = 1;
  double t0 = 0;  // wall-clock epoch seconds; 0 = when the command starts
  int timeout_s = 3600;
};

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "compare_client: %s\n", why.c_str());
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv) {
  if (argc < 2) Fail("usage: compare_client issue|wait|patch|floor|secrets --n N [flags] (see the source's header)");
  Flags f;
  f.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      Fail(arg + " needs a value");
    }
    try {
      if (arg == "--kind") f.kind = value;
      else if (arg == "--namespace") f.ns = value;
      else if (arg == "--algorithm") f.algorithm = value;
      else if (arg == "--merge") f.merge = value;
      else if (arg == "--duration") f.duration = value;
      else if (arg == "--n") f.n = std::stoi(value);
      else if (arg == "--concurrency") f.concurrency = std::stoi(value);
      else if (arg == "--size") f.size = std::stoi(value);
      else if (arg == "--min-revision") f.min_revision = std::stoll(value);
      else if (arg == "--t0") f.t0 = std::stod(value);
      else if (arg == "--timeout") f.timeout_s = std::stoi(value);
      else Fail("unknown flag " + arg);
    } catch (const std::exception&) {
      Fail(arg + ": not a number: " + value);
    }
  }
  if (f.kind != "certplane" && f.kind != "cert-manager") Fail("--kind: certplane or cert-manager");
  if (f.algorithm != "ECDSA-P256" && f.algorithm != "RSA-2048") Fail("--algorithm: ECDSA-P256 or RSA-2048");
  if (f.n <= 0) Fail("--n must be positive");
  if (f.concurrency <= 0) Fail("--concurrency must be positive");
  return f;
}

double EpochNow() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::string Name(int i) { return "c" + std::to_string(i); }

json CertificateObject(const Flags& f, int i) {
  const std::string name = Name(i);
  const std::string dns = name + ".bench.svc";
  if (f.kind == "certplane") {
    return {{"apiVersion", "certplane.io/v1alpha1"},
            {"kind", "Certificate"},
            {"metadata", {{"name", name}, {"namespace", f.ns}}},
            {"spec",
             {{"profileRef", {{"name", "bench"}}},
              {"secretName", name + "-tls"},
              {"commonName", dns},
              {"dnsNames", {dns}},
              {"duration", f.duration},
              {"privateKey", {{"algorithm", f.algorithm}}}}}};
  }
  json key = f.algorithm == "RSA-2048" ? json{{"algorithm", "RSA"}, {"size", 2048}}
                                       : json{{"algorithm", "ECDSA"}, {"size", 256}};
  return {{"apiVersion", "cert-manager.io/v1"},
          {"kind", "Certificate"},
          {"metadata", {{"name", name}, {"namespace", f.ns}}},
          {"spec",
           {{"secretName", name + "-tls"},
            {"commonName", dns},
            {"dnsNames", {dns}},
            {"duration", f.duration},
            {"issuerRef", {{"name", "bench-ca"}, {"kind", "Issuer"}}},
            {"privateKey", key}}}};
}

// Runs body(i) for i in [0, count) on `threads` threads.
template <typename F>
void Parallel(int threads, int count, F&& body) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < std::min(threads, count); ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) body(i);
    });
  }
  for (auto& t : pool) t.join();
}

// Retries a write while the API server is overloaded or the connection failed; an
// AlreadyExists on create counts as done (a retried POST may have landed).
template <typename Call>
Status WithRetries(Call&& call) {
  Status last;
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto r = call();
    if (r.ok() || r.status().code() == StatusCode::kAlreadyExists) return Status::Ok();
    last = r.status();
    const auto code = last.code();
    if (code != StatusCode::kUnavailable && code != StatusCode::kDeadlineExceeded &&
        code != StatusCode::kResourceExhausted && code != StatusCode::kInternal) {
      return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << std::min(attempt, 4)));
  }
  return last;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

double Round(double v, double unit = 1000) { return std::round(v * unit) / unit; }

// What the bench itself asked of the API server, by "VERB resource" as kube-apiserver's
// apiserver_request_total names it, so that run.sh can leave it out of the controller's
// count. Thread-safe.
class OwnRequests {
 public:
  void Add(const std::string& key, int count = 1) {
    std::lock_guard lock(mu_);
    counts_[key] += count;
  }
  json ToJson() {
    std::lock_guard lock(mu_);
    return counts_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> counts_;  // guarded by mu_
};

// Watches one collection in a namespace: lists (in pages), then watches from the list's
// resourceVersion, relisting on 410 Gone and after errors, until `stop`.
void WatchLoop(kube::Client& client, const kube::GroupVersionResource& gvr, const std::string& ns, bool metadata_only,
               const std::function<void(const json&)>& on_object, OwnRequests& own, std::stop_token stop) {
  while (!stop.stop_requested()) {
    kube::ListOptions list;
    list.limit = 500;
    list.metadata_only = metadata_only;
    std::string resource_version;
    bool listed = true;
    do {
      own.Add("LIST " + gvr.resource);
      auto page = client.List(gvr, ns, list);
      if (!page.ok()) {
        spdlog::warn("list {}: {}", gvr.resource, page.status().ToString());
        listed = false;
        break;
      }
      for (const auto& item : page->items) on_object(item);
      resource_version = page->resource_version;
      list.continue_token = page->continue_token;
    } while (!list.continue_token.empty());
    if (!listed) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    while (!stop.stop_requested()) {
      kube::WatchOptions options;
      options.resource_version = resource_version;
      options.metadata_only = metadata_only;
      options.timeout = std::chrono::seconds(240);
      own.Add("WATCH " + gvr.resource);
      Status end = kube::WatchOnce(
          client, gvr, ns, options,
          [&](kube::WatchEvent&& e) {
            if (auto v = e.object["metadata"].value("resourceVersion", ""); !v.empty()) resource_version = v;
            if (e.type == kube::WatchEventType::kAdded || e.type == kube::WatchEventType::kModified) {
              on_object(e.object);
            }
            return Status::Ok();
          },
          stop);
      if (end.ok()) continue;  // closed normally: resume
      if (end.code() != StatusCode::kCancelled) spdlog::warn("watch {}: {}", gvr.resource, end.ToString());
      break;  // 410 Gone or an error: relist
    }
  }
}

// The state of the N certificates the bench waits for. Thread-safe.
class Readiness {
 public:
  Readiness(int n, int64_t min_revision) : min_revision_(min_revision), started_(n, -1), done_(n, -1) {}

  void Started(int i, double t) {
    std::lock_guard lock(mu_);
    started_[i] = t;
  }

  void OnCertificate(const json& obj, double now) {
    const int i = IndexOf(obj["metadata"].value("name", ""));
    if (i < 0) return;
    const json& status = obj.contains("status") ? obj["status"] : json::object();
    bool ready = false;
    for (const auto& c : status.value("conditions", json::array())) {
      if (c.value("type", "") == "Ready" && c.value("status", "") == "True") ready = true;
    }
    const bool new_enough = status.value("revision", int64_t{0}) >= min_revision_;
    std::lock_guard lock(mu_);
    cert_ok_[i] = ready && new_enough;
    Check(i, now);
  }

  void OnSecret(const json& obj, double now) {
    const std::string name = obj["metadata"].value("name", "");
    if (name.size() < 4 || name.compare(name.size() - 4, 4, "-tls") != 0) return;
    const int i = IndexOf(name.substr(0, name.size() - 4));
    if (i < 0) return;
    std::lock_guard lock(mu_);
    secret_ok_[i] = true;
    Check(i, now);
  }

  // Waits until every certificate is done or `deadline`; true when all are.
  bool WaitAll(SteadyClock::time_point deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, deadline, [&] { return done_count_ == static_cast<int>(done_.size()); });
  }

  int done_count() {
    std::lock_guard lock(mu_);
    return done_count_;
  }

  // Latency of each done certificate from its start (or from `t0` when it has none).
  std::vector<double> Latencies(double t0) {
    std::lock_guard lock(mu_);
    std::vector<double> out;
    for (size_t i = 0; i < done_.size(); ++i) {
      if (done_[i] >= 0) out.push_back(done_[i] - (started_[i] >= 0 ? started_[i] : t0));
    }
    return out;
  }

  double last_done() {
    std::lock_guard lock(mu_);
    return *std::max_element(done_.begin(), done_.end());
  }

 private:
  int IndexOf(const std::string& name) const {
    if (name.size() < 2 || name[0] != 'c') return -1;
    try {
      size_t used = 0;
      int i = std::stoi(name.substr(1), &used);
      if (used + 1 != name.size() || i < 0 || i >= static_cast<int>(done_.size())) return -1;
      return i;
    } catch (const std::exception&) {
      return -1;
    }
  }

  void Check(int i, double now) {  // mu_ held
    if (done_[i] >= 0 || !cert_ok_[i] || !secret_ok_[i]) return;
    done_[i] = now;
    if (++done_count_ == static_cast<int>(done_.size())) cv_.notify_all();
  }

  const int64_t min_revision_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<double> started_;              // guarded by mu_; epoch seconds, -1 = not started
  std::vector<double> done_;                 // guarded by mu_; epoch seconds, -1 = not done
  std::unordered_map<int, bool> cert_ok_;    // guarded by mu_
  std::unordered_map<int, bool> secret_ok_;  // guarded by mu_
  int done_count_ = 0;                       // guarded by mu_
};

int IssueOrWait(kube::Client& client, const Flags& f) {
  const auto& gvr = f.kind == "certplane" ? kCertplaneCertificates : kCertManagerCertificates;
  Readiness readiness(f.n, f.min_revision);
  OwnRequests own;
  const double t0 = f.t0 > 0 ? f.t0 : EpochNow();
  std::jthread certs([&](std::stop_token stop) {
    WatchLoop(
        client, gvr, f.ns, false, [&](const json& o) { readiness.OnCertificate(o, EpochNow()); }, own, stop);
  });
  std::jthread secrets([&](std::stop_token stop) {
    WatchLoop(
        client, kube::kSecrets, f.ns, true, [&](const json& o) { readiness.OnSecret(o, EpochNow()); }, own, stop);
  });

  json out = {{"command", f.command}, {"kind", f.kind}, {"n", f.n}};
  std::atomic<int> failures{0};
  if (f.command == "issue") {
    const double create_start = EpochNow();
    Parallel(f.concurrency, f.n, [&](int i) {
      readiness.Started(i, EpochNow());
      Status s = WithRetries([&] {
        own.Add("POST certificates");
        return client.Create(gvr, f.ns, CertificateObject(f, i));
      });
      if (!s.ok()) {
        if (failures++ < 5) spdlog::error("create {}: {}", Name(i), s.ToString());
      }
    });
    out["create_seconds"] = Round(EpochNow() - create_start);
    out["create_failures"] = failures.load();
    out["algorithm"] = f.algorithm;
    out["concurrency"] = f.concurrency;
  }
  const bool all = readiness.WaitAll(SteadyClock::now() + std::chrono::seconds(f.timeout_s));
  const std::vector<double> lat = readiness.Latencies(t0);
  out["done"] = readiness.done_count();
  out["complete"] = all;
  if (all) {
    const double wall = readiness.last_done() - t0;
    out["wall_seconds"] = Round(wall);
    out["per_second"] = Round(f.n / wall, 10);
  }
  out["p50_seconds"] = Round(Percentile(lat, 50));
  out["p99_seconds"] = Round(Percentile(lat, 99));
  out["max_seconds"] = Round(Percentile(lat, 100));
  out["bench_requests"] = own.ToJson();
  std::printf("%s\n", out.dump().c_str());
  std::fflush(stdout);
  // The watches may sit in a blocking read until their server-side timeout; the
  // result is out, so leave without waiting for them.
  _exit(all && failures == 0 ? 0 : 1);
}

int Patch(kube::Client& client, const Flags& f) {
  const auto& gvr = f.kind == "certplane" ? kCertplaneCertificates : kCertManagerCertificates;
  json patch;
  try {
    patch = json::parse(f.merge);
  } catch (const json::exception& e) {
    Fail(std::string("--merge: ") + e.what());
  }
  std::atomic<int> failures{0};
  const double start = EpochNow();
  Parallel(f.concurrency, f.n, [&](int i) {
    Status s = WithRetries([&] { return client.MergePatch(gvr, f.ns, Name(i), patch); });
    if (!s.ok() && failures++ < 5) spdlog::error("patch {}: {}", Name(i), s.ToString());
  });
  json out = {{"command", "patch"}, {"n", f.n}, {"seconds", Round(EpochNow() - start)}, {"failures", failures.load()}};
  std::printf("%s\n", out.dump().c_str());
  return failures == 0 ? 0 : 1;
}

std::string RandomText(size_t size, unsigned seed) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::mt19937 rng(seed);
  std::string s(size, 'A');
  for (auto& c : s) c = kAlphabet[rng() % 64];
  return s;
}

// The floor: per object, the user's create and the two writes of an issuance.
int Floor(kube::Client& client, const Flags& f) {
  // About the size of what certplane writes for an ECDSA certificate: a PEM chain of
  // two certificates, a PKCS8 key and the CA (base64 text of base64 data, as the API
  // server stores it).
  const std::string crt = RandomText(1400, 1), key = RandomText(320, 2), ca = RandomText(700, 3);
  std::vector<double> lat(static_cast<size_t>(f.n), -1);
  std::atomic<int> failures{0};
  std::atomic<int> creates{0}, reads{0};
  const double start = EpochNow();
  Parallel(f.concurrency, f.n, [&](int i) {
    const double t = EpochNow();
    const std::string name = Name(i);
    json created;
    Status s = WithRetries([&] {
      ++creates;
      auto r = client.Create(kCertplaneCertificates, f.ns, CertificateObject(f, i));
      if (r.ok()) created = *r;
      return r;
    });
    if (s.ok() && created.is_null()) {  // a retried create that had landed: read it back
      ++reads;
      auto r = client.Get(kCertplaneCertificates, f.ns, name);
      if (r.ok()) created = *r;
      else s = r.status();
    }
    if (s.ok()) {
      json secret = {
          {"apiVersion", "v1"},
          {"kind", "Secret"},
          {"type", "kubernetes.io/tls"},
          {"metadata",
           {{"name", name + "-tls"}, {"namespace", f.ns}, {"labels", {{"certplane.io/certificate-name", name}}}}},
          {"data", {{"tls.crt", crt}, {"tls.key", key}, {"ca.crt", ca}}}};
      s = WithRetries([&] { return client.Create(kube::kSecrets, f.ns, secret); });
    }
    if (s.ok()) {
      created["status"] = {{"conditions",
                            {{{"type", "Ready"},
                              {"status", "True"},
                              {"reason", "Issued"},
                              {"message", "issued by the floor client"},
                              {"observedGeneration", created["metadata"].value("generation", 1)},
                              {"lastTransitionTime", "2026-01-01T00:00:00Z"}}}},
                           {"serialNumber", "0123456789abcdef0123456789abcdef"},
                           {"notBefore", "2026-01-01T00:00:00Z"},
                           {"notAfter", "2026-01-31T00:00:00Z"},
                           {"revision", 1}};
      s = WithRetries([&] { return client.UpdateStatus(kCertplaneCertificates, f.ns, created); });
    }
    if (!s.ok()) {
      if (failures++ < 5) spdlog::error("floor {}: {}", name, s.ToString());
      return;
    }
    lat[static_cast<size_t>(i)] = EpochNow() - t;
  });
  const double wall = EpochNow() - start;
  std::vector<double> ok;
  for (double v : lat) {
    if (v >= 0) ok.push_back(v);
  }
  json out = {{"command", "floor"},
              {"n", f.n},
              {"concurrency", f.concurrency},
              {"wall_seconds", Round(wall)},
              {"per_second", Round(f.n / wall, 10)},
              {"p50_seconds", Round(Percentile(ok, 50))},
              {"p99_seconds", Round(Percentile(ok, 99))},
              {"failures", failures.load()},
              {"complete", failures == 0},
              // The user's creates (and any read-back) are not part of the floor's count.
              {"bench_requests", {{"POST certificates", creates.load()}, {"GET certificates", reads.load()}}}};
  std::printf("%s\n", out.dump().c_str());
  return failures == 0 ? 0 : 1;
}

int Secrets(kube::Client& client, const Flags& f) {
  const std::string data = RandomText(static_cast<size_t>(f.size) * 4 / 3, 4);  // base64 of `size` bytes
  std::atomic<int> failures{0};
  const double start = EpochNow();
  Parallel(f.concurrency, f.n, [&](int i) {
    json secret = {{"apiVersion", "v1"},
                   {"kind", "Secret"},
                   {"type", "Opaque"},
                   {"metadata", {{"name", "unrelated-" + std::to_string(i)}, {"namespace", f.ns}}},
                   {"data", {{"blob", data.substr(0, data.size() / 4 * 4)}}}};
    Status s = WithRetries([&] { return client.Create(kube::kSecrets, f.ns, secret); });
    if (!s.ok() && failures++ < 5) spdlog::error("secret {}: {}", i, s.ToString());
  });
  const double wall = EpochNow() - start;
  json out = {{"command", "secrets"},
              {"n", f.n},
              {"bytes_each", f.size},
              {"seconds", Round(wall)},
              {"per_second", Round(f.n / wall, 10)},
              {"failures", failures.load()}};
  std::printf("%s\n", out.dump().c_str());
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  auto config = kube::LoadClusterConfig();
  if (!config.ok()) Fail(config.status().ToString());
  kube::ClientOptions options;
  options.qps = 0;  // no client-side limit: the bench measures the server and the controller
  options.timeout = std::chrono::seconds(120);
  options.max_retries = 10;
  options.user_agent = "certplane-compare-bench";
  auto client = kube::Client::Create(*config, options);
  if (!client.ok()) Fail(client.status().ToString());

  if (flags.command == "issue" || flags.command == "wait") return IssueOrWait(**client, flags);
  if (flags.command == "patch") return Patch(**client, flags);
  if (flags.command == "floor") return Floor(**client, flags);
  if (flags.command == "secrets") return Secrets(**client, flags);
  Fail("unknown command " + flags.command);
}

// Benchmark of the kube runtime against a real API server ($KUBECONFIG):
//   - informer memory per 10,000 objects: typed ConfigMaps (full), metadata only,
//     and, for comparison, the same objects held as nlohmann::json trees;
//   - watch events per second: the initial-events stream decoded into typed objects,
//     and live updates delivered to an informer while writers patch objects.
// Memory is measured as bytes in use by malloc (mallinfo2) before and after, with the
// RSS delta alongside. Run it through hack/bench/kube/run.sh, which starts and stops
// a private control plane.
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "kube/config.h"
#include "kube/informer.h"
#include "kube/object_meta.h"
#include "kube/resource.h"
#include "kube/rest_client.h"
#include "kube/watch.h"

namespace {

using namespace certplane;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

size_t HeapInUse() {
  malloc_trim(0);
  return mallinfo2().uordblks;
}

size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

double Mib(double bytes) { return bytes / (1024.0 * 1024.0); }

// A ConfigMap of about 2 KB, shaped like a certplane-managed object.
json MakeObject(int i, const std::string& filler) {
  return {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", "bench-" + std::to_string(i)},
        {"labels",
         {{"app.kubernetes.io/managed-by", "certplane"},
          {"certplane.io/profile", "web-servers"},
          {"certplane.io/ca", "cluster-intermediate"}}},
        {"annotations",
         {{"certplane.io/serial", "7f3a9c" + std::to_string(i)}, {"certplane.io/not-after", "2027-01-01T00:00:00Z"}}}}},
      {"data", {{"ca.crt", filler}, {"note", "object " + std::to_string(i)}}}};
}

template <typename F>
void Parallel(int threads, int count, F&& body) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) body(i);
    });
  }
  for (auto& t : pool) t.join();
}

}  // namespace

int main(int argc, char** argv) {
  int objects = 10000;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--objects=", 0) == 0) objects = std::stoi(arg.substr(10));
  }
  spdlog::set_level(spdlog::level::warn);
  auto config = kube::LoadClusterConfig();
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  kube::ClientOptions options;
  options.qps = 0;  // no client-side limit for the benchmark
  options.timeout = std::chrono::seconds(120);
  auto client_or = kube::Client::Create(*config, options);
  if (!client_or.ok()) {
    std::fprintf(stderr, "%s\n", client_or.status().ToString().c_str());
    return 1;
  }
  auto client = *client_or;

  std::string ns = "bench-" + std::to_string(::getpid());
  if (auto r = client->Create(kube::kNamespaces, "",
                              {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
      !r.ok()) {
    std::fprintf(stderr, "creating namespace: %s\n", r.status().ToString().c_str());
    return 1;
  }

  // 1. Objects.
  std::string filler(1800, 'x');
  std::mt19937 rng(1);
  for (auto& c : filler) c = static_cast<char>('a' + rng() % 26);
  auto start = Clock::now();
  std::atomic<int> failures{0};
  Parallel(16, objects, [&](int i) {
    if (!client->Create(kube::kConfigMaps, ns, MakeObject(i, filler)).ok()) ++failures;
  });
  double create_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("objects: %d ConfigMaps of ~%zu bytes of JSON each, created in %.1f s (%.0f/s, %d failed)\n", objects,
              MakeObject(0, filler).dump().size(), create_s, objects / create_s, failures.load());
  const double per10k = 10000.0 / objects;

  // 2. Memory: typed full informer.
  {
    size_t heap0 = HeapInUse(), rss0 = RssBytes();
    kube::InformerOptions<kube::ConfigMap> o;
    o.resource = kube::kConfigMaps;
    o.ns = ns;
    auto informer = std::make_unique<kube::Informer<kube::ConfigMap>>(client, o);
    informer->Start();
    informer->WaitForSync(std::chrono::minutes(5));
    informer->Stop();  // the cache stays; the watch thread's buffers go
    size_t heap1 = HeapInUse(), rss1 = RssBytes();
    std::printf(
        "informer memory, full (typed ConfigMap): %.1f MiB per 10,000 objects (heap), RSS +%.1f MiB; %zu cached\n",
        Mib(static_cast<double>(heap1 - heap0) * per10k), Mib(static_cast<double>(rss1) - rss0),
        informer->store().size());
  }
  // 3. Memory: metadata only.
  {
    size_t heap0 = HeapInUse(), rss0 = RssBytes();
    kube::InformerOptions<kube::PartialObjectMetadata> o;
    o.resource = kube::kConfigMaps;
    o.ns = ns;
    o.metadata_only = true;
    auto informer = std::make_unique<kube::Informer<kube::PartialObjectMetadata>>(client, o);
    informer->Start();
    informer->WaitForSync(std::chrono::minutes(5));
    informer->Stop();
    size_t heap1 = HeapInUse(), rss1 = RssBytes();
    std::printf(
        "informer memory, metadata only:          %.1f MiB per 10,000 objects (heap), RSS +%.1f MiB; %zu cached\n",
        Mib(static_cast<double>(heap1 - heap0) * per10k), Mib(static_cast<double>(rss1) - rss0),
        informer->store().size());
  }
  // 4. For comparison: the same objects as nlohmann::json trees.
  {
    size_t heap0 = HeapInUse();
    std::vector<json> trees;
    kube::ListOptions lo;
    lo.limit = 500;
    (void)client->ListEach(kube::kConfigMaps, ns, lo, [&](json&& item) {
      trees.push_back(std::move(item));
      return Status::Ok();
    });
    size_t heap1 = HeapInUse();
    std::printf("for comparison, nlohmann::json trees:    %.1f MiB per 10,000 objects (heap)\n",
                Mib(static_cast<double>(heap1 - heap0) * per10k));
  }

  // 5. Watch throughput: the initial-events stream, decoded into typed objects.
  {
    kube::WatchOptions wo;
    wo.send_initial_events = true;
    wo.timeout = std::chrono::seconds(300);
    size_t events = 0;
    auto t0 = Clock::now();
    Status end = kube::WatchOnce(*client, kube::kConfigMaps, ns, wo, [&](kube::WatchEvent&& e) {
      if (e.type == kube::WatchEventType::kBookmark) return Cancelled("initial events done");
      kube::ConfigMap cm = e.object.get<kube::ConfigMap>();
      (void)cm;
      ++events;
      return Status::Ok();
    });
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("watch events/s, initial-events stream decoded to typed objects: %.0f (%zu events in %.2f s; %s)\n",
                events / s, events, s, end.ToString().c_str());
  }
  // 6. Watch throughput: live updates through an informer while 16 writers patch.
  {
    kube::InformerOptions<kube::ConfigMap> o;
    o.resource = kube::kConfigMaps;
    o.ns = ns;
    kube::Informer<kube::ConfigMap> informer(client, o);
    std::atomic<size_t> updates{0};
    kube::EventHandlers<kube::ConfigMap> h;
    h.on_update = [&](const auto&, const auto&) { ++updates; };
    informer.AddEventHandler(h);
    informer.Start();
    informer.WaitForSync(std::chrono::minutes(5));
    auto t0 = Clock::now();
    Parallel(16, objects, [&](int i) {
      (void)client->MergePatch(kube::kConfigMaps, ns, "bench-" + std::to_string(i),
                               {{"data", {{"note", "updated " + std::to_string(i)}}}});
    });
    double write_s = std::chrono::duration<double>(Clock::now() - t0).count();
    while (updates.load() < static_cast<size_t>(objects) && Clock::now() - t0 < std::chrono::seconds(120)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("watch events/s, live updates through an informer: %.0f (%zu events in %.2f s; writers took %.2f s)\n",
                updates.load() / s, updates.load(), s, write_s);
  }

  // Clean up.
  (void)client->DeleteCollection(kube::kConfigMaps, ns);
  (void)client->Delete(kube::kNamespaces, "", ns);
  return 0;
}

// Informers, the work queue and a controller against the real API server.
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/controller.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/object_meta.h"
#include "kube/resource.h"
#include "kube_test.h"

namespace certplane {
namespace {

using nlohmann::json;
using testing::Eventually;
using testing::KubeTest;

json ConfigMapJson(const std::string& name, const std::string& value, const json& labels = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"data", {{"key", value}}}};
}

// Records handler calls as "add:name=value", "update:name=old->new", "delete:name".
class Recorder {
 public:
  kube::EventHandlers<kube::ConfigMap> Handlers() {
    kube::EventHandlers<kube::ConfigMap> h;
    h.on_add = [this](const auto& cm) { Push("add:" + cm->metadata.name + "=" + Value(*cm)); };
    h.on_update = [this](const auto& old, const auto& cm) {
      Push("update:" + cm->metadata.name + "=" + Value(*old) + "->" + Value(*cm));
    };
    h.on_delete = [this](const auto& cm) { Push("delete:" + cm->metadata.name); };
    return h;
  }
  std::vector<std::string> Calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  size_t Count() {
    std::lock_guard lock(mu_);
    return calls_.size();
  }

 private:
  static std::string Value(const kube::ConfigMap& cm) {
    const std::string* v = cm.data.Find("key");
    return v ? *v : "";
  }
  void Push(std::string s) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(s));
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

class InformerTest : public KubeTest {
 protected:
  kube::InformerOptions<kube::ConfigMap> ConfigMapsHere() {
    kube::InformerOptions<kube::ConfigMap> o;
    o.resource = kube::kConfigMaps;
    o.ns = ns();
    return o;
  }
};

TEST_F(InformerTest, SyncsThenDeliversAddsUpdatesAndDeletesInOrder) {
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("before", "0")).ok());
  kube::Informer<kube::ConfigMap> informer(client_ptr(), ConfigMapsHere());
  Recorder recorder;
  informer.AddEventHandler(recorder.Handlers());
  EXPECT_FALSE(informer.HasSynced());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(30)));
  ASSERT_NE(informer.store().Get(ns() + "/before"), nullptr);
  EXPECT_EQ(recorder.Calls(), std::vector<std::string>{"add:before=0"});

  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("a", "1")).ok());
  ASSERT_TRUE(client().MergePatch(kube::kConfigMaps, ns(), "a", {{"data", {{"key", "2"}}}}).ok());
  ASSERT_TRUE(client().Delete(kube::kConfigMaps, ns(), "before").ok());
  ASSERT_TRUE(client().Delete(kube::kConfigMaps, ns(), "a").ok());
  ASSERT_TRUE(Eventually([&] { return recorder.Count() >= 5; }));
  EXPECT_EQ(recorder.Calls(),
            (std::vector<std::string>{"add:before=0", "add:a=1", "update:a=1->2", "delete:before", "delete:a"}));
  EXPECT_EQ(informer.store().size(), 0u);
}

TEST_F(InformerTest, IndexesObjectsAndServesThemImmutable) {
  kube::InformerOptions<kube::ConfigMap> options = ConfigMapsHere();
  options.indexers["profile"] = [](const kube::ConfigMap& cm) {
    const std::string* p = cm.metadata.labels.Find("profile");
    return p ? std::vector<std::string>{*p} : std::vector<std::string>{};
  };
  kube::Informer<kube::ConfigMap> informer(client_ptr(), options);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(30)));
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("w1", "1", {{"profile", "web"}})).ok());
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("w2", "1", {{"profile", "web"}})).ok());
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("d1", "1", {{"profile", "db"}})).ok());
  ASSERT_TRUE(Eventually([&] { return informer.store().size() == 3; }));
  EXPECT_EQ(informer.store().IndexKeys("profile", "web"), (std::vector<std::string>{ns() + "/w1", ns() + "/w2"}));
  EXPECT_EQ(informer.store().ByIndex("profile", "db").size(), 1u);

  // Moving an object between index values re-indexes it.
  ASSERT_TRUE(
      client().MergePatch(kube::kConfigMaps, ns(), "w2", {{"metadata", {{"labels", {{"profile", "db"}}}}}}).ok());
  ASSERT_TRUE(Eventually([&] { return informer.store().IndexKeys("profile", "db").size() == 2; }));
  EXPECT_EQ(informer.store().IndexKeys("profile", "web"), std::vector<std::string>{ns() + "/w1"});

  std::shared_ptr<const kube::ConfigMap> held = informer.store().Get(ns() + "/w1");
  static_assert(std::is_const_v<std::remove_reference_t<decltype(*held)>>, "cached objects are immutable");
  ASSERT_TRUE(client().MergePatch(kube::kConfigMaps, ns(), "w1", {{"data", {{"key", "changed"}}}}).ok());
  ASSERT_TRUE(Eventually([&] { return *informer.store().Get(ns() + "/w1")->data.Find("key") == "changed"; }));
  EXPECT_EQ(*held->data.Find("key"), "1") << "a held object never changes under its reader";
}

TEST_F(InformerTest, HonoursLabelAndFieldSelectors) {
  kube::InformerOptions<kube::ConfigMap> by_label = ConfigMapsHere();
  by_label.label_selector = "team=pki";
  kube::InformerOptions<kube::ConfigMap> by_field = ConfigMapsHere();
  by_field.field_selector = "metadata.name=chosen";
  kube::Informer<kube::ConfigMap> labelled(client_ptr(), by_label);
  kube::Informer<kube::ConfigMap> named(client_ptr(), by_field);
  labelled.Start();
  named.Start();
  ASSERT_TRUE(labelled.WaitForSync(std::chrono::seconds(30)));
  ASSERT_TRUE(named.WaitForSync(std::chrono::seconds(30)));
  // "other" comes first: a watch delivers in order, so once the later objects are in,
  // "other" would be too had it matched.
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("other", "1", {{"team", "web"}})).ok());
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("pki", "1", {{"team", "pki"}})).ok());
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("chosen", "1")).ok());
  ASSERT_TRUE(Eventually([&] { return labelled.store().size() >= 1 && named.store().size() >= 1; }));
  EXPECT_EQ(labelled.store().Keys(), std::vector<std::string>{ns() + "/pki"});
  EXPECT_EQ(named.store().Keys(), std::vector<std::string>{ns() + "/chosen"});
}

TEST_F(InformerTest, MetadataOnlyInformerHoldsNoSecretData) {
  constexpr int kSecrets = 1000;
  std::atomic<int> next{0}, failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&] {
      for (int i = next++; i < kSecrets; i = next++) {
        json secret = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"type", "kubernetes.io/tls"},
                       {"metadata", {{"name", "tls-" + std::to_string(i)}, {"labels", {{"app", "web"}}}}},
                       {"data", {{"tls.crt", "Y2VydA=="}, {"tls.key", "a2V5LW1hdGVyaWFs"}}}};
        if (!client().Create(kube::kSecrets, ns(), secret).ok()) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures.load(), 0);

  std::atomic<int> decoded{0}, with_data{0}, not_partial{0};
  kube::InformerOptions<kube::PartialObjectMetadata> options;
  options.resource = kube::kSecrets;
  options.ns = ns();
  options.metadata_only = true;
  options.page_size = 100;
  // Inspect what actually arrives from the server before it is trimmed.
  options.decode = [&](const json& j) -> Result<kube::PartialObjectMetadata> {
    ++decoded;
    if (j.contains("data") || j.contains("stringData")) ++with_data;
    if (j.value("kind", "") != "PartialObjectMetadata") ++not_partial;
    return j.get<kube::PartialObjectMetadata>();
  };
  kube::Informer<kube::PartialObjectMetadata> informer(client_ptr(), options);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(60)));
  EXPECT_EQ(informer.store().size(), static_cast<size_t>(kSecrets));
  EXPECT_EQ(with_data.load(), 0) << "Secret data reached the process";
  EXPECT_EQ(not_partial.load(), 0);
  auto one = informer.store().Get(ns() + "/tls-7");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(*one->metadata.labels.Find("app"), "web");

  // Updates arrive as metadata too.
  ASSERT_TRUE(client().MergePatch(kube::kSecrets, ns(), "tls-7", {{"metadata", {{"labels", {{"app", "db"}}}}}}).ok());
  ASSERT_TRUE(Eventually([&] { return *informer.store().Get(ns() + "/tls-7")->metadata.labels.Find("app") == "db"; }));
  EXPECT_EQ(with_data.load(), 0);
}

TEST_F(InformerTest, DrivesAControllerThroughTheWorkQueue) {
  // A toy reconciler: for every ConfigMap labelled mirror=yes, keep a copy named
  // "<name>-mirror" with the same data. It reads the cache, writes the minimum.
  kube::InformerOptions<kube::ConfigMap> options = ConfigMapsHere();
  kube::Informer<kube::ConfigMap> informer(client_ptr(), options);
  std::atomic<int> reconciles{0};
  kube::ControllerOptions controller_options;
  controller_options.name = "mirror";
  controller_options.workers = 2;
  kube::Controller controller(std::move(controller_options), [&](const kube::Request& req) {
    ++reconciles;
    auto cm = informer.store().Get(req.Key());
    if (!cm || cm->metadata.labels.Find("mirror") == nullptr) return kube::ReconcileResult::Done();
    kube::ConfigMap mirror;
    mirror.metadata.name = req.name + "-mirror";
    mirror.data = cm->data;
    json desired = mirror;
    auto applied = client().Apply(kube::kConfigMaps, req.ns, mirror.metadata.name, desired, [] {
      kube::ApplyOptions o;
      o.field_manager = "mirror-controller";
      o.force = true;
      return o;
    }());
    if (!applied.ok()) return kube::ReconcileResult::Retry(applied.status());
    return kube::ReconcileResult::Done();
  });
  informer.AddEventHandler(kube::EnqueueHandler<kube::ConfigMap>(controller.queue()));
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(30)));
  controller.Start();

  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("source", "v1", {{"mirror", "yes"}})).ok());
  ASSERT_TRUE(Eventually([&] {
    auto m = informer.store().Get(ns() + "/source-mirror");
    return m && m->data.Find("key") && *m->data.Find("key") == "v1";
  }));
  ASSERT_TRUE(client().MergePatch(kube::kConfigMaps, ns(), "source", {{"data", {{"key", "v2"}}}}).ok());
  ASSERT_TRUE(Eventually([&] {
    auto m = informer.store().Get(ns() + "/source-mirror");
    return m && m->data.Find("key") && *m->data.Find("key") == "v2";
  }));
  controller.Stop();
  EXPECT_GE(reconciles.load(), 2);
}

TEST_F(InformerTest, AggregatesRepeatedEventsAndLimitsTheirRate) {
  auto cm = kube::As<kube::ConfigMap>(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("noisy", "1")));
  ASSERT_TRUE(cm.ok()) << cm.status();
  kube::ObjectReference ref{"v1", "ConfigMap", ns(), "noisy", cm->metadata.uid};
  kube::EventRecorderOptions options;
  options.reporting_instance = "integration-test";
  options.correlator.burst = 10;
  {
    kube::EventRecorder recorder(client_ptr(), options);
    for (int i = 0; i < 100; ++i) {
      recorder.Record(ref, kube::EventType::kWarning, "IssuanceFailed", "Issue", "the CA is not ready");
    }
    recorder.Record(ref, kube::EventType::kNormal, "Issued", "Issue", "issued serial 01");
    ASSERT_TRUE(recorder.Flush(std::chrono::seconds(30)));
    auto stats = recorder.stats();
    EXPECT_EQ(stats.created, 1u) << "the 100 warnings are one Event; the rate limit drops the Normal one";
    EXPECT_EQ(stats.series_updates, 9u);
    EXPECT_EQ(stats.throttled, 91u);
    EXPECT_EQ(stats.failed, 0u);
  }
  auto events = client().List(kube::kEvents, ns());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->items.size(), 1u);
  const json& event = events->items[0];
  EXPECT_EQ(event.value("reason", ""), "IssuanceFailed");
  EXPECT_EQ(event.value("type", ""), "Warning");
  EXPECT_EQ(event["regarding"].value("uid", ""), cm->metadata.uid);
  EXPECT_EQ(event["series"].value("count", 0), 10);
}

TEST_F(InformerTest, ABurstOfRoutineEventsCostsTheirBurstAndOneSummaryOnTheSummaryObject) {
  auto cm = kube::As<kube::ConfigMap>(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("profile", "1")));
  ASSERT_TRUE(cm.ok()) << cm.status();
  kube::ObjectReference summary_object{"v1", "ConfigMap", ns(), "profile", cm->metadata.uid};
  kube::EventRecorderOptions options;
  options.reporting_instance = "integration-test";
  options.routine.burst = 5;
  options.routine.interval = std::chrono::seconds(1);
  constexpr int kIssued = 200;
  {
    kube::EventRecorder recorder(client_ptr(), options);
    for (int i = 0; i < kIssued; ++i) {
      kube::ObjectReference cert{"v1", "ConfigMap", ns(), "cert-" + std::to_string(i), "uid-" + std::to_string(i)};
      recorder.RecordRoutine(cert, summary_object, "Issued", "Issue", "issued serial " + std::to_string(i));
    }
    ASSERT_TRUE(recorder.Flush(std::chrono::seconds(30)));
    auto stats = recorder.stats();
    EXPECT_EQ(stats.summarized, static_cast<std::uint64_t>(kIssued - 5));
    EXPECT_EQ(stats.created, 6u) << "5 one by one, then one summary";
    EXPECT_EQ(stats.failed, 0u);
  }
  auto events = client().List(kube::kEvents, ns());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->items.size(), 6u);
  int individual = 0;
  const json* summary = nullptr;
  for (const json& e : events->items) {
    EXPECT_EQ(e.value("reason", ""), "Issued");
    if (e["regarding"].value("name", "") == "profile") {
      summary = &e;
    } else {
      ++individual;
    }
  }
  EXPECT_EQ(individual, 5);
  ASSERT_NE(summary, nullptr);
  const std::string note = (*summary).value("note", "");
  EXPECT_THAT(note, ::testing::HasSubstr("195 more Issued events in 1s"));
  EXPECT_THAT(note, ::testing::HasSubstr(ns() + "/cert-5, " + ns() + "/cert-6"));
  EXPECT_THAT(note, ::testing::MatchesRegex(".* and 1[0-9][0-9] more"));
  EXPECT_LE(note.size(), 1024u);
}

}  // namespace
}  // namespace certplane

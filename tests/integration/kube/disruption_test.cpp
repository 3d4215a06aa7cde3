// Recovery of informers when the control plane misbehaves: kube-apiserver stopped in
// the middle of a watch, and a watch resuming from a compacted resourceVersion. These
// tests stop the shared API server, so ctest runs them alone (RUN_SERIAL).
#include <chrono>
#include <map>

#include <cpprest/http_client.h>
#include <gtest/gtest.h>

#include "kube/base64.h"
#include "kube/informer.h"
#include "kube/object_meta.h"
#include "kube/resource.h"
#include "kube/watch.h"
#include "kube_test.h"
#include "process.h"
#include "test_files.h"

namespace certplane {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::Eventually;
using testing::KubeTest;

json ConfigMapJson(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"key", value}}}};
}

// Runs hack/control-plane for the test's control plane; restarts kube-apiserver on
// destruction if a test stopped it and failed before starting it again.
class ApiServerSwitch {
 public:
  ~ApiServerSwitch() {
    if (stopped_) Start();
  }
  bool Stop() {
    stopped_ = true;
    return Run("stop");
  }
  bool Start() {
    bool ok = Run("start");
    if (ok) stopped_ = false;
    return ok;
  }

 private:
  static bool Run(const std::string& verb) {
    const testing::CommandResult r =
        testing::RunTool({testing::RequireEnv("CERTPLANE_SOURCE_DIR") + "/hack/control-plane", verb, "apiserver"},
                         {.timeout = std::chrono::seconds(300)});
    if (r.exit_code != 0)
      ADD_FAILURE() << "hack/control-plane " << verb << " apiserver: exit " << r.exit_code << "\n" << r.output;
    return r.exit_code == 0;
  }
  bool stopped_ = false;
};

// etcd's JSON gateway, to move the revision on and compact while kube-apiserver is down.
class Etcd {
 public:
  Etcd() {
    std::string dir = testing::RequireEnv("CERTPLANE_CONTROL_PLANE_DIR");
    std::string url = testing::ReadFile(dir + "/etcd-url");
    while (!url.empty() && (url.back() == '\n' || url.back() == ' ')) url.pop_back();
    client_ = std::make_unique<web::http::client::http_client>(web::uri(url));
  }

  // Writes a key outside kube-apiserver's prefix; returns the new revision.
  int64_t Bump() {
    json put = {{"key", kube::Base64Encode("/certplane-test/bump")}, {"value", kube::Base64Encode("x")}};
    json reply = Post("/v3/kv/put", put);
    return std::stoll(reply["header"].value("revision", "0"));
  }

  void Compact(int64_t revision) {
    Post("/v3/kv/compaction", {{"revision", std::to_string(revision)}, {"physical", true}});
  }

 private:
  json Post(const std::string& path, const json& body) {
    web::http::http_request req(web::http::methods::POST);
    req.set_request_uri(web::uri(path));
    req.set_body(body.dump(), "application/json");
    auto response = client_->request(req).get();
    std::string text = response.extract_utf8string(true).get();
    EXPECT_EQ(response.status_code(), 200) << path << ": " << text;
    return json::parse(text, nullptr, false);
  }
  std::unique_ptr<web::http::client::http_client> client_;
};

class DisruptionTest : public KubeTest {
 protected:
  kube::InformerOptions<kube::ConfigMap> Options() {
    kube::InformerOptions<kube::ConfigMap> o;
    o.resource = kube::kConfigMaps;
    o.ns = ns();
    o.max_backoff = 2s;  // recover quickly once the server is back
    return o;
  }

  // name -> resourceVersion, from a fresh list.
  std::map<std::string, std::string> FreshList() {
    std::map<std::string, std::string> out;
    auto page = client().List(kube::kConfigMaps, ns());
    if (!page.ok()) return out;
    for (const auto& item : page->items) {
      out[item["metadata"]["name"]] = item["metadata"]["resourceVersion"];
    }
    return out;
  }

  static std::map<std::string, std::string> Cached(const kube::Informer<kube::ConfigMap>& informer) {
    std::map<std::string, std::string> out;
    for (const auto& cm : informer.store().List()) out[cm->metadata.name] = cm->metadata.resource_version;
    return out;
  }

  // True once the informer's cache equals a fresh list (and the list succeeded).
  bool CacheEqualsFreshList(const kube::Informer<kube::ConfigMap>& informer) {
    auto fresh = FreshList();
    return !fresh.empty() && fresh == Cached(informer);
  }
};

TEST_F(DisruptionTest, InformerRecoversFromAnApiServerRestartWithoutLosingUpdates) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("cm-" + std::to_string(i), "v1")).ok());
  }
  kube::Informer<kube::ConfigMap> informer(client_ptr(), Options());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(30s));
  ASSERT_TRUE(Eventually([&] { return informer.store().size() == 20; }));

  // Changes right before the stop, which the watch may or may not have delivered.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        client().MergePatch(kube::kConfigMaps, ns(), "cm-" + std::to_string(i), {{"data", {{"key", "v2"}}}}).ok());
  }
  ASSERT_TRUE(client().Delete(kube::kConfigMaps, ns(), "cm-5").ok());
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("late", "v1")).ok());

  ApiServerSwitch apiserver;
  ASSERT_TRUE(apiserver.Stop());
  // The informer's watch is cut; it keeps retrying with backoff while the server is down.
  ASSERT_TRUE(Eventually([&] { return informer.stats().errors >= 1; }, 30s));
  ASSERT_TRUE(apiserver.Start());

  // Changes after the restart.
  ASSERT_TRUE(Eventually(
      [&] {
        return client().MergePatch(kube::kConfigMaps, ns(), "cm-6", {{"data", {{"key", "v3"}}}}).ok();
      },
      30s));
  ASSERT_TRUE(client().Delete(kube::kConfigMaps, ns(), "cm-7").ok());
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("after", "v1")).ok());

  ASSERT_TRUE(Eventually([&] { return CacheEqualsFreshList(informer); }, 90s))
      << "the informer's cache never matched a fresh list";
  auto cached = Cached(informer);
  EXPECT_EQ(cached.count("cm-5"), 0u);
  EXPECT_EQ(cached.count("cm-7"), 0u);
  EXPECT_EQ(cached.count("late"), 1u);
  EXPECT_EQ(cached.count("after"), 1u);
  EXPECT_EQ(*informer.store().Get(ns() + "/cm-0")->data.Find("key"), "v2");
  EXPECT_EQ(*informer.store().Get(ns() + "/cm-6")->data.Find("key"), "v3");
}

TEST_F(DisruptionTest, AWatchFromACompactedResourceVersionGetsGoneAndTheInformerRelists) {
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("a", "v1")).ok());
  kube::Informer<kube::ConfigMap> informer(client_ptr(), Options());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(30s));
  ASSERT_TRUE(Eventually([&] { return informer.store().size() == 1; }));
  const std::string informer_rv = informer.LastSyncResourceVersion();
  const auto lists_before = informer.stats().lists;

  // While kube-apiserver is down, move etcd's revision past everything the informer
  // has seen and compact it away.
  ApiServerSwitch apiserver;
  ASSERT_TRUE(apiserver.Stop());
  Etcd etcd;
  int64_t revision = etcd.Bump();
  ASSERT_GT(revision, std::stoll(informer_rv));
  etcd.Compact(revision);
  ASSERT_TRUE(apiserver.Start());

  // A watch from the informer's resourceVersion is refused with 410 Gone...
  Status gone;
  ASSERT_TRUE(Eventually(
      [&] {
        kube::WatchOptions options;
        options.resource_version = informer_rv;
        options.timeout = 5s;
        gone = kube::WatchOnce(client(), kube::kConfigMaps, ns(), options,
                               [](kube::WatchEvent&&) { return Cancelled("no event expected"); });
        return gone.code() != StatusCode::kUnavailable;  // wait out the restart
      },
      30s));
  EXPECT_EQ(gone.code(), StatusCode::kGone) << gone;

  // ...and the informer, resuming from it, relists and catches up.
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("b", "v1")).ok());
  ASSERT_TRUE(Eventually([&] { return informer.stats().gone >= 1 && informer.stats().lists > lists_before; }, 60s))
      << "gone=" << informer.stats().gone << " lists=" << informer.stats().lists;
  ASSERT_TRUE(Eventually([&] { return CacheEqualsFreshList(informer); }, 60s));
  EXPECT_EQ(informer.store().size(), 2u);
}

}  // namespace
}  // namespace certplane

// Streaming watches against the real API server.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kube/resource.h"
#include "kube/watch.h"
#include "kube_test.h"

namespace certplane {
namespace {

using nlohmann::json;
using testing::KubeTest;

json ConfigMapJson(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"key", value}}}};
}

struct Seen {
  kube::WatchEventType type;
  std::string name;
  std::string value;
};

class WatchTest : public KubeTest {
 protected:
  std::string CurrentResourceVersion() {
    auto page = client().List(kube::kConfigMaps, ns());
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->resource_version : "";
  }

  // Watches from `rv` until `count` events (bookmarks excluded) have arrived.
  std::vector<Seen> Collect(kube::WatchOptions options, size_t count) {
    std::vector<Seen> seen;
    options.timeout = std::chrono::seconds(30);
    Status end = kube::WatchOnce(client(), kube::kConfigMaps, ns(), options, [&](kube::WatchEvent&& e) {
      if (e.type == kube::WatchEventType::kBookmark) return Status::Ok();
      std::string value;
      if (e.object.contains("data")) value = e.object["data"].value("key", "");
      seen.push_back({e.type, e.object["metadata"].value("name", ""), value});
      return seen.size() >= count ? Cancelled("collected enough") : Status::Ok();
    });
    EXPECT_EQ(end.code(), StatusCode::kCancelled) << end;
    return seen;
  }
};

TEST_F(WatchTest, DeliversAddsUpdatesAndDeletesInOrder) {
  std::string rv = CurrentResourceVersion();
  auto a = client().Create(kube::kConfigMaps, ns(), ConfigMapJson("a", "1"));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(client().MergePatch(kube::kConfigMaps, ns(), "a", {{"data", {{"key", "2"}}}}).ok());
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("b", "1")).ok());
  ASSERT_TRUE(client().Delete(kube::kConfigMaps, ns(), "a").ok());
  ASSERT_TRUE(client().MergePatch(kube::kConfigMaps, ns(), "b", {{"data", {{"key", "3"}}}}).ok());
  ASSERT_TRUE(client().Delete(kube::kConfigMaps, ns(), "b").ok());

  kube::WatchOptions options;
  options.resource_version = rv;
  std::vector<Seen> seen = Collect(options, 6);
  ASSERT_EQ(seen.size(), 6u);
  using T = kube::WatchEventType;
  std::vector<std::tuple<T, std::string, std::string>> expected = {{T::kAdded, "a", "1"},    {T::kModified, "a", "2"},
                                                                   {T::kAdded, "b", "1"},    {T::kDeleted, "a", "2"},
                                                                   {T::kModified, "b", "3"}, {T::kDeleted, "b", "3"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(seen[i].type, std::get<0>(expected[i])) << "event " << i;
    EXPECT_EQ(seen[i].name, std::get<1>(expected[i])) << "event " << i;
    EXPECT_EQ(seen[i].value, std::get<2>(expected[i])) << "event " << i;
  }
}

TEST_F(WatchTest, FiltersByLabelSelector) {
  std::string rv = CurrentResourceVersion();
  json labelled = ConfigMapJson("labelled", "x");
  labelled["metadata"]["labels"] = {{"pick", "me"}};
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("plain", "x")).ok());
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), labelled).ok());
  kube::WatchOptions options;
  options.resource_version = rv;
  options.label_selector = "pick=me";
  std::vector<Seen> seen = Collect(options, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].name, "labelled");
}

TEST_F(WatchTest, SendsOnlyMetadataWhenAsked) {
  json secret = {
      {"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}, {"data", {{"tls.key", "c2VjcmV0"}}}};
  std::string rv = CurrentResourceVersion();
  ASSERT_TRUE(client().Create(kube::kSecrets, ns(), secret).ok());
  kube::WatchOptions options;
  options.resource_version = rv;
  options.metadata_only = true;
  options.timeout = std::chrono::seconds(30);
  json object;
  Status end = kube::WatchOnce(client(), kube::kSecrets, ns(), options, [&](kube::WatchEvent&& e) {
    if (e.type == kube::WatchEventType::kBookmark) return Status::Ok();
    object = std::move(e.object);
    return Cancelled("got it");
  });
  EXPECT_EQ(end.code(), StatusCode::kCancelled) << end;
  EXPECT_EQ(object.value("kind", ""), "PartialObjectMetadata");
  EXPECT_FALSE(object.contains("data"));
  EXPECT_EQ(object["metadata"].value("name", ""), "s");
}

TEST_F(WatchTest, StreamsInitialEventsThenABookmark) {
  for (const char* name : {"x", "y", "z"}) {
    ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson(name, "1")).ok());
  }
  kube::WatchOptions options;
  options.send_initial_events = true;
  options.timeout = std::chrono::seconds(30);
  std::vector<std::string> added;
  bool end_bookmark = false;
  Status end = kube::WatchOnce(client(), kube::kConfigMaps, ns(), options, [&](kube::WatchEvent&& e) {
    if (e.type == kube::WatchEventType::kAdded) added.push_back(e.object["metadata"].value("name", ""));
    if (e.type == kube::WatchEventType::kBookmark) {
      end_bookmark = e.object["metadata"].contains("annotations") &&
                     e.object["metadata"]["annotations"].value("k8s.io/initial-events-end", "") == "true";
      if (end_bookmark) return Cancelled("initial events done");
    }
    return Status::Ok();
  });
  EXPECT_EQ(end.code(), StatusCode::kCancelled) << end;
  EXPECT_TRUE(end_bookmark);
  std::sort(added.begin(), added.end());
  EXPECT_EQ(added, (std::vector<std::string>{"x", "y", "z"}));
}

TEST_F(WatchTest, StopsPromptlyWhenAskedTo) {
  std::stop_source stop;
  // Whether the stop lands before, during or after connecting, the watch must end
  // as cancelled; the pause only makes "while blocked reading" the likely case.
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop.request_stop();
  });
  kube::WatchOptions options;
  options.timeout = std::chrono::seconds(120);
  Status end = kube::WatchOnce(
      client(), kube::kConfigMaps, ns(), options, [](kube::WatchEvent&&) { return Status::Ok(); }, stop.get_token());
  stopper.join();
  EXPECT_EQ(end.code(), StatusCode::kCancelled) << end;
}

}  // namespace
}  // namespace certplane

#include <gtest/gtest.h>

#include "kube/object_meta.h"
#include "kube/store.h"

namespace certplane::kube {
namespace {

using Ptr = std::shared_ptr<const ConfigMap>;

Ptr Make(const std::string& name, const std::string& profile, const std::string& rv = "1") {
  ConfigMap cm;
  cm.metadata.name = name;
  cm.metadata.ns = "ns";
  cm.metadata.resource_version = rv;
  if (!profile.empty()) cm.metadata.labels.Set("profile", profile);
  return std::make_shared<const ConfigMap>(std::move(cm));
}

Store<ConfigMap> MakeStore() {
  return Store<ConfigMap>({{"profile", [](const ConfigMap& cm) {
                             const std::string* p = cm.metadata.labels.Find("profile");
                             return p ? std::vector<std::string>{*p} : std::vector<std::string>{};
                           }}});
}

TEST(StoreTest, KeepsIndexesInStepWithUpsertAndRemove) {
  auto store = MakeStore();
  EXPECT_EQ(store.Upsert("ns/a", Make("a", "web")), nullptr);
  store.Upsert("ns/b", Make("b", "web"));
  store.Upsert("ns/c", Make("c", ""));
  EXPECT_EQ(store.IndexKeys("profile", "web"), (std::vector<std::string>{"ns/a", "ns/b"}));
  Ptr old = store.Upsert("ns/b", Make("b", "db", "2"));
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->metadata.resource_version, "1");
  EXPECT_EQ(store.IndexKeys("profile", "web"), std::vector<std::string>{"ns/a"});
  EXPECT_EQ(store.ByIndex("profile", "db").size(), 1u);
  EXPECT_NE(store.Remove("ns/a"), nullptr);
  EXPECT_TRUE(store.IndexKeys("profile", "web").empty());
  EXPECT_EQ(store.Remove("ns/a"), nullptr);
  EXPECT_TRUE(store.IndexKeys("no-such-index", "x").empty());
  EXPECT_EQ(store.size(), 2u);
}

TEST(StoreTest, ReplaceSwapsEverythingAndReturnsThePrevious) {
  auto store = MakeStore();
  store.Upsert("ns/a", Make("a", "web"));
  std::unordered_map<std::string, Ptr> fresh = {{"ns/x", Make("x", "web")}};
  auto previous = store.Replace(fresh);
  EXPECT_EQ(previous.size(), 1u);
  EXPECT_EQ(previous.count("ns/a"), 1u);
  EXPECT_EQ(store.Keys(), std::vector<std::string>{"ns/x"});
  EXPECT_EQ(store.IndexKeys("profile", "web"), std::vector<std::string>{"ns/x"});
}

}  // namespace
}  // namespace certplane::kube

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
  auto previous = store.Replace({{"ns/x", store.Hold(Make("x", "web"))}});
  EXPECT_EQ(previous.size(), 1u);
  EXPECT_EQ(previous.count("ns/a"), 1u);
  EXPECT_EQ(store.Keys(), std::vector<std::string>{"ns/x"});
  EXPECT_EQ(store.IndexKeys("profile", "web"), std::vector<std::string>{"ns/x"});
}

TEST(StoreTest, AnIndexValueGrowsAndShrinksKeepingKeyOrder) {
  auto store = MakeStore();
  store.Upsert("ns/m", Make("m", "web"));
  EXPECT_EQ(store.IndexCount("profile", "web"), 1u);
  store.Upsert("ns/z", Make("z", "web"));
  store.Upsert("ns/a", Make("a", "web"));
  EXPECT_EQ(store.IndexKeys("profile", "web"), (std::vector<std::string>{"ns/a", "ns/m", "ns/z"}));
  EXPECT_EQ(store.IndexCount("profile", "web"), 3u);
  std::vector<Ptr> objects = store.ByIndex("profile", "web");
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0]->metadata.name, "a");
  EXPECT_EQ(objects[2]->metadata.name, "z");
  store.Remove("ns/m");
  store.Upsert("ns/a", Make("a", "db", "2"));  // moves to another value
  EXPECT_EQ(store.IndexKeys("profile", "web"), std::vector<std::string>{"ns/z"});
  EXPECT_EQ(store.IndexKeys("profile", "db"), std::vector<std::string>{"ns/a"});
  EXPECT_EQ(store.ByIndex("profile", "web").at(0)->metadata.name, "z");
  store.Remove("ns/z");
  EXPECT_EQ(store.IndexCount("profile", "web"), 0u);
  EXPECT_TRUE(store.ByIndex("profile", "web").empty());
}

TEST(StoreTest, AnObjectUpsertedWithTheSameIndexValueStaysIndexedOnce) {
  auto store = MakeStore();
  store.Upsert("ns/a", Make("a", "web", "1"));
  store.Upsert("ns/a", Make("a", "web", "2"));
  EXPECT_EQ(store.IndexCount("profile", "web"), 1u);
  EXPECT_EQ(store.ByIndex("profile", "web").at(0)->metadata.resource_version, "2");
}

TEST(StoreTest, IndexesFollowTheObjectsOfAReplace) {
  auto store = MakeStore();
  store.Upsert("ns/a", Make("a", "web"));
  store.Upsert("ns/b", Make("b", "web"));
  store.Replace({{"ns/b", store.Hold(Make("b", "web", "2"))}, {"ns/c", store.Hold(Make("c", "web"))}});
  std::vector<Ptr> objects = store.ByIndex("profile", "web");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0]->metadata.resource_version, "2");
  EXPECT_EQ(objects[1]->metadata.name, "c");
  store.Remove("ns/b");
  EXPECT_EQ(store.IndexKeys("profile", "web"), std::vector<std::string>{"ns/c"});
}

// A codec for the tests: a ConfigMap packed as "name profile resourceVersion".
StoreCodec<ConfigMap> SpaceSeparated(int* unpacked) {
  return {.pack =
              [](const ConfigMap& cm) {
                const std::string* p = cm.metadata.labels.Find("profile");
                return cm.metadata.name + " " + (p ? *p : "") + " " + cm.metadata.resource_version;
              },
          .unpack =
              [unpacked](std::string_view packed) {
                ++*unpacked;
                std::string s(packed);
                size_t a = s.find(' '), b = s.rfind(' ');
                ConfigMap cm;
                cm.metadata.name = s.substr(0, a);
                cm.metadata.ns = "ns";
                cm.metadata.resource_version = s.substr(b + 1);
                if (b > a + 1) cm.metadata.labels.Set("profile", s.substr(a + 1, b - a - 1));
                return cm;
              }};
}

TEST(StoreTest, APackingStoreUnpacksAFreshObjectOnEveryRead) {
  int unpacked = 0;
  Store<ConfigMap> store({{"profile",
                           [](const ConfigMap& cm) {
                             const std::string* p = cm.metadata.labels.Find("profile");
                             return p ? std::vector<std::string>{*p} : std::vector<std::string>{};
                           }}},
                         SpaceSeparated(&unpacked));
  Ptr a = Make("a", "web");
  store.Upsert("ns/a", a);
  EXPECT_EQ(unpacked, 0);
  Ptr got = store.Get("ns/a");
  ASSERT_NE(got, nullptr);
  EXPECT_NE(got, a);  // its own copy
  EXPECT_EQ(got->metadata.name, "a");
  EXPECT_EQ(*got->metadata.labels.Find("profile"), "web");
  EXPECT_EQ(unpacked, 1);
  EXPECT_EQ(store.Hold(a).obj, nullptr);
  EXPECT_FALSE(store.Hold(a).packed.empty());

  Ptr old = store.Upsert("ns/a", Make("a", "db", "2"));  // the old one is unpacked to unindex it
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->metadata.resource_version, "1");
  EXPECT_TRUE(store.IndexKeys("profile", "web").empty());
  EXPECT_EQ(store.ByIndex("profile", "db").at(0)->metadata.resource_version, "2");
  store.Replace({{"ns/b", store.Hold(Make("b", "web"))}});
  EXPECT_EQ(store.IndexKeys("profile", "web"), std::vector<std::string>{"ns/b"});
  EXPECT_EQ(store.List().size(), 1u);
  EXPECT_EQ(store.Remove("ns/b")->metadata.name, "b");
  EXPECT_EQ(store.size(), 0u);
}

}  // namespace
}  // namespace certplane::kube

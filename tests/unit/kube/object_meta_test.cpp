#include <gtest/gtest.h>

#include "kube/base64.h"
#include "kube/flags.h"
#include "kube/leader_election.h"
#include "kube/object_meta.h"
#include "kube/rest_client.h"

namespace certplane::kube {
namespace {

using nlohmann::json;

TEST(ObjectMetaTest, DropsManagedFieldsAndLastAppliedConfiguration) {
  json j = json::parse(R"({
    "metadata": {"name": "web", "namespace": "shop", "uid": "u1", "resourceVersion": "42", "generation": 3,
      "labels": {"b": "2", "a": "1"},
      "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...huge...}", "keep": "me"},
      "managedFields": [{"manager": "kubectl", "fieldsV1": {}}],
      "ownerReferences": [{"apiVersion": "certplane.io/v1alpha1", "kind": "Certificate", "name": "c", "uid": "u0", "controller": true}],
      "finalizers": ["certplane.io/cleanup"]},
    "data": {"k": "v"}})");
  ConfigMap cm = j.get<ConfigMap>();
  EXPECT_EQ(cm.metadata.name, "web");
  EXPECT_EQ(cm.metadata.ns, "shop");
  EXPECT_EQ(cm.metadata.generation, 3);
  EXPECT_EQ(cm.metadata.annotations.size(), 1u);
  EXPECT_EQ(cm.metadata.annotations.Find("kubectl.kubernetes.io/last-applied-configuration"), nullptr);
  EXPECT_EQ(*cm.metadata.labels.Find("a"), "1");
  ASSERT_EQ(cm.metadata.owner_references.size(), 1u);
  EXPECT_TRUE(cm.metadata.owner_references[0].controller);
  EXPECT_EQ(cm.metadata.finalizers, std::vector<std::string>{"certplane.io/cleanup"});
  EXPECT_EQ(ObjectKey(cm.metadata), "shop/web");
  json back = cm;
  EXPECT_FALSE(back["metadata"].contains("managedFields"));
  EXPECT_EQ(back["data"]["k"], "v");
}

TEST(ObjectMetaTest, StringMapStaysSorted) {
  StringMap m{{"z", "1"}, {"a", "2"}};
  m.Set("m", "3");
  m.Set("a", "4");
  std::vector<std::string> keys;
  for (const auto& [k, v] : m) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "m", "z"}));
  EXPECT_EQ(*m.Find("a"), "4");
  EXPECT_TRUE(m.Erase("m"));
  EXPECT_FALSE(m.Erase("m"));
  EXPECT_EQ(m.Find("m"), nullptr);
}

TEST(LeaseTest, RoundTripsTheSpec) {
  Lease l;
  l.metadata.name = "controller";
  l.holder_identity = "pod-a";
  l.lease_duration_seconds = 15;
  l.acquire_time = "2026-01-01T00:00:00.000000Z";
  l.lease_transitions = 2;
  Lease back = json(l).get<Lease>();
  EXPECT_EQ(back.holder_identity, "pod-a");
  EXPECT_EQ(back.lease_duration_seconds, 15);
  EXPECT_EQ(back.lease_transitions, 2);
  EXPECT_EQ(FormatMicroTime(std::chrono::system_clock::time_point{} + std::chrono::microseconds(1'700'000'000'123'456)),
            "2023-11-14T22:13:20.123456Z");
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (std::string s :
       std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    auto decoded = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(Base64Decode("Zm9v\nYmFy"), "foobar");
  EXPECT_FALSE(Base64Decode("Zm9").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zg==").has_value());
}

TEST(QueryTest, PercentEncodesSelectors) {
  EXPECT_EQ(EncodeQuery({{"labelSelector", "app in (a,b),!legacy"}, {"limit", "100"}}),
            "?labelSelector=app%20in%20%28a%2Cb%29%2C%21legacy&limit=100");
  EXPECT_EQ(Client::Path(kConfigMaps, "shop", "web"), "/api/v1/namespaces/shop/configmaps/web");
  EXPECT_EQ(Client::Path(kLeases, "kube-system", "x", "status"),
            "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x/status");
  EXPECT_EQ(Client::Path(kNamespaces, "ignored", "shop"), "/api/v1/namespaces/shop");
}

TEST(FlagsTest, ParsesTheKubeFlags) {
  KubeFlags flags;
  for (const char* arg : {"--kubeconfig=/k", "--kube-api-qps=50.5", "--kube-api-burst=80", "--leader-elect=false",
                          "--leader-elect-lease-duration=30s", "--leader-elect-renew-deadline=20000ms",
                          "--leader-elect-retry-period=1m"}) {
    auto used = ParseKubeFlag(arg, flags);
    ASSERT_TRUE(used.ok()) << used.status();
    EXPECT_TRUE(*used) << arg;
  }
  EXPECT_EQ(flags.kubeconfig, "/k");
  EXPECT_DOUBLE_EQ(flags.qps, 50.5);
  EXPECT_EQ(flags.burst, 80);
  EXPECT_FALSE(flags.leader_elect);
  EXPECT_EQ(flags.lease_duration, std::chrono::seconds(30));
  EXPECT_EQ(flags.renew_deadline, std::chrono::seconds(20));
  EXPECT_EQ(flags.retry_period, std::chrono::minutes(1));
  EXPECT_FALSE(*ParseKubeFlag("--metrics-port=8080", flags));
  EXPECT_FALSE(*ParseKubeFlag("positional", flags));
  auto bad = ParseKubeFlag("--kube-api-burst=lots", flags);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--kube-api-burst"), std::string::npos);
  EXPECT_FALSE(ParseKubeFlag("--leader-elect-retry-period=2 fortnights", flags).ok());
}

TEST(LeaderElectionConfigTest, RequiresLeaseLongerThanDeadlineLongerThanRetries) {
  LeaderElectionConfig c;
  c.lease_namespace = "ns";
  c.lease_name = "lease";
  c.identity = "me";
  EXPECT_TRUE(ValidateLeaderElectionConfig(c).ok());
  c.renew_deadline = c.lease_duration;
  EXPECT_EQ(ValidateLeaderElectionConfig(c).code(), StatusCode::kInvalidArgument);
  c.renew_deadline = std::chrono::seconds(2);
  EXPECT_EQ(ValidateLeaderElectionConfig(c).code(), StatusCode::kInvalidArgument);
  c.renew_deadline = std::chrono::seconds(10);
  c.identity.clear();
  EXPECT_EQ(ValidateLeaderElectionConfig(c).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace certplane::kube

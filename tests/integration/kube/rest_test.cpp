// REST against the real API server: CRUD, patch, apply, the status subresource,
// pagination, and every error kind as a value.
#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "kube/object_meta.h"
#include "kube/resource.h"
#include "kube/rest_client.h"
#include "kube_test.h"

namespace certplane {
namespace {

using nlohmann::json;
using testing::KubeTest;

kube::ApplyOptions Manager(const std::string& name, bool force = false) {
  kube::ApplyOptions o;
  o.field_manager = name;
  o.force = force;
  return o;
}

kube::WriteOptions StatusSubresource() {
  kube::WriteOptions o;
  o.subresource = "status";
  return o;
}

json ConfigMapJson(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"key", value}}}};
}

json PodJson(const std::string& name, const std::string& app) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"labels", {{"app", app}}}}},
          {"spec", {{"containers", json::array({{{"name", "main"}, {"image", "registry.invalid/none:1"}}})}}}};
}

class RestTest : public KubeTest {};

TEST_F(RestTest, CreatesGetsUpdatesPatchesAndDeletes) {
  auto created = client().Create(kube::kConfigMaps, ns(), ConfigMapJson("crud", "one"));
  ASSERT_TRUE(created.ok()) << created.status();

  auto got = client().Get(kube::kConfigMaps, ns(), "crud");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["data"]["key"], "one");

  json changed = *got;
  changed["data"]["key"] = "two";
  auto updated = client().Update(kube::kConfigMaps, ns(), changed);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ((*updated)["data"]["key"], "two");
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], (*got)["metadata"]["resourceVersion"]);

  auto patched = client().MergePatch(kube::kConfigMaps, ns(), "crud", {{"data", {{"added", "three"}}}});
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ((*patched)["data"]["key"], "two");
  EXPECT_EQ((*patched)["data"]["added"], "three");

  auto deleted = client().Delete(kube::kConfigMaps, ns(), "crud");
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(client().Get(kube::kConfigMaps, ns(), "crud").status().code(), StatusCode::kNotFound);
}

TEST_F(RestTest, RoundTripsTypedObjects) {
  kube::ConfigMap cm;
  cm.metadata.name = "typed";
  cm.metadata.labels.Set("certplane.io/test", "typed");
  cm.data.Set("a", "1");
  auto created = kube::As<kube::ConfigMap>(client().Create(kube::kConfigMaps, ns(), cm));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->metadata.ns, ns());
  ASSERT_NE(created->metadata.labels.Find("certplane.io/test"), nullptr);
  EXPECT_EQ(*created->data.Find("a"), "1");
  EXPECT_FALSE(created->metadata.resource_version.empty());
}

TEST_F(RestTest, AppliesServerSideWithFieldManagersAndForce) {
  json desired = ConfigMapJson("applied", "from-a");
  auto first = client().Apply(kube::kConfigMaps, ns(), "applied", desired, Manager("manager-a"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)["data"]["key"], "from-a");

  // Another manager changing a field manager-a owns conflicts unless it forces.
  json other = ConfigMapJson("applied", "from-b");
  auto conflict = client().Apply(kube::kConfigMaps, ns(), "applied", other, Manager("manager-b"));
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status();
  ASSERT_NE(conflict.api_error(), nullptr);
  EXPECT_EQ(conflict.api_error()->http_status, 409);

  auto forced = client().Apply(kube::kConfigMaps, ns(), "applied", other, Manager("manager-b", true));
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ((*forced)["data"]["key"], "from-b");
}

TEST_F(RestTest, WritesTheStatusSubresource) {
  auto pod = client().Create(kube::kPods, ns(), PodJson("status", "s"));
  ASSERT_TRUE(pod.ok()) << pod.status();
  json with_status = *pod;
  with_status["status"]["phase"] = "Running";
  with_status["spec"]["activeDeadlineSeconds"] = 10;  // ignored by the status subresource
  auto updated = client().UpdateStatus(kube::kPods, ns(), with_status);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ((*updated)["status"]["phase"], "Running");
  EXPECT_FALSE((*updated)["spec"].contains("activeDeadlineSeconds"));

  auto patched =
      client().MergePatch(kube::kPods, ns(), "status", {{"status", {{"phase", "Succeeded"}}}}, StatusSubresource());
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ((*patched)["status"]["phase"], "Succeeded");
  auto read = client().Get(kube::kPods, ns(), "status", "status");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ((*read)["status"]["phase"], "Succeeded");
}

// Every write verb, asked for metadata only, gets the object's metadata and nothing of
// its data back, while the write itself lands whole; an error is still a Status.
TEST_F(RestTest, WritesAskedForMetadataOnlyReturnNoData) {
  const kube::WriteOptions metadata_only{.metadata_only = true};
  json secret = {
      {"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "quiet"}}}, {"data", {{"tls.key", "c2VjcmV0"}}}};
  auto no_data = [](const json& response) {
    EXPECT_EQ(response.value("kind", ""), "PartialObjectMetadata") << response.dump();
    EXPECT_FALSE(response.contains("data")) << response.dump();
    EXPECT_FALSE(response["metadata"].value("resourceVersion", "").empty()) << response.dump();
  };

  auto created = client().Create(kube::kSecrets, ns(), secret, metadata_only);
  ASSERT_TRUE(created.ok()) << created.status();
  no_data(*created);

  secret["metadata"]["resourceVersion"] = (*created)["metadata"]["resourceVersion"];
  secret["data"]["tls.key"] = "c2VjcmV1";
  auto updated = client().Update(kube::kSecrets, ns(), secret, metadata_only);
  ASSERT_TRUE(updated.ok()) << updated.status();
  no_data(*updated);
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], (*created)["metadata"]["resourceVersion"]);

  auto patched = client().MergePatch(kube::kSecrets, ns(), "quiet", {{"data", {{"ca.crt", "Y2E="}}}}, metadata_only);
  ASSERT_TRUE(patched.ok()) << patched.status();
  no_data(*patched);

  kube::ApplyOptions apply = Manager("manager-quiet", true);
  apply.metadata_only = true;
  json applied_secret = {
      {"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "quiet"}}}, {"data", {{"tls.crt", "Y3J0"}}}};
  auto applied = client().Apply(kube::kSecrets, ns(), "quiet", applied_secret, apply);
  ASSERT_TRUE(applied.ok()) << applied.status();
  no_data(*applied);

  auto read = client().Get(kube::kSecrets, ns(), "quiet");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ((*read)["data"]["tls.key"], "c2VjcmV1");
  EXPECT_EQ((*read)["data"]["ca.crt"], "Y2E=");
  EXPECT_EQ((*read)["data"]["tls.crt"], "Y3J0");

  auto stale = client().Update(kube::kSecrets, ns(), secret, metadata_only);  // the old resourceVersion
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict) << stale.status();
}

TEST_F(RestTest, ReturnsNotFoundForAMissingObject) {
  auto got = client().Get(kube::kConfigMaps, ns(), "missing");
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  ASSERT_NE(got.api_error(), nullptr);
  EXPECT_EQ(got.api_error()->reason, "NotFound");
  EXPECT_EQ(got.api_error()->http_status, 404);
  EXPECT_NE(got.status().message().find("\"missing\" not found"), std::string::npos) << got.status();
}

TEST_F(RestTest, ReturnsAlreadyExistsForADuplicateCreate) {
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("twice", "1")).ok());
  auto again = client().Create(kube::kConfigMaps, ns(), ConfigMapJson("twice", "2"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  ASSERT_NE(again.api_error(), nullptr);
  EXPECT_EQ(again.api_error()->reason, "AlreadyExists");
  EXPECT_EQ(again.api_error()->http_status, 409);
}

TEST_F(RestTest, ReturnsConflictForAStaleUpdate) {
  auto created = client().Create(kube::kConfigMaps, ns(), ConfigMapJson("stale", "v1"));
  ASSERT_TRUE(created.ok()) << created.status();
  json stale = *created;
  json fresh = *created;
  fresh["data"]["key"] = "v2";
  ASSERT_TRUE(client().Update(kube::kConfigMaps, ns(), fresh).ok());

  stale["data"]["key"] = "lost-update";
  auto conflict = client().Update(kube::kConfigMaps, ns(), stale);
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status();
  ASSERT_NE(conflict.api_error(), nullptr);
  EXPECT_EQ(conflict.api_error()->http_status, 409);
  EXPECT_EQ(conflict.api_error()->reason, "Conflict");
  EXPECT_TRUE(IsRetryable(conflict.status().code()));
  EXPECT_EQ((*client().Get(kube::kConfigMaps, ns(), "stale"))["data"]["key"], "v2");
}

TEST_F(RestTest, ReturnsInvalidWithTheFieldThatIsWrong) {
  auto invalid = client().Create(kube::kConfigMaps, ns(), ConfigMapJson("Not_A_Valid_Name", "x"));
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument) << invalid.status();
  ASSERT_NE(invalid.api_error(), nullptr);
  EXPECT_EQ(invalid.api_error()->reason, "Invalid");
  EXPECT_EQ(invalid.api_error()->http_status, 422);
  ASSERT_FALSE(invalid.api_error()->causes.empty());
  EXPECT_EQ(invalid.api_error()->causes[0].field, "metadata.name");
}

TEST_F(RestTest, HonoursRetryAfterOnTooManyRequests) {
  // With no disruption controller, a PodDisruptionBudget never catches up with its
  // generation, so evicting a running pod it covers is refused with 429 and a
  // Retry-After of 10 s.
  auto pod = client().Create(kube::kPods, ns(), PodJson("guarded", "guarded"));
  ASSERT_TRUE(pod.ok()) << pod.status();
  ASSERT_TRUE(client()
                  .MergePatch(kube::kPods, ns(), "guarded", {{"status", {{"phase", "Running"}}}}, StatusSubresource())
                  .ok());
  json pdb = {{"apiVersion", "policy/v1"},
              {"kind", "PodDisruptionBudget"},
              {"metadata", {{"name", "guard"}}},
              {"spec", {{"minAvailable", 1}, {"selector", {{"matchLabels", {{"app", "guarded"}}}}}}}};
  ASSERT_TRUE(client().Create(kube::kPodDisruptionBudgets, ns(), pdb).ok());

  kube::ClientOptions one_retry;
  one_retry.max_retries = 1;
  auto throttled = testing::NewClient(one_retry);
  kube::RawRequest evict;
  evict.method = "POST";
  evict.path = kube::Client::Path(kube::kPods, ns(), "guarded", "eviction");
  evict.body =
      json(
          {{"apiVersion", "policy/v1"}, {"kind", "Eviction"}, {"metadata", {{"name", "guarded"}, {"namespace", ns()}}}})
          .dump();
  auto refused = throttled->Raw(evict);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted) << refused.status();
  ASSERT_NE(refused.api_error(), nullptr);
  EXPECT_EQ(refused.api_error()->reason, "TooManyRequests");
  EXPECT_EQ(refused.api_error()->http_status, 429);
  ASSERT_TRUE(refused.retry_after().has_value());
  EXPECT_EQ(*refused.retry_after(), std::chrono::seconds(10));
  EXPECT_EQ(refused.api_error()->attempts, 2) << "the client retries once after the advised delay";
  EXPECT_LT(throttled->current_qps(), one_retry.qps) << "a 429 slows the whole client down";
}

TEST_F(RestTest, AClosedWriteGateRefusesEveryWriteUnsentAndLetsReadsThrough) {
  ASSERT_TRUE(client().Create(kube::kConfigMaps, ns(), ConfigMapJson("gated", "before")).ok());
  std::atomic<bool> open{false};
  std::atomic<int> sent{0};
  kube::ClientOptions options;
  options.write_gate = [&open] { return open ? Status::Ok() : FailedPrecondition("not the leader"); };
  options.on_response = [&sent](const std::string&, int) { ++sent; };
  auto gated = testing::NewClient(options);

  EXPECT_TRUE(gated->Get(kube::kConfigMaps, ns(), "gated").ok());
  EXPECT_EQ(sent, 1);
  auto created = gated->Create(kube::kConfigMaps, ns(), ConfigMapJson("refused", "x"));
  EXPECT_EQ(created.status().code(), StatusCode::kFailedPrecondition) << created.status();
  EXPECT_NE(created.status().message().find("not the leader"), std::string::npos) << created.status();
  EXPECT_EQ(gated->MergePatch(kube::kConfigMaps, ns(), "gated", {{"data", {{"key", "after"}}}}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(gated->Delete(kube::kConfigMaps, ns(), "gated").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sent, 1) << "a refused write is never sent, so never counted as a request";
  EXPECT_EQ(client().Get(kube::kConfigMaps, ns(), "refused").status().code(), StatusCode::kNotFound);
  auto unchanged = kube::As<kube::ConfigMap>(client().Get(kube::kConfigMaps, ns(), "gated"));
  ASSERT_TRUE(unchanged.ok());
  const std::string* value = unchanged->data.Find("key");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, "before");

  open = true;
  EXPECT_TRUE(gated->Create(kube::kConfigMaps, ns(), ConfigMapJson("allowed", "x")).ok());
}

TEST_F(RestTest, ReturnsUnauthorizedForABadToken) {
  kube::ClusterConfig config = testing::TestClusterConfig();
  config.client_cert_pem.clear();
  config.client_key_pem = SensitiveString();
  config.bearer_token = SensitiveString("not-a-valid-token");
  auto client = kube::Client::Create(config, {});
  ASSERT_TRUE(client.ok()) << client.status();
  auto got = (*client)->Get(kube::kConfigMaps, ns(), "anything");
  EXPECT_EQ(got.status().code(), StatusCode::kUnauthenticated) << got.status();
  ASSERT_NE(got.api_error(), nullptr);
  EXPECT_EQ(got.api_error()->http_status, 401);
  EXPECT_EQ(got.api_error()->reason, "Unauthorized");
}

TEST_F(RestTest, ReturnsForbiddenForAnAnonymousCaller) {
  kube::ClusterConfig config = testing::TestClusterConfig();
  config.client_cert_pem.clear();
  config.client_key_pem = SensitiveString();
  auto client = kube::Client::Create(config, {});
  ASSERT_TRUE(client.ok()) << client.status();
  auto got = (*client)->Get(kube::kConfigMaps, ns(), "anything");
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied) << got.status();
  ASSERT_NE(got.api_error(), nullptr);
  EXPECT_EQ(got.api_error()->http_status, 403);
  EXPECT_EQ(got.api_error()->reason, "Forbidden");
  EXPECT_NE(got.status().message().find("system:anonymous"), std::string::npos) << got.status();
}

TEST_F(RestTest, ReturnsUnavailableForAServerError) {
  // An admission webhook whose service does not exist, scoped to this namespace,
  // makes the API server fail every ConfigMap create here with 500.
  json webhook = {
      {"apiVersion", "admissionregistration.k8s.io/v1"},
      {"kind", "ValidatingWebhookConfiguration"},
      {"metadata", {{"name", ns() + "-broken"}}},
      {"webhooks", json::array({{
                       {"name", "broken.certplane.test"},
                       {"admissionReviewVersions", {"v1"}},
                       {"sideEffects", "None"},
                       {"failurePolicy", "Fail"},
                       {"timeoutSeconds", 2},
                       {"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns()}}}}},
                       {"rules", json::array({{{"apiGroups", {""}},
                                               {"apiVersions", {"v1"}},
                                               {"operations", {"CREATE"}},
                                               {"resources", {"configmaps"}}}})},
                       {"clientConfig", {{"service", {{"namespace", ns()}, {"name", "missing"}, {"port", 443}}}}},
                   }})},
  };
  kube::GroupVersionResource webhooks{"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", false};
  ASSERT_TRUE(client().Create(webhooks, "", webhook).ok());
  struct Cleanup {
    kube::Client& c;
    kube::GroupVersionResource gvr;
    std::string name;
    ~Cleanup() { (void)c.Delete(gvr, "", name); }
  } cleanup{client(), webhooks, ns() + "-broken"};

  kube::ApiResult<json> failed = client().Create(kube::kConfigMaps, ns(), ConfigMapJson("blocked", "x"));
  // The webhook configuration takes a moment to reach the admission chain.
  ASSERT_TRUE(testing::Eventually([&] {
    failed = client().Create(kube::kConfigMaps, ns(), ConfigMapJson("blocked", "x"));
    return !failed.ok();
  }));
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status();
  ASSERT_NE(failed.api_error(), nullptr);
  EXPECT_EQ(failed.api_error()->http_status, 500);
  EXPECT_EQ(failed.api_error()->reason, "InternalError");
  EXPECT_TRUE(IsRetryable(failed.status().code()));
}

TEST_F(RestTest, ReturnsDeadlineExceededWhenTheServerDoesNotAnswerInTime) {
  // A watch with nothing to report holds the response open: with a 1 s client
  // timeout the call ends as a timeout, not a hang.
  kube::RawRequest req;
  req.path = kube::Client::Path(kube::kConfigMaps, ns());
  req.query = {{"watch", "true"}, {"timeoutSeconds", "30"}};
  req.timeout = std::chrono::seconds(1);
  auto result = client().Raw(req);
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded) << result.status();
}

TEST_F(RestTest, ReturnsUnavailableWhenNothingListens) {
  kube::ClusterConfig config = testing::TestClusterConfig();
  config.server = "https://127.0.0.1:1";
  auto client = kube::Client::Create(config, {});
  ASSERT_TRUE(client.ok()) << client.status();
  auto got = (*client)->Get(kube::kConfigMaps, ns(), "anything");
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable) << got.status();
}

TEST_F(RestTest, ListsAThousandObjectsInPagesOfAHundredExactlyOnce) {
  constexpr int kObjects = 1000;
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&] {
      for (int i = next++; i < kObjects; i = next++) {
        json cm = ConfigMapJson("page-" + std::to_string(i), std::to_string(i));
        cm["metadata"]["labels"] = {{"certplane.io/page-test", "yes"}};
        if (!client().Create(kube::kConfigMaps, ns(), cm).ok()) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures.load(), 0);

  std::map<std::string, int> seen;
  int pages = 0;
  kube::ListOptions options;
  options.label_selector = "certplane.io/page-test=yes";
  options.limit = 100;
  while (true) {
    auto page = client().List(kube::kConfigMaps, ns(), options);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    EXPECT_LE(page->items.size(), 100u);
    for (const auto& item : page->items) ++seen[item["metadata"]["name"].get<std::string>()];
    if (page->continue_token.empty()) break;
    options.continue_token = page->continue_token;
  }
  EXPECT_EQ(pages, 10);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kObjects));
  for (const auto& [name, count] : seen) EXPECT_EQ(count, 1) << name;

  // ListEach walks the same pages.
  kube::ListOptions options_for_each;
  options_for_each.label_selector = "certplane.io/page-test=yes";
  options_for_each.limit = 100;
  // Items come whole, as the server sent them, each once, in the pages' order.
  std::vector<std::string> names;
  auto rv = client().ListEach(kube::kConfigMaps, ns(), options_for_each, [&](json&& item) {
    names.push_back(item["metadata"]["name"].get<std::string>());
    EXPECT_EQ(item["data"]["key"], item["metadata"]["name"].get<std::string>().substr(5)) << item.dump();
    return Status::Ok();
  });
  ASSERT_TRUE(rv.ok()) << rv.status();
  EXPECT_FALSE(rv->empty());
  EXPECT_EQ(names.size(), static_cast<size_t>(kObjects));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), static_cast<size_t>(kObjects));

  // An error from the callback stops the listing and is what it returns.
  int calls = 0;
  auto stopped = client().ListEach(kube::kConfigMaps, ns(), options_for_each,
                                   [&](json&&) { return ++calls == 150 ? Cancelled("enough") : Status::Ok(); });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(calls, 150);
}

}  // namespace
}  // namespace certplane

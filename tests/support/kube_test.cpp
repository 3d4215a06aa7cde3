#include "kube_test.h"

#include <cstdlib>
#include <mutex>
#include <set>

#include "kube/logging.h"
#include "kube/resource.h"
#include "process.h"
#include "test_files.h"
#include "test_namespaces.h"

namespace certplane::testing {
namespace {

std::string DnsSafe(const std::string& base) {
  std::string out;
  for (char c : base) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty() && out.back() != '-') out += '-';
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 50) out.resize(50);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "test" : out;
}

// The namespaced collections that support deletecollection, found by discovery once.
const std::vector<kube::GroupVersionResource>& DeletableResources() {
  static std::vector<kube::GroupVersionResource> resources;
  static std::once_flag once;
  std::call_once(once, [] {
    auto client = SharedClient();
    auto add_from = [&](const std::string& group, const std::string& version, const std::string& path) {
      kube::RawRequest req;
      req.path = path;
      auto list = client->RawJson(req);
      if (!list.ok() || !list->contains("resources")) return;
      for (const auto& r : (*list)["resources"]) {
        std::string name = r.value("name", "");
        if (name.empty() || name.find('/') != std::string::npos || !r.value("namespaced", false)) continue;
        bool deletable = false;
        if (r.contains("verbs")) {
          for (const auto& v : r["verbs"]) deletable |= v == "deletecollection";
        }
        if (deletable) resources.push_back({group, version, name, true});
      }
    };
    add_from("", "v1", "/api/v1");
    kube::RawRequest groups_req;
    groups_req.path = "/apis";
    auto groups = client->RawJson(groups_req);
    if (groups.ok() && groups->contains("groups")) {
      for (const auto& g : (*groups)["groups"]) {
        std::string group = g.value("name", "");
        if (!g.contains("preferredVersion")) continue;
        std::string version = g["preferredVersion"].value("version", "");
        add_from(group, version, "/apis/" + group + "/" + version);
      }
    }
  });
  return resources;
}

}  // namespace

void ApplyCertplaneCrds() {
  const std::string crds = RequireEnv("CERTPLANE_SOURCE_DIR") + "/crds/";
  const CommandResult applied = RunTool({"kubectl", "apply", "--server-side", "--force-conflicts", "-f", crds});
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  const CommandResult established =
      RunTool({"kubectl", "wait", "--for=condition=Established", "--timeout=60s", "-f", crds});
  ASSERT_EQ(established.exit_code, 0) << established.output;
}

std::string RequireEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: run integration tests through ctest (the control_plane fixture)";
    return {};
  }
  return v;
}

const kube::ClusterConfig& TestClusterConfig() {
  static const kube::ClusterConfig config = [] {
    const char* path = std::getenv("KUBECONFIG");
    if (path == nullptr || *path == '\0') {
      std::fprintf(stderr, "KUBECONFIG is not set: run integration tests through ctest\n");
      std::abort();
    }
    auto loaded = kube::LoadKubeconfigFiles({path});
    if (!loaded.ok()) {
      std::fprintf(stderr, "loading %s: %s\n", path, loaded.status().ToString().c_str());
      std::abort();
    }
    return *loaded;
  }();
  return config;
}

std::shared_ptr<kube::Client> NewClient(kube::ClientOptions options) {
  auto client = kube::Client::Create(TestClusterConfig(), std::move(options));
  if (!client.ok()) {
    std::fprintf(stderr, "building a client: %s\n", client.status().ToString().c_str());
    std::abort();
  }
  return *client;
}

std::shared_ptr<kube::Client> SharedClient() {
  static const std::shared_ptr<kube::Client> client = [] {
    kube::ClientOptions options;
    options.qps = 500;
    options.burst = 1000;
    return NewClient(options);
  }();
  return client;
}

std::string CreateTestNamespace(const std::string& base) {
  std::string name = DnsSafe(base) + "-" + RandomSuffix();
  nlohmann::json ns = {{"apiVersion", "v1"},
                       {"kind", "Namespace"},
                       {"metadata", {{"name", name}, {"labels", {{"certplane.io/test", "true"}}}}}};
  auto created = SharedClient()->Create(kube::kNamespaces, "", ns);
  if (!created.ok()) {
    ADD_FAILURE() << "creating namespace " << name << ": " << created.status();
    return name;
  }
  RegisterLiveNamespace(name);
  return name;
}

void DeleteTestNamespace(const std::string& ns) {
  auto client = SharedClient();
  for (const auto& gvr : DeletableResources()) {
    auto r = client->DeleteCollection(gvr, ns);
    (void)r;  // best effort: some collections refuse (e.g. nothing to delete)
  }
  auto deleted = client->Delete(kube::kNamespaces, "", ns);
  if (!deleted.ok() && deleted.status().code() != StatusCode::kNotFound) {
    ADD_FAILURE() << "deleting namespace " << ns << ": " << deleted.status();
  }
  // No namespace controller runs here: drop the finalizer so the namespace goes away.
  auto current = client->Get(kube::kNamespaces, "", ns);
  if (current.ok()) {
    nlohmann::json body = *current;
    body["spec"]["finalizers"] = nlohmann::json::array();
    kube::RawRequest req;
    req.method = "PUT";
    req.path = "/api/v1/namespaces/" + ns + "/finalize";
    req.body = body.dump();
    auto finalized = client->Raw(req);
    if (!finalized.ok() && finalized.status().code() != StatusCode::kNotFound) {
      ADD_FAILURE() << "finalizing namespace " << ns << ": " << finalized.status();
    }
  }
  UnregisterLiveNamespace(ns);
}

void KubeTest::SetUp() {
  client_ = SharedClient();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  ns_ = CreateTestNamespace(std::string(info->test_suite_name()) + "-" + info->name());
}

void KubeTest::TearDown() {
  if (!ns_.empty()) DeleteTestNamespace(ns_);
}

}  // namespace certplane::testing

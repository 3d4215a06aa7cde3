#include "helm_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace certplane::testing {
namespace {

struct Suite {
  std::string state_dir;  // the private control plane's folder
  std::string kubeconfig;
  std::unique_ptr<TempDir> helm_home;
};
Suite& S() {
  static Suite s;
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// hack/control-plane with the private state folder.
CommandResult ControlPlane(const std::string& verb) {
  return RunTool({Env("CERTPLANE_SOURCE_DIR") + "/hack/control-plane", verb},
                 {.timeout = std::chrono::seconds(180),
                  .extra_env = {"CERTPLANE_CONTROL_PLANE_DIR=" + S().state_dir, "CERTPLANE_CONTROL_PLANE_TTL=1800"}});
}

}  // namespace

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << "environment variable " << name << " is not set (run the test through ctest)";
    return {};
  }
  return v;
}

std::string ChartDir() { return Env("CERTPLANE_SOURCE_DIR") + "/charts/certplane"; }

CommandResult Helm(const std::vector<std::string>& args, bool may_fail) {
  Suite& s = S();
  if (!s.helm_home) s.helm_home = std::make_unique<TempDir>();
  const std::string home = s.helm_home->path();
  std::vector<std::string> argv{"helm"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r =
      RunTool(argv, {.timeout = std::chrono::seconds(180),
                     .extra_env = {"HELM_CACHE_HOME=" + home + "/cache", "HELM_CONFIG_HOME=" + home + "/config",
                                   "HELM_DATA_HOME=" + home + "/data"}});
  if (!may_fail) {
    EXPECT_EQ(r.exit_code, 0) << "helm " << args[0] << " failed: " << r.output;
  }
  return r;
}

std::vector<YAML::Node> Render(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"template", "certplane", ChartDir(), "--namespace", "certplane-system"};
  args.insert(args.end(), extra.begin(), extra.end());
  CommandResult r = Helm(args);
  std::vector<YAML::Node> out;
  if (r.exit_code != 0) return out;
  for (const YAML::Node& doc : YAML::LoadAll(r.output)) {
    if (doc.IsMap()) out.push_back(doc);
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

void HelmE2E::SetUp() {
  Suite& s = S();
  s.state_dir = Env("CERTPLANE_BINARY_DIR") + "/helm-control-plane-" + RandomSuffix();
  CommandResult up = ControlPlane("up");
  ASSERT_EQ(up.exit_code, 0) << "starting a private control plane in " << s.state_dir << ": " << up.output;
  s.kubeconfig = s.state_dir + "/kubeconfig";
  // kubectl, helm and the controller all read it from here.
  ::setenv("KUBECONFIG", s.kubeconfig.c_str(), 1);
}

void HelmE2E::TearDown() {
  Suite& s = S();
  if (s.state_dir.empty()) return;
  CommandResult down = ControlPlane("down");
  EXPECT_EQ(down.exit_code, 0) << down.output;
  s.state_dir.clear();
  s.kubeconfig.clear();
}

std::string HelmE2E::AdminKubeconfig() { return S().kubeconfig; }

CommandResult HelmE2E::Kubectl(const std::vector<std::string>& args, const std::string& stdin_data, bool may_fail) {
  std::vector<std::string> argv{"kubectl", "--kubeconfig", S().kubeconfig};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = RunTool(argv, {.stdin_data = stdin_data});
  if (!may_fail) {
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << " failed: " << r.output;
  }
  return r;
}

std::string HelmE2E::Get(const std::string& what, const std::string& ns, const std::string& jsonpath) {
  std::vector<std::string> args{"get", what, "-o", "jsonpath=" + jsonpath};
  if (!ns.empty()) {
    args.push_back("-n");
    args.push_back(ns);
  }
  CommandResult r = Kubectl(args, {}, true);
  return r.exit_code == 0 ? r.output : std::string();
}

void HelmE2E::Install(const std::string& release, const std::string& ns, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"install", release, ChartDir(), "--namespace", ns, "--create-namespace"};
  args.insert(args.end(), extra.begin(), extra.end());
  Helm(args);
}

std::string HelmE2E::ServiceAccountKubeconfig(const std::string& ns, const std::string& sa) {
  const std::string server =
      Trim(Kubectl({"config", "view", "--raw", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"}).output);
  const std::string ca = Trim(Kubectl({"config", "view", "--raw", "--minify", "-o",
                                       "jsonpath={.clusters[0].cluster.certificate-authority-data}"})
                                  .output);
  // TokenRequest: a bound, expiring token for the ServiceAccount, as the kubelet mounts.
  const std::string token = Trim(Kubectl({"create", "token", sa, "-n", ns, "--duration=2h"}).output);
  EXPECT_FALSE(server.empty() || ca.empty() || token.empty());
  const std::string path = tmp_.File("sa-" + ns + "-" + sa + ".kubeconfig");
  WriteFile(path,
            "apiVersion: v1\nkind: Config\n"
            "clusters:\n- name: cluster\n  cluster:\n    server: " +
                server + "\n    certificate-authority-data: " + ca + "\nusers:\n- name: " + sa +
                "\n  user:\n    token: " + token +
                "\ncontexts:\n- name: sa\n  context:\n    cluster: cluster\n    user: " + sa +
                "\n    namespace: " + ns + "\ncurrent-context: sa\n");
  ::chmod(path.c_str(), 0600);
  return path;
}

}  // namespace certplane::testing

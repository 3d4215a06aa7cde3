// The chart without a cluster: helm lint, what `helm template` renders for the values a
// user sets, what the schema refuses, that the chart's CRDs are the repository's, and
// that every value is documented in docs/chart.md.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "helm_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Kinds(const std::vector<YAML::Node>& objects) {
  std::vector<std::string> kinds;
  for (const auto& o : objects) kinds.push_back(o["kind"].as<std::string>());
  return kinds;
}

YAML::Node Find(const std::vector<YAML::Node>& objects, const std::string& kind) {
  for (const auto& o : objects) {
    if (o["kind"].as<std::string>() == kind) return o;
  }
  ADD_FAILURE() << "no " << kind << " rendered";
  return YAML::Node();
}

std::vector<std::string> Strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const auto& n : list) out.push_back(n.as<std::string>());
  return out;
}

TEST(ChartTest, LintPassesStrictly) {
  for (const std::vector<std::string>& values :
       {std::vector<std::string>{}, {"--set", "serviceMonitor.enabled=true"}, {"--set", "replicaCount=1"}}) {
    std::vector<std::string> args{"lint", "--strict", ChartDir()};
    args.insert(args.end(), values.begin(), values.end());
    CommandResult r = Helm(args);
    EXPECT_THAT(r.output, HasSubstr("1 chart(s) linted, 0 chart(s) failed"));
  }
}

TEST(ChartTest, RendersEveryObjectOfTheDefaultInstall) {
  auto objects = Render();
  EXPECT_THAT(Kinds(objects), UnorderedElementsAre("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
                                                   "RoleBinding", "Service", "Deployment", "PodDisruptionBudget"));
  for (const auto& o : objects) {
    EXPECT_EQ(o["metadata"]["name"].as<std::string>(), "certplane") << o["kind"];
    EXPECT_EQ(o["metadata"]["labels"]["app.kubernetes.io/instance"].as<std::string>(), "certplane") << o["kind"];
  }
}

TEST(ChartTest, TheDeploymentIsHardenedAndRunsTwoReplicasWithLeaderElection) {
  auto objects = Render();
  YAML::Node deployment = Find(objects, "Deployment");
  ASSERT_TRUE(deployment);
  EXPECT_EQ(deployment["spec"]["replicas"].as<int>(), 2);
  YAML::Node pod = deployment["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"].as<std::string>(), "certplane");
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_EQ(pod["securityContext"]["runAsUser"].as<int>(), 65532);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
  ASSERT_EQ(pod["containers"].size(), 1u);
  YAML::Node c = pod["containers"][0];
  EXPECT_EQ(c["image"].as<std::string>(), "certplane:0.1.0");
  EXPECT_FALSE(c["securityContext"]["allowPrivilegeEscalation"].as<bool>());
  EXPECT_TRUE(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());
  EXPECT_TRUE(c["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_THAT(Strings(c["securityContext"]["capabilities"]["drop"]), UnorderedElementsAre("ALL"));
  EXPECT_FALSE(c["securityContext"]["capabilities"]["add"]);
  EXPECT_EQ(c["securityContext"]["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");

  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"].as<std::string>(), "health");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"].as<std::string>(), "health");
  std::map<std::string, int> ports;
  for (const auto& p : c["ports"]) ports[p["name"].as<std::string>()] = p["containerPort"].as<int>();
  EXPECT_EQ(ports, (std::map<std::string, int>{{"http", 8080}, {"https", 8443}, {"metrics", 9402}, {"health", 9403}}));
  EXPECT_EQ(c["resources"]["requests"]["memory"].as<std::string>(), "64Mi");
  EXPECT_EQ(c["resources"]["limits"]["memory"].as<std::string>(), "256Mi");

  // The namespace and the leader identity come from the downward API.
  std::map<std::string, std::string> env;
  for (const auto& e : c["env"])
    env[e["name"].as<std::string>()] = e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>();
  EXPECT_EQ(env, (std::map<std::string, std::string>{{"POD_NAMESPACE", "metadata.namespace"},
                                                     {"POD_NAME", "metadata.name"}}));

  EXPECT_THAT(Strings(c["args"]), IsSupersetOf({"--leader-elect=true", "--leader-election-id=certplane-controller",
                                                "--http-bind-address=:8080", "--metrics-bind-address=:9402",
                                                "--health-probe-bind-address=:9403",
                                                "--public-base-url=http://certplane.certplane-system.svc",
                                                "--log-format=json", "--log-level=info", "--https-bind-address=:8443",
                                                "--https-dns-names=certplane.certplane-system.svc,"
                                                "certplane.certplane-system.svc.cluster.local",
                                                "--acme-plain-http=false", "--bundle-api-plain-http=false"}));
}

TEST(ChartTest, TheControllerAcceptsTheArgumentsTheChartRenders) {
  // --help last: the binary parses every flag before it prints the help, and refuses an
  // unknown flag or a bad value with exit code 2.
  for (const std::vector<std::string>& values :
       {std::vector<std::string>{},
        {"--set", "controller.logFormat=text", "--set", "controller.workers=16", "--set", "controller.kubeApiQPS=7.5",
         "--set", "controller.leaderElection.leaseDuration=1m", "--set", "controller.extraArgs={--workers=8}"},
        {"--set", "replicaCount=1", "--set", "controller.leaderElection.enabled=false"},
        {"--set", "https.enabled=false", "--set", "acme.plainHTTP=true", "--set", "bundleAPI.plainHTTP=true"},
        {"--set", "https.issuer=corp-issuing", "--set", "https.duration=720h", "--set",
         "https.extraDnsNames={pki.example.com}", "--set", "https.manageCertificate=false"}}) {
    YAML::Node d = Find(Render(values), "Deployment");
    ASSERT_TRUE(d);
    std::vector<std::string> argv{Env("CERTPLANE_BINARY_DIR") + "/controller/certplane-controller"};
    for (const auto& a : Strings(d["spec"]["template"]["spec"]["containers"][0]["args"])) argv.push_back(a);
    argv.push_back("--help");
    CommandResult r = RunTool(argv);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(argv) << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("usage: certplane-controller"));
  }
}

TEST(ChartTest, TheServiceServesHttpOnPort80AndMetrics) {
  YAML::Node service = Find(Render(), "Service");
  ASSERT_TRUE(service);
  std::map<std::string, std::pair<int, std::string>> ports;
  for (const auto& p : service["spec"]["ports"]) {
    ports[p["name"].as<std::string>()] = {p["port"].as<int>(), p["targetPort"].as<std::string>()};
  }
  EXPECT_EQ(ports, (std::map<std::string, std::pair<int, std::string>>{
                       {"http", {80, "http"}}, {"https", {443, "https"}}, {"metrics", {9402, "metrics"}}}));
  EXPECT_EQ(service["spec"]["selector"]["app.kubernetes.io/component"].as<std::string>(), "controller");
}

TEST(ChartTest, ThePublicBaseUrlIsTheServiceUnlessSet) {
  auto url_of = [](const std::vector<std::string>& values) {
    YAML::Node d = Find(Render(values), "Deployment");
    for (const std::string& a : Strings(d["spec"]["template"]["spec"]["containers"][0]["args"])) {
      if (a.rfind("--public-base-url=", 0) == 0) return a.substr(a.find('=') + 1);
    }
    return std::string("(none)");
  };
  EXPECT_EQ(url_of({}), "http://certplane.certplane-system.svc");
  EXPECT_EQ(url_of({"--set", "service.port=8080"}), "http://certplane.certplane-system.svc:8080");
  EXPECT_EQ(url_of({"--set", "fullnameOverride=pki"}), "http://pki.certplane-system.svc");
  EXPECT_EQ(url_of({"--set", "controller.publicBaseURL=https://pki.example.com/"}), "https://pki.example.com");
}

TEST(ChartTest, OptionalObjectsFollowTheirValues) {
  auto monitored = Render({"--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.labels.release=prom"});
  YAML::Node sm = Find(monitored, "ServiceMonitor");
  ASSERT_TRUE(sm);
  EXPECT_EQ(sm["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
  EXPECT_EQ(sm["metadata"]["labels"]["release"].as<std::string>(), "prom");
  EXPECT_EQ(sm["spec"]["endpoints"][0]["port"].as<std::string>(), "metrics");

  EXPECT_THAT(Kinds(Render({"--set", "podDisruptionBudget.enabled=false"})), Not(Contains("PodDisruptionBudget")));
  // With one replica a budget could only block node drains.
  EXPECT_THAT(Kinds(Render({"--set", "replicaCount=1"})), Not(Contains("PodDisruptionBudget")));
  EXPECT_THAT(Kinds(Render({"--set", "rbac.create=false"})),
              UnorderedElementsAre("ServiceAccount", "Service", "Deployment", "PodDisruptionBudget"));
  auto byo_sa = Render({"--set", "serviceAccount.create=false", "--set", "serviceAccount.name=pki-controller"});
  EXPECT_THAT(Kinds(byo_sa), Not(Contains("ServiceAccount")));
  EXPECT_EQ(Find(byo_sa, "Deployment")["spec"]["template"]["spec"]["serviceAccountName"].as<std::string>(),
            "pki-controller");
  EXPECT_EQ(Find(byo_sa, "ClusterRoleBinding")["subjects"][0]["name"].as<std::string>(), "pki-controller");

  YAML::Node pdb = Find(Render({"--set", "podDisruptionBudget.maxUnavailable=50%"}), "PodDisruptionBudget");
  EXPECT_EQ(pdb["spec"]["maxUnavailable"].as<std::string>(), "50%");
  EXPECT_FALSE(pdb["spec"]["minAvailable"]);

  // One replica may run without leader election; then the Role has no Lease rules.
  auto single = Render({"--set", "replicaCount=1", "--set", "controller.leaderElection.enabled=false"});
  YAML::Node args = Find(single, "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"];
  EXPECT_THAT(Strings(args), Contains("--leader-elect=false"));
  for (const auto& rule : Find(single, "Role")["rules"]) {
    EXPECT_THAT(Strings(rule["resources"]), Not(Contains("leases")));
  }
}

// The rules as "<group>/<resource>[/names]: verbs" strings, sorted, so the whole grant
// is one readable value.
std::set<std::string> Grants(const YAML::Node& role) {
  std::set<std::string> out;
  for (const auto& rule : role["rules"]) {
    for (const auto& group : rule["apiGroups"]) {
      for (const auto& resource : rule["resources"]) {
        std::string key =
            (group.as<std::string>().empty() ? "core" : group.as<std::string>()) + "/" + resource.as<std::string>();
        if (rule["resourceNames"]) {
          for (const auto& n : rule["resourceNames"]) key += "[" + n.as<std::string>() + "]";
        }
        std::string verbs;
        for (const auto& v : rule["verbs"]) verbs += (verbs.empty() ? "" : ",") + v.as<std::string>();
        out.insert(key + ": " + verbs);
      }
    }
  }
  return out;
}

TEST(ChartTest, TheRolesGrantExactlyWhatTheControllerUses) {
  auto objects = Render();
  EXPECT_THAT(
      Grants(Find(objects, "ClusterRole")),
      UnorderedElementsAre(
          "certplane.io/certificateauthorities: get,list,watch", "certplane.io/certificatetemplates: get,list,watch",
          "certplane.io/certificateprofiles: get,list,watch", "certplane.io/certificates: get,list,watch",
          "certplane.io/certificatesyncs: get,list,watch", "certplane.io/certificates: update,patch",
          "certplane.io/certificatesyncs: update,patch", "certplane.io/certificatesyncs/status: update,patch",
          "certplane.io/certificateauthorities/status: update,patch",
          "certplane.io/certificatetemplates/status: update,patch",
          "certplane.io/certificateprofiles/status: update,patch", "certplane.io/certificates/status: update,patch",
          "core/secrets: get,list,watch,create,patch", "core/namespaces: list,watch",
          "events.k8s.io/events: create,patch", "authentication.k8s.io/tokenreviews: create",
          "authorization.k8s.io/subjectaccessreviews: create",
          // The HTTPS serving certificate's objects: created once (create cannot be
          // limited to a name), then patched by name only.
          "certplane.io/certificateauthorities: create", "certplane.io/certificatetemplates: create",
          "certplane.io/certificateprofiles: create",
          "certplane.io/certificateauthorities[certplane-serving-certplane-system]: patch",
          "certplane.io/certificatetemplates[certplane-serving-certplane-system]: patch",
          "certplane.io/certificateprofiles[certplane-serving-certplane-system]: patch"));
  // Minting ServiceAccount tokens (for syncs with cloud identity) only when asked for.
  EXPECT_THAT(Grants(Find(Render({"--set", "rbac.syncIdentity=true"}), "ClusterRole")),
              Contains("core/serviceaccounts/token: create"));
  EXPECT_THAT(Grants(Find(objects, "ClusterRole")), Not(Contains("core/serviceaccounts/token: create")));
  EXPECT_THAT(Grants(Find(objects, "Role")),
              UnorderedElementsAre("core/configmaps: get,list,watch,create,update,patch,delete",
                                   "certplane.io/certificates: create", "coordination.k8s.io/leases: create",
                                   "coordination.k8s.io/leases[certplane-controller]: get,update"));
  for (const char* binding : {"ClusterRoleBinding", "RoleBinding"}) {
    YAML::Node b = Find(objects, binding);
    ASSERT_EQ(b["subjects"].size(), 1u);
    EXPECT_EQ(b["subjects"][0]["kind"].as<std::string>(), "ServiceAccount");
    EXPECT_EQ(b["subjects"][0]["name"].as<std::string>(), "certplane");
    EXPECT_EQ(b["subjects"][0]["namespace"].as<std::string>(), "certplane-system");
  }
}

class ChartRefusesTest : public ::testing::TestWithParam<RefusedValues> {};

TEST_P(ChartRefusesTest, WithAMessageNamingTheValue) {
  std::vector<std::string> args{"template", "certplane", ChartDir()};
  for (const auto& s : GetParam().set) {
    args.push_back("--set");
    args.push_back(s);
  }
  CommandResult r = Helm(args, /*may_fail=*/true);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Values, ChartRefusesTest,
    ::testing::Values(
        RefusedValues{"AnUnknownTopLevelValue", {"replicas=3"}, "additional properties 'replicas' not allowed"},
        RefusedValues{"AMisspelledNestedValue", {"controller.loglevel=debug"}, "additional properties 'loglevel'"},
        RefusedValues{"AnUnknownLogLevel", {"controller.logLevel=verbose"}, "/controller/logLevel"},
        RefusedValues{"AnUnknownLogFormat", {"controller.logFormat=xml"}, "/controller/logFormat"},
        RefusedValues{"ANegativeReplicaCount", {"replicaCount=-1"}, "/replicaCount"},
        RefusedValues{"TooManyWorkers", {"controller.workers=1000"}, "/controller/workers"},
        RefusedValues{"AStringForANumber", {"controller.kubeApiBurst=lots"}, "/controller/kubeApiBurst"},
        RefusedValues{"ALeaseDurationThatIsNotADuration",
                      {"controller.leaderElection.leaseDuration=fifteen"},
                      "/controller/leaderElection/leaseDuration"},
        RefusedValues{
            "APublicBaseUrlThatIsNotHttp", {"controller.publicBaseURL=ftp://pki"}, "/controller/publicBaseURL"},
        RefusedValues{"AnExtraArgThatIsNotAFlag", {"controller.extraArgs[0]=workers=3"}, "/controller/extraArgs/0"},
        RefusedValues{"AnUnknownServiceType", {"service.type=Headless"}, "/service/type"},
        RefusedValues{"SeveralReplicasWithoutLeaderElection",
                      {"controller.leaderElection.enabled=false"},
                      "replicaCount > 1 needs controller.leaderElection.enabled"},
        RefusedValues{"NoServiceAccountAndNoName",
                      {"serviceAccount.create=false"},
                      "serviceAccount.name is required when serviceAccount.create is false"}),
    [](const ::testing::TestParamInfo<RefusedValues>& info) { return info.param.name; });

TEST(ChartTest, TheChartsCrdsAreTheRepositorysCrds) {
  CommandResult r = RunTool({Env("CERTPLANE_SOURCE_DIR") + "/hack/sync-chart-crds.sh", "--check"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // And they are not an empty folder that trivially matches an empty one.
  std::set<std::string> chart_crds;
  for (const auto& e : std::filesystem::directory_iterator(ChartDir() + "/crds")) {
    chart_crds.insert(e.path().filename().string());
  }
  EXPECT_THAT(chart_crds,
              UnorderedElementsAre("certplane.io_certificateauthorities.yaml", "certplane.io_certificateprofiles.yaml",
                                   "certplane.io_certificates.yaml", "certplane.io_certificatesyncs.yaml",
                                   "certplane.io_certificatetemplates.yaml"));
}

TEST(ChartTest, TheCrdCheckFindsEveryDriftAndTheSyncFixesIt) {
  TempDir tmp;
  const std::string source = Env("CERTPLANE_SOURCE_DIR");
  const std::string src = tmp.File("crds"), dst = tmp.File("chart-crds");
  std::filesystem::copy(source + "/crds", src);
  std::filesystem::copy(source + "/crds", dst);
  WriteFile(dst + "/certplane.io_certificates.yaml",
            ReadFile(dst + "/certplane.io_certificates.yaml") + "# edited in the chart\n");
  std::filesystem::remove(dst + "/certplane.io_certificateprofiles.yaml");
  WriteFile(dst + "/stale.yaml", "kind: CustomResourceDefinition\n");
  const std::string script = source + "/hack/sync-chart-crds.sh";

  CommandResult check = RunTool({script, "--check", src, dst});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_THAT(check.output, HasSubstr("differs: certplane.io_certificates.yaml"));
  EXPECT_THAT(check.output, HasSubstr("missing from the chart: certplane.io_certificateprofiles.yaml"));
  EXPECT_THAT(check.output, HasSubstr("only in the chart: stale.yaml"));

  CommandResult sync = RunTool({script, src, dst});
  EXPECT_EQ(sync.exit_code, 0) << sync.output;
  CommandResult again = RunTool({script, "--check", src, dst});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_FALSE(std::filesystem::exists(dst + "/stale.yaml"));
  EXPECT_EQ(ReadFile(dst + "/certplane.io_certificates.yaml"), ReadFile(src + "/certplane.io_certificates.yaml"));
}

// values.yaml's keys as dotted paths, down to the values a user sets one by one; the
// values that are Kubernetes objects passed through as given (resources, probes,
// security contexts, labels, scheduling) count as one each.
void LeafPaths(const YAML::Node& node, const std::string& prefix, std::vector<std::string>& out) {
  static const std::set<std::string> kOpaque = {"resources",
                                                "podSecurityContext",
                                                "securityContext",
                                                "livenessProbe",
                                                "readinessProbe",
                                                "affinity",
                                                "nodeSelector",
                                                "podAnnotations",
                                                "podLabels",
                                                "commonLabels",
                                                "serviceAccount.annotations",
                                                "service.annotations",
                                                "serviceMonitor.labels"};
  for (const auto& kv : node) {
    const std::string path = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
    if (kv.second.IsMap() && kv.second.size() > 0 && !kOpaque.count(path)) {
      LeafPaths(kv.second, path, out);
    } else {
      out.push_back(path);
    }
  }
}

TEST(ChartTest, EveryValueIsDescribedInTheChartDocs) {
  std::vector<std::string> paths;
  LeafPaths(YAML::LoadFile(ChartDir() + "/values.yaml"), "", paths);
  ASSERT_GT(paths.size(), 30u);
  const std::string docs = ReadFile(Env("CERTPLANE_SOURCE_DIR") + "/docs/chart.md");
  for (const auto& p : paths) {
    EXPECT_THAT(docs, HasSubstr("| `" + p + "` |")) << "docs/chart.md's table of values lacks " << p;
  }
}

}  // namespace
}  // namespace certplane::testing

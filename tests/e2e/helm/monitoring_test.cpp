// The chart's monitoring, without a cluster: the PrometheusRule and the Grafana
// dashboard ConfigMap render only when asked for, from the values given; every metric
// they query is one the controller exports (read from the registrations in src/); the
// rules pass `promtool check rules`, and `promtool test rules` (alerts_test.yaml) sees
// every alert fire on its series and stay quiet on healthy ones; and an alert whose
// expression is broken fails those tests.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "helm_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

const std::vector<std::string> kAlerts = {"CertplaneCertificateExpiringSoon",
                                          "CertplaneCertificateRenewalOverdue",
                                          "CertplaneIssuanceFailing",
                                          "CertplaneCRLNextUpdateClose",
                                          "CertplaneNoLeader",
                                          "CertplaneControllerDown",
                                          "CertplaneReplicaDown"};

std::vector<YAML::Node> OfKind(const std::vector<YAML::Node>& objects, const std::string& kind) {
  std::vector<YAML::Node> out;
  for (const auto& o : objects) {
    if (o["kind"].as<std::string>() == kind) out.push_back(o);
  }
  return out;
}

// The one object of `kind`; fails the test unless there is exactly one.
YAML::Node One(const std::vector<YAML::Node>& objects, const std::string& kind) {
  auto found = OfKind(objects, kind);
  if (found.size() != 1) {
    ADD_FAILURE() << found.size() << " objects of kind " << kind << " rendered, expected 1";
    return YAML::Node();
  }
  return found[0];
}

YAML::Node RenderRule(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"--set", "prometheusRule.enabled=true"};
  args.insert(args.end(), extra.begin(), extra.end());
  return One(Render(args), "PrometheusRule");
}

// The rules of the PrometheusRule's groups, by alert name.
std::map<std::string, YAML::Node> AlertsOf(const YAML::Node& rule) {
  std::map<std::string, YAML::Node> out;
  for (const auto& group : rule["spec"]["groups"]) {
    for (const YAML::Node& r : group["rules"]) out.emplace(r["alert"].as<std::string>(), r);
  }
  return out;
}

// The metric families the controller registers, with their types, read from the
// registrations in src/ (registry.Counter("certplane_...", ...) and the like).
std::map<std::string, std::string> ExportedFamilies() {
  static const std::regex kRegistration(R"re(\b(Counter|Gauge|GaugeFunc|Histogram)\(\s*"(certplane_[a-z0-9_]+)")re");
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(Env("CERTPLANE_SOURCE_DIR") + "/src")) {
    const std::string ext = e.path().extension().string();
    if (!e.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
    const std::string text = ReadFile(e.path().string());
    if (text.find("\"certplane_") == std::string::npos) continue;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kRegistration); it != std::sregex_iterator(); ++it) {
      const std::string kind = (*it)[1];
      out[(*it)[2]] = kind == "Counter" ? "counter" : kind == "Histogram" ? "histogram" : "gauge";
    }
  }
  return out;
}

// The metric names a PromQL expression selects: every certplane_ name, and every other
// name that a label selector follows (a function is followed by "(", not "{").
std::set<std::string> MetricsIn(const std::string& expr) {
  static const std::regex kCertplane(R"(\bcertplane_[a-z0-9_]+)");
  static const std::regex kSelected(R"(\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kCertplane); it != std::sregex_iterator(); ++it) {
    out.insert(it->str());
  }
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kSelected); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

// Whether `name` is a series the controller exports (a histogram's _bucket, _sum and
// _count included) or Prometheus' own `up`.
bool Exported(const std::map<std::string, std::string>& families, const std::string& name) {
  if (name == "up" || families.count(name)) return true;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      auto it = families.find(name.substr(0, name.size() - s.size()));
      if (it != families.end() && it->second == "histogram") return true;
    }
  }
  return false;
}

TEST(MonitoringChartTest, TheMetricListFromTheSourceIsComplete) {
  // The extraction the other tests rely on finds the families the alerts need.
  auto families = ExportedFamilies();
  EXPECT_THAT(
      (std::set<std::string>{
          "certplane_certificate_expiration_timestamp_seconds", "certplane_certificate_renewal_timestamp_seconds",
          "certplane_certificate_issuance_failures_total", "certplane_crl_next_update_timestamp_seconds",
          "certplane_crl_this_update_timestamp_seconds", "certplane_leader_election_status",
          "certplane_reconcile_duration_seconds", "certplane_kube_api_requests_total"}),
      ::testing::Each(::testing::Truly([&](const std::string& n) { return families.count(n) == 1; })));
  EXPECT_EQ(families["certplane_reconcile_duration_seconds"], "histogram");
  EXPECT_EQ(families["certplane_kube_api_requests_total"], "counter");
  EXPECT_FALSE(Exported(families, "certplane_kube_api_requests_total_bucket"));
  EXPECT_TRUE(Exported(families, "certplane_reconcile_duration_seconds_bucket"));
}

TEST(MonitoringChartTest, TheRuleAndTheDashboardRenderOnlyWhenEnabled) {
  auto defaults = Render();
  EXPECT_TRUE(OfKind(defaults, "PrometheusRule").empty());
  EXPECT_TRUE(OfKind(defaults, "ConfigMap").empty());

  auto both = Render({"--set", "prometheusRule.enabled=true", "--set", "grafanaDashboard.enabled=true"});
  YAML::Node rule = One(both, "PrometheusRule");
  ASSERT_TRUE(rule);
  EXPECT_EQ(rule["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
  EXPECT_EQ(rule["metadata"]["name"].as<std::string>(), "certplane");
  EXPECT_EQ(rule["metadata"]["namespace"].as<std::string>(), "certplane-system");
  EXPECT_EQ(rule["metadata"]["labels"]["app.kubernetes.io/instance"].as<std::string>(), "certplane");
  YAML::Node dashboard = One(both, "ConfigMap");
  ASSERT_TRUE(dashboard);
  EXPECT_EQ(dashboard["metadata"]["name"].as<std::string>(), "certplane-dashboard");
  EXPECT_EQ(dashboard["metadata"]["namespace"].as<std::string>(), "certplane-system");
  EXPECT_EQ(dashboard["metadata"]["labels"]["grafana_dashboard"].as<std::string>(), "1");
  // One without the other.
  EXPECT_TRUE(OfKind(Render({"--set", "prometheusRule.enabled=true"}), "ConfigMap").empty());
  EXPECT_TRUE(OfKind(Render({"--set", "grafanaDashboard.enabled=true"}), "PrometheusRule").empty());

  // Where Prometheus and Grafana look for them.
  auto placed = Render({"--set", "prometheusRule.enabled=true", "--set", "prometheusRule.namespace=monitoring", "--set",
                        "prometheusRule.labels.release=prom", "--set", "grafanaDashboard.enabled=true", "--set",
                        "grafanaDashboard.namespace=grafana", "--set", "grafanaDashboard.labels.team=pki", "--set",
                        "grafanaDashboard.annotations.grafana_folder=PKI"});
  rule = One(placed, "PrometheusRule");
  EXPECT_EQ(rule["metadata"]["namespace"].as<std::string>(), "monitoring");
  EXPECT_EQ(rule["metadata"]["labels"]["release"].as<std::string>(), "prom");
  dashboard = One(placed, "ConfigMap");
  EXPECT_EQ(dashboard["metadata"]["namespace"].as<std::string>(), "grafana");
  EXPECT_EQ(dashboard["metadata"]["labels"]["team"].as<std::string>(), "pki");
  EXPECT_EQ(dashboard["metadata"]["labels"]["grafana_dashboard"].as<std::string>(), "1");
  EXPECT_EQ(dashboard["metadata"]["annotations"]["grafana_folder"].as<std::string>(), "PKI");

  CommandResult lint = Helm({"lint", "--strict", ChartDir(), "--set", "prometheusRule.enabled=true", "--set",
                             "grafanaDashboard.enabled=true"});
  EXPECT_THAT(lint.output, HasSubstr("1 chart(s) linted, 0 chart(s) failed"));
}

TEST(MonitoringChartTest, EveryAlertHasASeverityTextsAndARunbookHint) {
  auto alerts = AlertsOf(RenderRule());
  std::vector<std::string> names;
  for (const auto& [name, r] : alerts) names.push_back(name);
  EXPECT_THAT(names, UnorderedElementsAreArray(kAlerts));
  for (const auto& [name, r] : alerts) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(r["expr"].as<std::string>().empty());
    EXPECT_THAT((std::vector<std::string>{"critical", "warning"}), Contains(r["labels"]["severity"].as<std::string>()));
    EXPECT_TRUE(std::regex_match(r["for"].as<std::string>(), std::regex("[0-9]+[smh]")));
    for (const char* key : {"summary", "description", "runbook"}) {
      ASSERT_TRUE(r["annotations"][key]) << key;
      EXPECT_GT(r["annotations"][key].as<std::string>().size(), 20u) << key;
    }
  }
  // The per-object alerts name the object: its namespace (whichever label the scrape
  // left it in) and name, and the runbook the object to describe.
  for (const char* name : {"CertplaneCertificateExpiringSoon", "CertplaneCertificateRenewalOverdue"}) {
    const std::string summary = alerts[name]["annotations"]["summary"].as<std::string>();
    EXPECT_THAT(summary, HasSubstr("{{ or $labels.exported_namespace $labels.namespace }}/{{ $labels.name }}"));
    EXPECT_THAT(alerts[name]["annotations"]["runbook"].as<std::string>(), HasSubstr("kubectl describe certificate"));
  }
  EXPECT_THAT(alerts["CertplaneCRLNextUpdateClose"]["annotations"]["runbook"].as<std::string>(),
              HasSubstr("kubectl describe certificateauthority {{ $labels.name }}"));
  EXPECT_THAT(alerts["CertplaneIssuanceFailing"]["annotations"]["runbook"].as<std::string>(),
              HasSubstr("--field-selector reason={{ $labels.reason }}"));
}

TEST(MonitoringChartTest, ThresholdsDurationsAndTheSelectorComeFromTheValues) {
  auto alerts = AlertsOf(RenderRule({"--set", "prometheusRule.certificateExpiringSoon.within=2d", "--set",
                                     "prometheusRule.certificateExpiringSoon.severity=warning", "--set",
                                     "prometheusRule.certificateRenewalOverdue.after=30m", "--set",
                                     "prometheusRule.issuanceFailing.window=2h", "--set",
                                     "prometheusRule.crlNextUpdateClose.remainingPercent=25", "--set",
                                     "prometheusRule.noLeader.for=3m", "--set", "prometheusRule.controllerDown.for=1m",
                                     "--set-string", R"(prometheusRule.selector=job="pki"\,cluster="prod")"}));
  EXPECT_THAT(alerts["CertplaneCertificateExpiringSoon"]["expr"].as<std::string>(), HasSubstr("< 172800"));
  EXPECT_EQ(alerts["CertplaneCertificateExpiringSoon"]["labels"]["severity"].as<std::string>(), "warning");
  EXPECT_THAT(alerts["CertplaneCertificateRenewalOverdue"]["expr"].as<std::string>(), HasSubstr("> 1800"));
  EXPECT_THAT(alerts["CertplaneIssuanceFailing"]["expr"].as<std::string>(), HasSubstr("[2h]"));
  EXPECT_THAT(alerts["CertplaneCRLNextUpdateClose"]["expr"].as<std::string>(), HasSubstr("< 0.25"));
  EXPECT_EQ(alerts["CertplaneNoLeader"]["for"].as<std::string>(), "3m");
  EXPECT_EQ(alerts["CertplaneControllerDown"]["for"].as<std::string>(), "1m");
  for (const auto& [name, r] : alerts) {
    const std::string expr = r["expr"].as<std::string>();
    EXPECT_THAT(expr, HasSubstr(R"({job="pki",cluster="prod"})")) << name;
    EXPECT_THAT(expr, Not(HasSubstr(R"(job="certplane")"))) << name;
  }
  // Without a selector: the job of the chart's ServiceMonitor, the Service's name.
  auto renamed = AlertsOf(RenderRule({"--set", "fullnameOverride=pki"}));
  EXPECT_THAT(renamed["CertplaneNoLeader"]["expr"].as<std::string>(),
              HasSubstr(R"(certplane_leader_election_status{job="pki"})"));
}

TEST(MonitoringChartTest, TheRulesQueryOnlyMetricsTheControllerExports) {
  const auto families = ExportedFamilies();
  for (const auto& [name, r] : AlertsOf(RenderRule())) {
    const auto metrics = MetricsIn(r["expr"].as<std::string>());
    EXPECT_FALSE(metrics.empty()) << name;
    for (const auto& m : metrics) EXPECT_TRUE(Exported(families, m)) << name << " queries " << m;
  }
}

TEST(MonitoringChartTest, TheDashboardIsValidJsonQueryingOnlyMetricsTheControllerExports) {
  YAML::Node cm = One(Render({"--set", "grafanaDashboard.enabled=true"}), "ConfigMap");
  ASSERT_TRUE(cm);
  const std::string text = cm["data"]["certplane.json"].as<std::string>();
  // The ConfigMap carries the chart's file as it is.
  std::string file = ReadFile(ChartDir() + "/dashboards/certplane.json");
  while (!file.empty() && file.back() == '\n') file.pop_back();
  EXPECT_EQ(text, file);

  nlohmann::json dashboard;
  ASSERT_NO_THROW(dashboard = nlohmann::json::parse(text));
  EXPECT_EQ(dashboard["uid"], "certplane-controller");
  ASSERT_TRUE(dashboard["panels"].is_array());
  const auto families = ExportedFamilies();
  std::set<std::string> titles, queried;
  for (const auto& panel : dashboard["panels"]) {
    const std::string title = panel.value("title", "");
    EXPECT_FALSE(title.empty());
    titles.insert(title);
    ASSERT_TRUE(panel["targets"].is_array() && !panel["targets"].empty()) << title;
    for (const auto& target : panel["targets"]) {
      const std::string expr = target.value("expr", "");
      const auto metrics = MetricsIn(expr);
      EXPECT_FALSE(metrics.empty()) << title << ": " << expr;
      for (const auto& m : metrics) {
        EXPECT_TRUE(Exported(families, m)) << title << " queries " << m;
        queried.insert(m);
      }
      // Every query is limited to the job picked at the top of the dashboard.
      EXPECT_THAT(expr, HasSubstr(R"(job=~"$job")")) << title;
    }
  }
  EXPECT_THAT(titles, IsSupersetOf({"Issuance rate", "Issuance failures", "Work queue depth", "Reconcile latency",
                                    "Kubernetes API requests", "Leader", "CRL time to nextUpdate",
                                    "Certificates expiring soonest"}));
  EXPECT_THAT(queried, IsSupersetOf({"certplane_certificate_issuances_total",
                                     "certplane_certificate_issuance_failures_total", "certplane_workqueue_depth",
                                     "certplane_reconcile_duration_seconds_bucket", "certplane_kube_api_requests_total",
                                     "certplane_leader_election_status", "certplane_crl_next_update_timestamp_seconds",
                                     "certplane_certificate_expiration_timestamp_seconds"}));
}

class MonitoringValuesRefusedTest : public ::testing::TestWithParam<RefusedValues> {};

TEST_P(MonitoringValuesRefusedTest, WithAMessageNamingTheValue) {
  std::vector<std::string> args{"template", "certplane", ChartDir()};
  for (const auto& s : GetParam().set) {
    args.push_back(s.rfind("selector=", 0) == 0 || s.find(".selector=") != std::string::npos ? "--set-string"
                                                                                             : "--set");
    args.push_back(s);
  }
  CommandResult r = Helm(args, /*may_fail=*/true);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Values, MonitoringValuesRefusedTest,
    ::testing::Values(
        RefusedValues{
            "AMisspelledAlertSetting", {"prometheusRule.noLeader.fro=5m"}, "additional properties 'fro' not allowed"},
        RefusedValues{"AnUnknownAlert", {"prometheusRule.certificateExpired.for=5m"}, "certificateExpired"},
        RefusedValues{"AThresholdThatIsNotADuration",
                      {"prometheusRule.certificateExpiringSoon.within=3 days"},
                      "/prometheusRule/certificateExpiringSoon/within"},
        RefusedValues{"AThresholdWithoutAUnit",
                      {"prometheusRule.certificateRenewalOverdue.after=3600"},
                      "/prometheusRule/certificateRenewalOverdue/after"},
        RefusedValues{
            "AForThatIsNotADuration", {"prometheusRule.controllerDown.for=soon"}, "/prometheusRule/controllerDown/for"},
        RefusedValues{
            "AnUnknownSeverity", {"prometheusRule.noLeader.severity=page"}, "/prometheusRule/noLeader/severity"},
        RefusedValues{"APercentageOf100",
                      {"prometheusRule.crlNextUpdateClose.remainingPercent=100"},
                      "/prometheusRule/crlNextUpdateClose/remainingPercent"},
        RefusedValues{"AFractionForAPercentage",
                      {"prometheusRule.crlNextUpdateClose.remainingPercent=0.1"},
                      "/prometheusRule/crlNextUpdateClose/remainingPercent"},
        RefusedValues{
            "ASelectorThatIsNotLabelMatchers", {"prometheusRule.selector=job=certplane"}, "/prometheusRule/selector"},
        RefusedValues{"ADashboardLabelThatIsNotAString",
                      {"grafanaDashboard.labels.team[0]=pki"},
                      "/grafanaDashboard/labels/team"},
        RefusedValues{
            "AnEnabledThatIsNotABoolean", {"grafanaDashboard.enabled=yes please"}, "/grafanaDashboard/enabled"}),
    [](const ::testing::TestParamInfo<RefusedValues>& info) { return info.param.name; });

// promtool over the rendered rules: the PrometheusRule's spec (its groups) is a rule
// file as Prometheus loads it.
class AlertRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CommandResult version = RunTool({"promtool", "--version"});
    ASSERT_EQ(version.exit_code, 0) << "promtool is needed (hack/build-control-plane.sh builds it into the tools "
                                       "folder ctest puts on PATH): "
                                    << version.output;
    rule_ = RenderRule();
    ASSERT_TRUE(rule_);
    WriteFile(tmp_.File("alerts_test.yaml"),
              ReadFile(Env("CERTPLANE_SOURCE_DIR") + "/tests/e2e/helm/alerts_test.yaml"));
  }

  // Writes `spec` as certplane-rules.yaml, where alerts_test.yaml reads it.
  void WriteRules(const YAML::Node& spec) {
    YAML::Emitter out;
    out << spec;
    WriteFile(tmp_.File("certplane-rules.yaml"), std::string(out.c_str()) + "\n");
  }

  // The rendered spec with alert `name`'s expression replaced by `expr`.
  YAML::Node WithExpr(const std::string& name, const std::string& expr) {
    YAML::Node spec = YAML::Clone(rule_["spec"]);
    bool found = false;
    for (auto group : spec["groups"]) {
      for (auto r : group["rules"]) {
        if (r["alert"].as<std::string>() == name) {
          r["expr"] = expr;
          found = true;
        }
      }
    }
    EXPECT_TRUE(found) << name;
    return spec;
  }

  CommandResult TestRules() {
    return RunTool({"promtool", "test", "rules", tmp_.File("alerts_test.yaml")},
                   {.timeout = std::chrono::seconds(120)});
  }

  TempDir tmp_;
  YAML::Node rule_;
};

TEST_F(AlertRulesTest, PromtoolChecksTheRenderedRules) {
  WriteRules(rule_["spec"]);
  CommandResult check = RunTool({"promtool", "check", "rules", tmp_.File("certplane-rules.yaml")});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("SUCCESS: " + std::to_string(kAlerts.size()) + " rules found"));

  // And it would catch an expression that does not parse.
  WriteRules(WithExpr("CertplaneNoLeader", "max by (job) (certplane_leader_election_status{job=\"certplane\"} < 1"));
  CommandResult broken = RunTool({"promtool", "check", "rules", tmp_.File("certplane-rules.yaml")});
  EXPECT_NE(broken.exit_code, 0) << broken.output;
  EXPECT_THAT(broken.output, HasSubstr("FAILED"));
}

TEST_F(AlertRulesTest, EveryAlertFiresOnItsSeriesAndStaysQuietOnHealthyOnes) {
  WriteRules(rule_["spec"]);
  CommandResult r = TestRules();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("SUCCESS"));
}

TEST_F(AlertRulesTest, EveryAlertIsTestedFiringAndNotFiring) {
  std::map<std::string, int> firing, quiet;
  for (const auto& test : YAML::LoadFile(tmp_.File("alerts_test.yaml"))["tests"]) {
    for (const auto& case_ : test["alert_rule_test"]) {
      const std::string name = case_["alertname"].as<std::string>();
      if (case_["exp_alerts"] && case_["exp_alerts"].size() > 0) {
        ++firing[name];
      } else {
        ++quiet[name];
      }
    }
  }
  for (const auto& name : kAlerts) {
    EXPECT_GT(firing[name], 0) << name << " is never expected to fire in alerts_test.yaml";
    EXPECT_GT(quiet[name], 0) << name << " is never expected to stay quiet in alerts_test.yaml";
  }
}

TEST_F(AlertRulesTest, AnAlertThatNeverOrAlwaysFiresFailsTheTests) {
  for (const auto& name : kAlerts) {
    SCOPED_TRACE(name);
    // An expression that never fires misses the case where the alert must fire ...
    WriteRules(WithExpr(name, "vector(0) > 1"));
    CommandResult never = TestRules();
    EXPECT_EQ(never.exit_code, 1) << never.output;
    EXPECT_THAT(never.output, HasSubstr("alertname: " + name));
    // ... and one that always fires breaks the cases where it must stay quiet.
    WriteRules(WithExpr(name, "vector(1)"));
    CommandResult always = TestRules();
    EXPECT_EQ(always.exit_code, 1) << always.output;
    EXPECT_THAT(always.output, HasSubstr("alertname: " + name));
  }
}

}  // namespace
}  // namespace certplane::testing

// The chart on a real API server: what it renders is accepted, install creates every
// object (the CRDs too, on a cluster without them), upgrade changes the Deployment,
// uninstall removes what it installed and keeps the CRDs and the certplane objects.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "helm_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

constexpr const char* kNs = "certplane-system";

const std::vector<std::string> kCrds = {"certificateauthorities.certplane.io", "certificateprofiles.certplane.io",
                                        "certificates.certplane.io", "certificatesyncs.certplane.io",
                                        "certificatetemplates.certplane.io"};

// Every object a default install creates, as `kubectl get -o name` names them.
const std::vector<std::string> kInstalled = {"serviceaccount/certplane",
                                             "clusterrole.rbac.authorization.k8s.io/certplane",
                                             "clusterrolebinding.rbac.authorization.k8s.io/certplane",
                                             "role.rbac.authorization.k8s.io/certplane",
                                             "rolebinding.rbac.authorization.k8s.io/certplane",
                                             "service/certplane",
                                             "deployment.apps/certplane",
                                             "poddisruptionbudget.policy/certplane"};

class HelmInstallE2E : public HelmE2E {
 protected:
  std::string Manifest(const std::string& release = "certplane") {
    return Helm({"get", "manifest", release, "--namespace", kNs}).output;
  }
  // The objects of a manifest that exist in the cluster.
  std::vector<std::string> Existing(const std::string& manifest) {
    return Lines(Kubectl({"get", "--ignore-not-found", "-o", "name", "-f", "-"}, manifest).output);
  }
  std::vector<std::string> Crds() { return Lines(Kubectl({"get", "crd", "-o", "name"}).output); }
  std::vector<std::string> Args() {
    return Lines(
        Get("deployment/certplane", kNs, "{range .spec.template.spec.containers[0].args[*]}{@}{\"\\n\"}{end}"));
  }
};

TEST_F(HelmInstallE2E, WhatTheChartRendersIsAcceptedByTheApiServer) {
  Kubectl({"create", "namespace", kNs});
  for (const std::vector<std::string>& values :
       {std::vector<std::string>{},
        {"--set", "replicaCount=3", "--set", "podDisruptionBudget.maxUnavailable=1", "--set",
         "controller.extraArgs={--workers=8}", "--set", "controller.publicBaseURL=https://pki.example.com", "--set",
         "imagePullSecrets[0].name=regcred"},
        {"--set", "replicaCount=1", "--set", "controller.leaderElection.enabled=false", "--set",
         "podDisruptionBudget.enabled=false", "--set", "service.type=NodePort"}}) {
    std::vector<std::string> args{"template", "certplane", ChartDir(), "--namespace", kNs, "--include-crds"};
    args.insert(args.end(), values.begin(), values.end());
    CommandResult rendered = Helm(args);
    ASSERT_EQ(rendered.exit_code, 0);
    CommandResult dry = Kubectl({"apply", "--dry-run=server", "-f", "-"}, rendered.output);
    EXPECT_EQ(dry.exit_code, 0) << dry.output;
    // Every object was checked by the server: the four CRDs and the chart's objects.
    int checked = 0;
    for (const auto& line : Lines(dry.output)) checked += line.find("(server dry run)") != std::string::npos;
    EXPECT_GE(checked, 4 + 6) << dry.output;
  }
  // A dry run leaves nothing behind.
  EXPECT_THAT(Crds(), IsEmpty());
  EXPECT_EQ(Get("deployment/certplane", kNs, "{.metadata.name}"), "");
}

TEST_F(HelmInstallE2E, InstallCreatesEveryObjectAndUninstallKeepsTheCrds) {
  ASSERT_THAT(Crds(), IsEmpty()) << "a fresh cluster";
  Install("certplane", kNs);
  EXPECT_THAT(Helm({"status", "certplane", "--namespace", kNs}).output, HasSubstr("STATUS: deployed"));

  // The CRDs came from the chart's crds/ folder, and the API server serves them.
  std::vector<std::string> expected_crds;
  for (const auto& c : kCrds) expected_crds.push_back("customresourcedefinition.apiextensions.k8s.io/" + c);
  EXPECT_THAT(Crds(), UnorderedElementsAreArray(expected_crds));
  for (const auto& c : kCrds) {
    CommandResult established = Kubectl({"wait", "--for=condition=Established", "--timeout=30s", "crd/" + c});
    EXPECT_EQ(established.exit_code, 0) << established.output;
  }
  // Every object of the release exists, and the release has no others.
  const std::string manifest = Manifest();
  EXPECT_THAT(Existing(manifest), UnorderedElementsAreArray(kInstalled));
  EXPECT_EQ(Get("deployment/certplane", kNs, "{.spec.replicas}"), "2");
  EXPECT_EQ(Get("deployment/certplane", kNs, "{.spec.template.spec.serviceAccountName}"), "certplane");
  EXPECT_EQ(Get("service/certplane", kNs, "{.spec.ports[?(@.name==\"http\")].port}"), "80");
  EXPECT_EQ(Get("pdb/certplane", kNs, "{.spec.minAvailable}"), "1");
  EXPECT_EQ(Get("clusterrolebinding/certplane", "", "{.subjects[0].namespace}/{.subjects[0].name}"),
            std::string(kNs) + "/certplane");
  // The NOTES tell a new user where to start.
  CommandResult notes = Helm({"get", "notes", "certplane", "--namespace", kNs});
  EXPECT_THAT(notes.output, HasSubstr("kubectl apply -f examples/01-root-ca.yaml -f examples/02-issuing-ca.yaml"));
  EXPECT_THAT(notes.output, HasSubstr("http://certplane.certplane-system.svc"));

  // A platform team's object, to outlive the uninstall with its CRD.
  Kubectl({"apply", "-f", Env("CERTPLANE_SOURCE_DIR") + "/examples/03-template.yaml"});

  Helm({"uninstall", "certplane", "--namespace", kNs, "--wait"});
  EXPECT_THAT(Existing(manifest), IsEmpty()) << "uninstall left objects behind";
  EXPECT_THAT(Crds(), UnorderedElementsAreArray(expected_crds)) << "uninstall must keep the CRDs";
  EXPECT_EQ(Get("cptemplate/web-server", "", "{.metadata.name}"), "web-server");

  // Installing again over the kept CRDs works (Helm skips CRDs that exist).
  Install("certplane", kNs);
  EXPECT_THAT(Existing(Manifest()), UnorderedElementsAreArray(kInstalled));
  EXPECT_EQ(Get("cptemplate/web-server", "", "{.metadata.name}"), "web-server");
}

TEST_F(HelmInstallE2E, UpgradeWithChangedValuesChangesTheDeployment) {
  Install("certplane", kNs);
  const std::string generation = Get("deployment/certplane", kNs, "{.metadata.generation}");
  EXPECT_THAT(Args(), Contains("--log-level=info"));

  Helm({"upgrade", "certplane", ChartDir(), "--namespace", kNs, "--reuse-values", "--set", "replicaCount=3", "--set",
        "controller.logLevel=debug"});
  EXPECT_EQ(Get("deployment/certplane", kNs, "{.spec.replicas}"), "3");
  EXPECT_THAT(Args(), Contains("--log-level=debug"));
  EXPECT_THAT(Args(), Not(Contains("--log-level=info")));
  EXPECT_NE(Get("deployment/certplane", kNs, "{.metadata.generation}"), generation);
  EXPECT_THAT(Helm({"history", "certplane", "--namespace", kNs}).output, HasSubstr("Upgrade complete"));

  // A value the schema refuses fails the upgrade and changes nothing.
  CommandResult bad = Helm(
      {"upgrade", "certplane", ChartDir(), "--namespace", kNs, "--reuse-values", "--set", "controller.logLevel=loud"},
      /*may_fail=*/true);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.output, HasSubstr("/controller/logLevel"));
  EXPECT_THAT(Args(), Contains("--log-level=debug"));

  // Turning an optional object off removes it; a rollback brings the first revision back.
  Helm({"upgrade", "certplane", ChartDir(), "--namespace", kNs, "--reuse-values", "--set",
        "podDisruptionBudget.enabled=false"});
  EXPECT_EQ(Get("pdb/certplane", kNs, "{.metadata.name}"), "");
  Helm({"rollback", "certplane", "1", "--namespace", kNs});
  EXPECT_EQ(Get("deployment/certplane", kNs, "{.spec.replicas}"), "2");
  EXPECT_THAT(Args(), Contains("--log-level=info"));
  EXPECT_EQ(Get("pdb/certplane", kNs, "{.metadata.name}"), "certplane");
}

}  // namespace
}  // namespace certplane::testing

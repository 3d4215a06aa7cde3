// The chart's RBAC on an API server that enforces it: the controller, run out of the
// cluster but authenticated only as the chart's ServiceAccount (a TokenRequest token),
// makes the examples Ready, renews and revokes, and reviews the bundle API's callers;
// `kubectl auth can-i` shows what that ServiceAccount cannot do.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "helm_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kNs = "certplane-system";
constexpr const char* kServiceAccount = "certplane";
constexpr const char* kPodName = "certplane-out-of-cluster-0";

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// A serial as hex without leading zeros, upper case (openssl prints it so, with padding).
std::string NormalSerial(std::string hex) {
  hex = Upper(hex);
  hex.erase(0, std::min(hex.find_first_not_of('0'), hex.size() - 1));
  return hex;
}

class ServiceAccountE2E : public HelmE2E {
 protected:
  void TearDown() override {
    if (controller_) {
      controller_->Stop();
      if (HasFailure()) std::fprintf(stderr, "controller log: %s\n", log_path_.c_str());
    }
    controller_.reset();
    HelmE2E::TearDown();
  }

  // The chart installed with default values, the controller started with the
  // Deployment's own arguments (listen addresses moved to free loopback ports) and the
  // ServiceAccount's kubeconfig, as the pod would run it.
  void InstallAndRunController() {
    Install("certplane", kNs);
    const std::string kubeconfig = ServiceAccountKubeconfig(kNs, kServiceAccount);
    // The kubeconfig is the ServiceAccount and nothing more.
    CommandResult whoami = RunTool(
        {"kubectl", "--kubeconfig", kubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"});
    ASSERT_EQ(whoami.exit_code, 0) << whoami.output;
    ASSERT_EQ(whoami.output, std::string("system:serviceaccount:") + kNs + ":" + kServiceAccount);

    nlohmann::json deployment =
        nlohmann::json::parse(Kubectl({"get", "deployment/certplane", "-n", kNs, "-o", "json"}).output);
    const auto& container = deployment["spec"]["template"]["spec"]["containers"][0];
    const int http = FreeLoopbackPort(), metrics = FreeLoopbackPort(), health = FreeLoopbackPort(),
              https = FreeLoopbackPort();
    std::vector<std::string> argv{Env("CERTPLANE_BINARY_DIR") + "/controller/certplane-controller",
                                  "--kubeconfig=" + kubeconfig};
    for (const auto& a : container["args"]) {
      std::string arg = a.get<std::string>();
      if (arg.rfind("--http-bind-address=", 0) == 0) arg = "--http-bind-address=127.0.0.1:" + std::to_string(http);
      if (arg.rfind("--https-bind-address=", 0) == 0) {
        arg = "--https-bind-address=127.0.0.1:" + std::to_string(https);
      }
      if (arg.rfind("--metrics-bind-address=", 0) == 0)
        arg = "--metrics-bind-address=127.0.0.1:" + std::to_string(metrics);
      if (arg.rfind("--health-probe-bind-address=", 0) == 0) {
        arg = "--health-probe-bind-address=127.0.0.1:" + std::to_string(health);
      }
      argv.push_back(arg);
    }
    public_url_ = "http://127.0.0.1:" + std::to_string(http);
    // The Service's name, as clients in the cluster reach it, resolved to the loopback port.
    https_url_ = "https://certplane.certplane-system.svc:" + std::to_string(https);
    https_resolve_ = "certplane.certplane-system.svc:" + std::to_string(https) + ":127.0.0.1";
    metrics_url_ = "http://127.0.0.1:" + std::to_string(metrics) + "/metrics";
    std::filesystem::create_directories(Env("CERTPLANE_BINARY_DIR") + "/e2e-logs");
    log_path_ = Env("CERTPLANE_BINARY_DIR") + "/e2e-logs/controller-helm-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" + RandomSuffix() + ".log";
    // The downward API's variables, as the Deployment sets them; KUBECONFIG too, so no
    // fallback could reach the admin's.
    const std::string admin = Env("KUBECONFIG");
    ::setenv("KUBECONFIG", kubeconfig.c_str(), 1);
    controller_ = std::make_unique<ChildProcess>(
        argv, ChildOptions{.log_path = log_path_,
                           .extra_env = {std::string("POD_NAMESPACE=") + kNs, std::string("POD_NAME=") + kPodName}});
    ::setenv("KUBECONFIG", admin.c_str(), 1);
    const std::string readyz = "http://127.0.0.1:" + std::to_string(health) + "/readyz";
    ASSERT_TRUE(Eventually(
        [&] {
          return RunTool({"curl", "-fsS", "--max-time", "2", readyz}).exit_code == 0;
        },
        std::chrono::seconds(60)))
        << "the controller did not become ready; log: " << log_path_;
    // It leads: the chart's Role lets it take the Lease.
    ASSERT_TRUE(Eventually([&] { return Get("lease/certplane-controller", kNs, "{.spec.holderIdentity}") == kPodName; },
                           std::chrono::seconds(30)))
        << "log: " << log_path_;
  }

  void ApplyExamplesAndWaitReady() {
    Kubectl({"apply", "-f", Env("CERTPLANE_SOURCE_DIR") + "/examples"});
    for (const char* what : {"cpca/example-root", "cpca/example-issuing", "cptemplate/web-server", "cpprofile/web"}) {
      ASSERT_TRUE(WaitReady(what, "")) << what << " is not Ready; log: " << log_path_;
    }
    ASSERT_TRUE(WaitReady("cpcert/frontend", "shop")) << "log: " << log_path_;
  }

  bool WaitReady(const std::string& what, const std::string& ns) {
    return Eventually([&] { return Get(what, ns, "{.status.conditions[?(@.type==\"Ready\")].status}") == "True"; },
                      std::chrono::seconds(60));
  }

  // Requests the API server refused the controller (403 is what missing RBAC looks like).
  std::string ForbiddenRequests() {
    CommandResult m = RunTool({"curl", "-fsS", metrics_url_});
    EXPECT_EQ(m.exit_code, 0) << m.output;
    std::string out;
    for (const auto& line : Lines(m.output)) {
      if (line.rfind("certplane_kube_api_requests_total", 0) == 0 && line.find("code=\"403\"") != std::string::npos) {
        out += line + "\n";
      }
    }
    return out;
  }

  // The first line of the controller's log that contains `text`, or "".
  std::string FirstLogLineWith(const std::string& text) {
    for (const auto& line : Lines(ReadFile(log_path_))) {
      if (line.find(text) != std::string::npos) return line;
    }
    return {};
  }

  std::string DecodedSecret(const std::string& ns, const std::string& name, const std::string& key) {
    std::string escaped;
    for (char c : key) escaped += c == '.' ? std::string("\\.") : std::string(1, c);
    return RunTool({"base64", "-d"}, {.stdin_data = Get("secret/" + name, ns, "{.data." + escaped + "}")}).output;
  }

  std::unique_ptr<ChildProcess> controller_;
  // The CA bundle clients trust the HTTPS port with, from ConfigMap certplane-serving-ca,
  // once the leader has issued the serving certificate; "" when it never appears.
  std::string ServingCaFile() {
    if (!Eventually([&] { return !Get("configmap/certplane-serving-ca", kNs, "{.data.ca\\.crt}").empty(); },
                    std::chrono::seconds(60))) {
      return "";
    }
    WriteFile(tmp_.File("serving-ca.crt"), Get("configmap/certplane-serving-ca", kNs, "{.data.ca\\.crt}"));
    return tmp_.File("serving-ca.crt");
  }

  std::string log_path_, public_url_, metrics_url_, https_url_, https_resolve_;
};

TEST_F(ServiceAccountE2E, TheControllerRunsTheExamplesAndRenewsOnTheChartsRbacAlone) {
  ASSERT_NO_FATAL_FAILURE(InstallAndRunController());
  ASSERT_NO_FATAL_FAILURE(ApplyExamplesAndWaitReady());

  // The CA keys are in the release namespace, the certificate's Secret in its own.
  EXPECT_NE(Get("secret", kNs, "{.items[*].metadata.name}"), "");
  const std::string leaf = DecodedSecret("shop", "frontend-tls", "tls.crt");
  ASSERT_THAT(leaf, HasSubstr("BEGIN CERTIFICATE"));
  WriteFile(tmp_.File("tls.crt"), leaf);
  WriteFile(tmp_.File("ca.crt"), DecodedSecret("shop", "frontend-tls", "ca.crt"));
  CommandResult verify = RunTool(
      {"openssl", "verify", "-CAfile", tmp_.File("ca.crt"), "-untrusted", tmp_.File("tls.crt"), tmp_.File("tls.crt")});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  // The chart's default public base URL, the Service's name, is in the certificate.
  CommandResult text = RunTool({"openssl", "x509", "-noout", "-text", "-in", tmp_.File("tls.crt")});
  // The distribution point names the CRL of the key that signed it (/crl/<ca>/<key id>/<shard>.crl).
  EXPECT_THAT(text.output,
              ::testing::ContainsRegex(
                  "URI:http://certplane\\.certplane-system\\.svc/crl/example-issuing/[0-9a-f]{16}/0\\.crl"));
  EXPECT_THAT(text.output, HasSubstr("CA Issuers - URI:http://certplane.certplane-system.svc/ca/example-issuing.crt"));
  // What the Service's http port serves: the CA certificate named in AIA.
  CommandResult ca = RunTool({"curl", "-fsS", public_url_ + "/ca/example-issuing.crt"});
  EXPECT_EQ(ca.exit_code, 0) << ca.output;
  EXPECT_THAT(ca.output, HasSubstr("BEGIN CERTIFICATE"));

  // A renewal on request.
  const std::string revision = Get("cpcert/frontend", "shop", "{.status.revision}");
  const std::string serial = Get("cpcert/frontend", "shop", "{.status.serialNumber}");
  ASSERT_EQ(revision, "1");
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the annotation has whole seconds
  std::string now = RunTool({"date", "-u", "+%Y-%m-%dT%H:%M:%SZ"}).output;
  now = now.substr(0, now.find('\n'));
  Kubectl({"annotate", "cpcert", "frontend", "-n", "shop", "--overwrite", "certplane.io/renew-requested-at=" + now});
  ASSERT_TRUE(
      Eventually([&] { return Get("cpcert/frontend", "shop", "{.status.revision}") == "2"; }, std::chrono::seconds(60)))
      << "no renewal; log: " << log_path_;
  EXPECT_TRUE(WaitReady("cpcert/frontend", "shop"));
  EXPECT_NE(Get("cpcert/frontend", "shop", "{.status.serialNumber}"), serial);
  EXPECT_NE(DecodedSecret("shop", "frontend-tls", "tls.crt"), leaf);
  // Events were recorded (events.k8s.io), in the Certificate's namespace.
  EXPECT_TRUE(Eventually([&] { return !Get("events.events.k8s.io", "shop", "{.items[*].reason}").empty(); },
                         std::chrono::seconds(20)));

  // The HTTPS serving certificate, issued by the controller for itself under the same RBAC.
  EXPECT_TRUE(WaitReady("cpcert/certplane-serving", kNs)) << "log: " << log_path_;
  const std::string serving_ca = ServingCaFile();
  ASSERT_NE(serving_ca, "") << "log: " << log_path_;
  CommandResult served = RunTool(
      {"curl", "-fsS", "--cacert", serving_ca, "--resolve", https_resolve_, https_url_ + "/ca/example-issuing.crt"});
  EXPECT_EQ(served.exit_code, 0) << served.output;
  EXPECT_THAT(served.output, HasSubstr("BEGIN CERTIFICATE"));

  // Not one request was refused: the chart's RBAC is enough.
  EXPECT_EQ(ForbiddenRequests(), "");
  EXPECT_EQ(FirstLogLineWith("forbidden"), "");

  // What the chart's alerts read, live from this replica: it leads, and it exports the
  // CRL times of the CA and the expiry of the Certificate (monitoring_test.cpp checks
  // the rules' and the dashboard's metric names against src/).
  std::string scrape;
  EXPECT_TRUE(Eventually(
      [&] {
        scrape = RunTool({"curl", "-fsS", metrics_url_}).output;
        return scrape.find("certplane_crl_next_update_timestamp_seconds{name=\"example-issuing\"} ") !=
               std::string::npos;
      },
      std::chrono::seconds(30)))
      << scrape;
  EXPECT_THAT(scrape, HasSubstr("\ncertplane_leader_election_status 1\n"));
  EXPECT_THAT(scrape, HasSubstr("certplane_crl_this_update_timestamp_seconds{name=\"example-issuing\"} "));
  EXPECT_THAT(scrape,
              HasSubstr("certplane_certificate_expiration_timestamp_seconds{name=\"frontend\",namespace=\"shop\""));
  EXPECT_THAT(scrape,
              HasSubstr("certplane_certificate_renewal_timestamp_seconds{name=\"frontend\",namespace=\"shop\""));
}

TEST_F(ServiceAccountE2E, ARevocationReachesTheCrlOnTheChartsRbacAlone) {
  ASSERT_NO_FATAL_FAILURE(InstallAndRunController());
  ASSERT_NO_FATAL_FAILURE(ApplyExamplesAndWaitReady());
  const std::string serial = Get("cpcert/frontend", "shop", "{.status.serialNumber}");
  ASSERT_FALSE(serial.empty());

  Kubectl({"patch", "cpcert", "frontend", "-n", "shop", "--type=merge", "-p",
           R"({"spec":{"revocation":{"reason":"keyCompromise"}}})"});
  ASSERT_TRUE(
      Eventually([&] { return Get("cpcert/frontend", "shop", "{.status.revocationReason}") == "keyCompromise"; },
                 std::chrono::seconds(60)))
      << "log: " << log_path_;

  // The CRL in the ConfigMap in the release namespace lists the serial, with its reason.
  std::string crl_text;
  const bool listed = Eventually(
      [&] {
        std::string b64 = Get("configmap/certplane-crl-example-issuing", kNs, "{.binaryData.crl\\.der}");
        if (b64.empty()) return false;
        WriteFile(tmp_.File("crl.der"), RunTool({"base64", "-d"}, {.stdin_data = b64}).output);
        CommandResult r = RunTool({"openssl", "crl", "-inform", "DER", "-noout", "-text", "-in", tmp_.File("crl.der")});
        crl_text = r.output;
        return r.exit_code == 0 && Upper(crl_text).find("SERIAL NUMBER: " + NormalSerial(serial)) != std::string::npos;
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(listed) << "serial " << serial << " is not on the CRL:\n" << crl_text << "\nlog: " << log_path_;
  EXPECT_THAT(crl_text, HasSubstr("Key Compromise"));
  // The CRL is signed by the issuing CA.
  WriteFile(tmp_.File("issuing.crt"), Get("cpca/example-issuing", "", "{.status.certificate}"));
  CommandResult signed_by = RunTool(
      {"openssl", "crl", "-inform", "DER", "-in", tmp_.File("crl.der"), "-noout", "-CAfile", tmp_.File("issuing.crt")});
  EXPECT_EQ(signed_by.exit_code, 0) << signed_by.output;
  EXPECT_THAT(signed_by.output, HasSubstr("verify OK"));

  EXPECT_EQ(ForbiddenRequests(), "");
  EXPECT_EQ(FirstLogLineWith("forbidden"), "");
}

TEST_F(ServiceAccountE2E, TheBundleApiReviewsItsCallersOnTheChartsRbacAlone) {
  ASSERT_NO_FATAL_FAILURE(InstallAndRunController());
  ASSERT_NO_FATAL_FAILURE(ApplyExamplesAndWaitReady());
  // A deployer that may get the frontend's Secret, and an outsider that may not.
  Kubectl({"create", "serviceaccount", "deployer", "-n", "shop"});
  Kubectl({"create", "serviceaccount", "outsider", "-n", "shop"});
  Kubectl({"create", "role", "read-frontend-tls", "-n", "shop", "--verb=get", "--resource=secrets",
           "--resource-name=frontend-tls"});
  Kubectl({"create", "rolebinding", "read-frontend-tls", "-n", "shop", "--role=read-frontend-tls",
           "--serviceaccount=shop:deployer"});
  ASSERT_TRUE(Eventually(
      [&] {
        return Kubectl({"auth", "can-i", "get", "secret/frontend-tls", "-n", "shop",
                        "--as=system:serviceaccount:shop:deployer"},
                       {}, true)
                   .exit_code == 0;
      },
      std::chrono::seconds(20)));
  auto token = [&](const std::string& sa) {
    std::string t = Kubectl({"create", "token", sa, "-n", "shop", "--duration=1h"}).output;
    return t.substr(0, t.find('\n'));
  };
  // Over HTTPS, trusting the CA the controller publishes, as a client in the cluster would.
  const std::string ca = ServingCaFile();
  ASSERT_NE(ca, "") << "ConfigMap certplane-serving-ca never got ca.crt; log: " << log_path_;
  auto status_of = [&](const std::string& bearer, const std::string& base = "") {
    std::vector<std::string> argv{"curl", "-sS", "-o", tmp_.File("bundle.json"), "-w", "%{http_code}"};
    if (!bearer.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + bearer});
    if (base.empty()) argv.insert(argv.end(), {"--cacert", ca, "--resolve", https_resolve_});
    argv.push_back((base.empty() ? https_url_ : base) + "/api/v1/profiles/web/latest-bundle");
    return RunTool(argv).output;
  };

  // Plain HTTP is refused before the token is looked at.
  EXPECT_EQ(status_of(token("deployer"), public_url_), "403");
  EXPECT_THAT(ReadFile(tmp_.File("bundle.json")), HasSubstr("only over HTTPS"));
  EXPECT_EQ(status_of(""), "401");
  EXPECT_EQ(status_of(token("outsider")), "403");
  ASSERT_EQ(status_of(token("deployer")), "200") << ReadFile(tmp_.File("bundle.json")) << "\nlog: " << log_path_;
  nlohmann::json bundle = nlohmann::json::parse(ReadFile(tmp_.File("bundle.json")));
  EXPECT_EQ(bundle["namespace"], "shop");
  EXPECT_EQ(bundle["name"], "frontend");
  EXPECT_EQ(bundle["serialNumber"], Get("cpcert/frontend", "shop", "{.status.serialNumber}"));
  EXPECT_THAT(bundle["privateKey"].get<std::string>(), HasSubstr("PRIVATE KEY"));

  // The controller's TokenReviews, SubjectAccessReviews and Secret read were all allowed.
  EXPECT_EQ(ForbiddenRequests(), "");
  EXPECT_EQ(FirstLogLineWith("forbidden"), "");
  EXPECT_EQ(FirstLogLineWith("bundle request failed"), "");
}

// One question to the API server's authorizer about the chart's ServiceAccount.
struct Access {
  std::string why;                 // a sentence naming the case
  std::vector<std::string> can_i;  // `kubectl auth can-i` arguments
  bool allowed;
};

TEST_F(ServiceAccountE2E, TheServiceAccountMayDoWhatTheControllerDoesAndNothingElse) {
  Install("certplane", kNs);
  Kubectl({"create", "namespace", "shop"});
  const std::string ns = kNs;
  const std::vector<Access> table = {
      // What the controller does.
      {"watches certificates in every namespace", {"watch", "certificates.certplane.io", "-A"}, true},
      {"lists the cluster-scoped kinds", {"list", "certificateauthorities.certplane.io"}, true},
      {"adds and removes its finalizer on certificates", {"patch", "certificates.certplane.io", "-n", "shop"}, true},
      {"writes certificate status",
       {"update", "certificates.certplane.io", "--subresource=status", "-n", "shop"},
       true},
      {"writes CA status", {"patch", "certificateauthorities.certplane.io", "--subresource=status"}, true},
      {"writes profile status", {"update", "certificateprofiles.certplane.io", "--subresource=status"}, true},
      {"writes template status", {"update", "certificatetemplates.certplane.io", "--subresource=status"}, true},
      {"creates a certificate's Secret", {"create", "secrets", "-n", "shop"}, true},
      {"applies a certificate's Secret", {"patch", "secrets", "-n", "shop"}, true},
      {"watches its Secrets in every namespace", {"watch", "secrets", "-A"}, true},
      {"watches namespaces' labels", {"watch", "namespaces"}, true},
      {"records events", {"create", "events.events.k8s.io", "-n", "shop"}, true},
      {"updates an event series", {"patch", "events.events.k8s.io", "-n", "shop"}, true},
      {"writes CRL ConfigMaps in its namespace", {"update", "configmaps", "-n", ns}, true},
      {"creates CRL ConfigMaps in its namespace", {"create", "configmaps", "-n", ns}, true},
      {"deletes the ACME server's state ConfigMaps in its namespace", {"delete", "configmaps", "-n", ns}, true},
      {"creates ACME Certificates in its namespace", {"create", "certificates.certplane.io", "-n", ns}, true},
      {"applies its HTTPS serving CA", {"patch", "certificateauthorities.certplane.io/certplane-serving-" + ns}, true},
      {"applies its HTTPS serving profile",
       {"patch", "certificateprofiles.certplane.io/certplane-serving-" + ns},
       true},
      {"cannot change anyone else's CA", {"patch", "certificateauthorities.certplane.io/example-root"}, false},
      {"cannot change anyone else's template", {"patch", "certificatetemplates.certplane.io/web-server"}, false},
      {"cannot delete CAs", {"delete", "certificateauthorities.certplane.io"}, false},
      {"creates the leader Lease", {"create", "leases.coordination.k8s.io", "-n", ns}, true},
      {"renews the leader Lease", {"update", "leases.coordination.k8s.io/certplane-controller", "-n", ns}, true},
      {"reviews the bundle API's callers' tokens", {"create", "tokenreviews.authentication.k8s.io"}, true},
      {"asks whether a bundle API caller may get a Secret",
       {"create", "subjectaccessreviews.authorization.k8s.io"},
       true},
      // No way to more power.
      {"cannot escalate a ClusterRole", {"escalate", "clusterroles.rbac.authorization.k8s.io"}, false},
      {"cannot escalate a Role", {"escalate", "roles.rbac.authorization.k8s.io", "-n", ns}, false},
      {"cannot bind a ClusterRole", {"bind", "clusterroles.rbac.authorization.k8s.io"}, false},
      {"cannot bind a Role", {"bind", "roles.rbac.authorization.k8s.io", "-n", ns}, false},
      {"cannot create ClusterRoleBindings", {"create", "clusterrolebindings.rbac.authorization.k8s.io"}, false},
      {"cannot change its own Role", {"update", "roles.rbac.authorization.k8s.io/certplane", "-n", ns}, false},
      {"cannot impersonate users", {"impersonate", "users"}, false},
      {"cannot impersonate groups", {"impersonate", "groups"}, false},
      {"cannot impersonate service accounts", {"impersonate", "serviceaccounts", "-n", ns}, false},
      {"cannot mint tokens for service accounts",
       {"create", "serviceaccounts", "--subresource=token", "-n", ns},
       false},
      {"cannot mint tokens for service accounts anywhere",
       {"create", "serviceaccounts", "--subresource=token", "-A"},
       false},
      {"cannot ask about others in a namespace",
       {"create", "localsubjectaccessreviews.authorization.k8s.io", "-n", "shop"},
       false},
      {"cannot exec into pods", {"create", "pods", "--subresource=exec", "-n", ns}, false},
      {"cannot exec into pods anywhere", {"create", "pods", "--subresource=exec", "-A"}, false},
      {"cannot read pods", {"get", "pods", "-n", ns}, false},
      {"cannot create pods", {"create", "pods", "-n", "shop"}, false},
      {"cannot do anything to everything", {"*", "*"}, false},
      // No writes to CRDs at run time.
      {"cannot create CRDs", {"create", "customresourcedefinitions.apiextensions.k8s.io"}, false},
      {"cannot update CRDs", {"update", "customresourcedefinitions.apiextensions.k8s.io"}, false},
      {"cannot patch CRDs", {"patch", "customresourcedefinitions.apiextensions.k8s.io"}, false},
      {"cannot delete CRDs", {"delete", "customresourcedefinitions.apiextensions.k8s.io"}, false},
      // Only the writes the reconcilers make.
      {"cannot delete Secrets", {"delete", "secrets", "-n", "shop"}, false},
      {"cannot delete CA key Secrets", {"delete", "secrets", "-n", ns}, false},
      {"cannot delete all Secrets", {"deletecollection", "secrets", "-n", "shop"}, false},
      {"cannot replace Secrets", {"update", "secrets", "-n", "shop"}, false},
      {"cannot read ConfigMaps outside its namespace", {"get", "configmaps", "-n", "shop"}, false},
      {"cannot write ConfigMaps outside its namespace", {"create", "configmaps", "-n", "kube-system"}, false},
      {"cannot list ConfigMaps in every namespace", {"list", "configmaps", "-A"}, false},
      {"cannot delete ConfigMaps outside its namespace", {"delete", "configmaps", "-n", "shop"}, false},
      {"cannot delete all its ConfigMaps at once", {"deletecollection", "configmaps", "-n", ns}, false},
      {"cannot take another Lease", {"update", "leases.coordination.k8s.io/kube-scheduler", "-n", ns}, false},
      {"cannot take Leases elsewhere", {"create", "leases.coordination.k8s.io", "-n", "kube-system"}, false},
      // The HTTPS serving CA is created once by the leader; create cannot be limited to a
      // name, so this is allowed, and every later change is a patch of that name only.
      {"creates its HTTPS serving CA", {"create", "certificateauthorities.certplane.io"}, true},
      {"cannot change a CA's spec", {"patch", "certificateauthorities.certplane.io"}, false},
      {"cannot change a profile's spec", {"update", "certificateprofiles.certplane.io"}, false},
      {"cannot create Certificates outside its namespace",
       {"create", "certificates.certplane.io", "-n", "shop"},
       false},
      {"cannot delete Certificates in its namespace", {"delete", "certificates.certplane.io", "-n", ns}, false},
      {"cannot delete Certificates", {"delete", "certificates.certplane.io", "-n", "shop"}, false},
      {"cannot change namespaces", {"patch", "namespaces"}, false},
      {"cannot read nodes", {"get", "nodes"}, false},
      {"cannot write core events", {"create", "events", "-n", "shop"}, false},
      {"cannot change webhooks", {"create", "mutatingwebhookconfigurations.admissionregistration.k8s.io"}, false},
  };
  const std::string as = std::string("--as=system:serviceaccount:") + kNs + ":" + kServiceAccount;
  for (const Access& a : table) {
    std::vector<std::string> args{"auth", "can-i"};
    args.insert(args.end(), a.can_i.begin(), a.can_i.end());
    args.push_back(as);
    CommandResult r = Kubectl(args, {}, /*may_fail=*/true);
    // can-i prints yes or no last (after any warning) and exits 0 for yes, 1 for no.
    const auto lines = Lines(r.output);
    EXPECT_EQ(lines.empty() ? "" : lines.back(), a.allowed ? "yes" : "no") << a.why << ": " << r.output;
    EXPECT_EQ(r.exit_code, a.allowed ? 0 : 1) << a.why << ": " << r.output;
  }

  // And the whole of it: every rule that applies to the ServiceAccount, in an
  // application's namespace and in its own, is one of these (the self-review rules
  // are what every authenticated user has).
  const std::set<std::string> everywhere = {
      "certificateauthorities.certplane.io [] [] [get list watch create]",
      "certificateprofiles.certplane.io [] [] [get list watch create]",
      "certificatetemplates.certplane.io [] [] [get list watch create]",
      "certificateauthorities.certplane.io [] [certplane-serving-certplane-system] [patch]",
      "certificateprofiles.certplane.io [] [certplane-serving-certplane-system] [patch]",
      "certificatetemplates.certplane.io [] [certplane-serving-certplane-system] [patch]",
      "certificates.certplane.io [] [] [get list watch update patch]",
      "certificateauthorities.certplane.io/status [] [] [update patch]",
      "certificateprofiles.certplane.io/status [] [] [update patch]",
      "certificatetemplates.certplane.io/status [] [] [update patch]",
      "certificates.certplane.io/status [] [] [update patch]",
      "certificatesyncs.certplane.io [] [] [get list watch update patch]",
      "certificatesyncs.certplane.io/status [] [] [update patch]",
      "secrets [] [] [get list watch create patch]",
      "namespaces [] [] [list watch]",
      "events.events.k8s.io [] [] [create patch]",
      "tokenreviews.authentication.k8s.io [] [] [create]",
      "subjectaccessreviews.authorization.k8s.io [] [] [create]",
      "selfsubjectreviews.authentication.k8s.io [] [] [create]",
      "selfsubjectaccessreviews.authorization.k8s.io [] [] [create]",
      "selfsubjectrulesreviews.authorization.k8s.io [] [] [create]",
  };
  std::set<std::string> in_own = everywhere;
  in_own.insert("configmaps [] [] [get list watch create update patch delete]");
  // The Role's create joins the ClusterRole's verbs on certificates in the same line.
  in_own.erase("certificates.certplane.io [] [] [get list watch update patch]");
  in_own.insert("certificates.certplane.io [] [] [get list watch update patch create]");
  in_own.insert("leases.coordination.k8s.io [] [] [create]");
  in_own.insert("leases.coordination.k8s.io [] [certplane-controller] [get update]");
  auto resource_rules = [&](const std::string& ns) {
    std::set<std::string> rules;
    for (const auto& line : Lines(Kubectl({"auth", "can-i", "--list", "-n", ns, as}).output)) {
      if (line.empty() || line[0] == ' ' || line.rfind("Resources", 0) == 0) continue;  // URLs, the header
      std::stringstream words(line);
      std::string rule, w;
      while (words >> w) rule += (rule.empty() ? "" : " ") + w;
      rules.insert(rule);
    }
    return rules;
  };
  EXPECT_EQ(resource_rules("shop"), everywhere);
  EXPECT_EQ(resource_rules(kNs), in_own);
}

}  // namespace
}  // namespace certplane::testing

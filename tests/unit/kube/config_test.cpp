// kubeconfig and in-cluster configuration, from strings and temporary files.
#include <map>

#include <gtest/gtest.h>

#include "kube/base64.h"
#include "kube/config.h"
#include "test_files.h"
#include "test_pki.h"

namespace certplane::kube {
namespace {

using certplane::testing::TempDir;
using testing::MakeSelfSigned;
using testing::TestKeyPair;

const TestKeyPair& Ca() {
  static const TestKeyPair pair = MakeSelfSigned("test-ca");
  return pair;
}
const TestKeyPair& Admin() {
  static const TestKeyPair pair = MakeSelfSigned("admin");
  return pair;
}

// A valid kubeconfig; `user` and `cluster` replace the user and cluster bodies.
std::string Kubeconfig(const std::string& cluster, const std::string& user, const std::string& extra_context = "") {
  return "apiVersion: v1\nkind: Config\n"
         "clusters:\n- name: c\n  cluster:\n" +
         cluster + "users:\n- name: u\n  user:\n" + user +
         "contexts:\n- name: main\n  context:\n    cluster: c\n    user: u\n    namespace: shop\n" + extra_context +
         "current-context: main\n";
}

std::string GoodCluster() {
  return "    server: https://127.0.0.1:6443\n    certificate-authority-data: " + Base64Encode(Ca().cert_pem) + "\n";
}

std::string CertUser() {
  return "    client-certificate-data: " + Base64Encode(Admin().cert_pem) +
         "\n    client-key-data: " + Base64Encode(Admin().key_pem) + "\n";
}

TEST(KubeconfigTest, ReadsTheCurrentContextWithDataFields) {
  auto config = ParseKubeconfig(Kubeconfig(GoodCluster(), CertUser()), "/etc/kc");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, Ca().cert_pem);
  EXPECT_EQ(config->client_cert_pem, Admin().cert_pem);
  EXPECT_EQ(config->client_key_pem.view(), Admin().key_pem);
  EXPECT_EQ(config->ns, "shop");
  EXPECT_EQ(config->source, "/etc/kc");
}

TEST(KubeconfigTest, ReadsFilesRelativeToTheKubeconfig) {
  TempDir dir;
  dir.Write("pki/ca.crt", Ca().cert_pem);
  dir.Write("pki/admin.crt", Admin().cert_pem);
  dir.Write("pki/admin.key", Admin().key_pem);
  std::string path = dir.Write(
      "kubeconfig",
      Kubeconfig("    server: https://api.example:6443\n    certificate-authority: pki/ca.crt\n",
                 "    client-certificate: pki/admin.crt\n    client-key: " + dir.path() + "/pki/admin.key\n"));
  auto config = LoadKubeconfigFiles({path});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ca_pem, Ca().cert_pem);
  EXPECT_EQ(config->client_key_pem.view(), Admin().key_pem);
}

TEST(KubeconfigTest, ReadsTokensAndTokenFiles) {
  TempDir dir;
  dir.Write("token", "file-token\n");
  std::string path =
      dir.Write("kubeconfig", Kubeconfig(GoodCluster(), "    token: inline-token\n    tokenFile: token\n"));
  auto config = LoadKubeconfigFiles({path});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->bearer_token.view(), "inline-token");
  EXPECT_EQ(config->token_file, dir.path() + "/token");
  EXPECT_TRUE(config->client_cert_pem.empty());
}

TEST(KubeconfigTest, DefaultsTheNamespaceAndHonoursAContextOverride) {
  std::string text = Kubeconfig(GoodCluster(), CertUser(), "- name: other\n  context:\n    cluster: c\n    user: u\n");
  auto main = ParseKubeconfig(text, "kc");
  ASSERT_TRUE(main.ok()) << main.status();
  EXPECT_EQ(main->ns, "shop");
  auto other = ParseKubeconfig(text, "kc", std::string("other"));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->ns, "default");
}

TEST(KubeconfigTest, MergesFilesWithTheFirstWinning) {
  TempDir dir;
  std::string first = dir.Write("first", "current-context: main\nusers:\n- name: u\n  user:\n    token: first-token\n");
  std::string second = dir.Write("second", Kubeconfig(GoodCluster(), "    token: second-token\n"));
  auto config = LoadKubeconfigFiles({first, second});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->bearer_token.view(), "first-token");
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
}

struct BrokenCase {
  std::string name;
  std::string kubeconfig;
  std::string expected;  // a substring of the error, naming the field
};

void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.name; }

class BrokenKubeconfigTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenKubeconfigTest, NamesTheFileAndTheField) {
  auto config = ParseKubeconfig(GetParam().kubeconfig, "/home/me/.kube/config");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("kubeconfig /home/me/.kube/config"), std::string::npos) << config.status();
  EXPECT_NE(config.status().message().find(GetParam().expected), std::string::npos) << config.status();
}

INSTANTIATE_TEST_SUITE_P(
    Kubeconfig, BrokenKubeconfigTest,
    ::testing::Values(
        BrokenCase{"NotYaml", "clusters: [\n", "not valid YAML at line"},
        BrokenCase{"NoCurrentContext", "clusters: []\n", "current-context: not set"},
        BrokenCase{"UnknownContext", "current-context: nope\ncontexts: []\n", "no context named \"nope\""},
        BrokenCase{"MissingServer",
                   Kubeconfig("    certificate-authority-data: " + Base64Encode(Ca().cert_pem) + "\n", CertUser()),
                   "clusters[c].cluster.server: missing"},
        BrokenCase{"PlainHttpServer", Kubeconfig("    server: http://127.0.0.1:8080\n", CertUser()),
                   "clusters[c].cluster.server: must be an https:// URL"},
        BrokenCase{"BadBase64",
                   Kubeconfig(GoodCluster(), "    client-certificate-data: '!!!'\n    client-key-data: eA==\n"),
                   "users[u].user.client-certificate-data: not valid base64"},
        BrokenCase{"CaIsNotACertificate",
                   Kubeconfig("    server: https://x:1\n    certificate-authority-data: " + Base64Encode("junk") + "\n",
                              CertUser()),
                   "clusters[c].cluster.certificate-authority-data: not a PEM certificate"},
        BrokenCase{"CertificateWithoutKey",
                   Kubeconfig(GoodCluster(), "    client-certificate-data: " + Base64Encode(Admin().cert_pem) + "\n"),
                   "users[u].user.client-key-data: missing"},
        BrokenCase{"KeyOfAnotherCertificate",
                   Kubeconfig(GoodCluster(), "    client-certificate-data: " + Base64Encode(Admin().cert_pem) +
                                                 "\n    client-key-data: " + Base64Encode(Ca().key_pem) + "\n"),
                   "users[u].user.client-key-data: the private key does not match"},
        BrokenCase{"MissingCaFile",
                   Kubeconfig("    server: https://x:1\n    certificate-authority: /nonexistent/ca.crt\n", CertUser()),
                   "clusters[c].cluster.certificate-authority: reading /nonexistent/ca.crt"},
        BrokenCase{"InsecureSkipVerify", Kubeconfig(GoodCluster() + "    insecure-skip-tls-verify: true\n", CertUser()),
                   "clusters[c].cluster.insecure-skip-tls-verify: not supported"},
        BrokenCase{"ExecPlugin", Kubeconfig(GoodCluster(), "    exec:\n      command: aws\n"),
                   "users[u].user.exec: credential plugins are not supported"},
        BrokenCase{"UnknownUser",
                   "current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: ghost\n"
                   "clusters:\n- name: c\n  cluster:\n    server: https://h:1\n",
                   "contexts[x].context.user: no user named \"ghost\""},
        BrokenCase{"ListIsAMap", "clusters: {a: b}\n", "clusters: must be a list"}),
    [](const ::testing::TestParamInfo<BrokenCase>& info) { return info.param.name; });

TEST(KubeconfigTest, NamesTheFileThatCannotBeRead) {
  auto config = LoadKubeconfigFiles({"/nonexistent/kubeconfig"});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("/nonexistent/kubeconfig"), std::string::npos) << config.status();
}

class InClusterTest : public ::testing::Test {
 protected:
  InClusterEnvironment Env(std::map<std::string, std::string> vars) {
    InClusterEnvironment env;
    env.getenv = [vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.service_account_dir = dir_.path() + "/sa";
    return env;
  }
  void WriteServiceAccount() {
    dir_.Write("sa/token", "sa-token");
    dir_.Write("sa/ca.crt", Ca().cert_pem);
    dir_.Write("sa/namespace", "certplane-system\n");
  }
  TempDir dir_;
};

TEST_F(InClusterTest, ReadsTheServiceAccount) {
  WriteServiceAccount();
  auto config = InClusterConfig(Env({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://10.0.0.1:443");
  EXPECT_EQ(config->token_file, dir_.path() + "/sa/token");
  EXPECT_EQ(config->ca_pem, Ca().cert_pem);
  EXPECT_EQ(config->ns, "certplane-system");
  EXPECT_EQ(config->source, "in-cluster");
}

TEST_F(InClusterTest, BracketsAnIpv6Host) {
  WriteServiceAccount();
  auto config = InClusterConfig(Env({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
}

TEST_F(InClusterTest, IsNotFoundOutsideACluster) {
  EXPECT_EQ(InClusterConfig(Env({})).status().code(), StatusCode::kNotFound);
}

TEST_F(InClusterTest, PrecedenceIsFlagThenKubeconfigEnvThenInClusterThenHome) {
  WriteServiceAccount();
  std::string flag = dir_.Write("flag", Kubeconfig(GoodCluster(), "    token: from-flag\n"));
  std::string env = dir_.Write("env", Kubeconfig(GoodCluster(), "    token: from-env\n"));
  dir_.Write("home/.kube/config", Kubeconfig(GoodCluster(), "    token: from-home\n"));
  std::map<std::string, std::string> vars = {{"KUBECONFIG", env},
                                             {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                             {"KUBERNETES_SERVICE_PORT", "443"},
                                             {"HOME", dir_.path() + "/home"}};
  LoadOptions options;
  options.kubeconfig = flag;
  options.environment = Env(vars);
  EXPECT_EQ(LoadClusterConfig(options)->bearer_token.view(), "from-flag");
  options.kubeconfig.clear();
  EXPECT_EQ(LoadClusterConfig(options)->bearer_token.view(), "from-env");
  vars.erase("KUBECONFIG");
  options.environment = Env(vars);
  EXPECT_EQ(LoadClusterConfig(options)->source, "in-cluster");
  vars.erase("KUBERNETES_SERVICE_HOST");
  options.environment = Env(vars);
  EXPECT_EQ(LoadClusterConfig(options)->bearer_token.view(), "from-home");
  vars.erase("HOME");
  options.environment = Env(vars);
  EXPECT_EQ(LoadClusterConfig(options).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace certplane::kube

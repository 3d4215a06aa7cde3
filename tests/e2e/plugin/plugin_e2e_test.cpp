// The kubectl plugin end to end: the real kubectl-certplane binary against the real
// controller on the shared control plane, run as a user runs it, its output checked with
// kubectl, openssl and keytool.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct PluginResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

mode_t Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class PluginE2E : public OperatorE2E {
 protected:
  static std::string PluginDir() { return RequireEnv("CERTPLANE_BINARY_DIR") + "/plugin"; }
  static std::string PluginBinary() { return PluginDir() + "/kubectl-certplane"; }

  // Runs the plugin with stdout and stderr apart (JSON goes to stdout, problems to stderr).
  PluginResult Plugin(const std::vector<std::string>& args, const std::string& prefix = {}) {
    const std::string err_file = tmp_.File("plugin-stderr-" + std::to_string(++runs_));
    std::string line = prefix + Quote(PluginBinary());
    for (const auto& a : args) line += " " + Quote(a);
    CommandResult r = RunShell(line + " 2>" + Quote(err_file));
    return {r.exit_code, r.output, ReadFile(err_file)};
  }
  // The plugin, which must succeed.
  std::string Ok(const std::vector<std::string>& args) {
    PluginResult r = Plugin(args);
    EXPECT_EQ(r.exit_code, 0) << "kubectl-certplane failed: " << r.out << r.err;
    return r.out;
  }
  nlohmann::json Inventory(std::vector<std::string> args) {
    args.insert(args.begin(), "inventory");
    args.push_back("-o");
    args.push_back("json");
    std::string out = Ok(args);
    try {
      return nlohmann::json::parse(out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "inventory -o json printed no JSON: " << out;
      return nlohmann::json::object();
    }
  }
  static const nlohmann::json* Item(const nlohmann::json& inventory, const std::string& ns, const std::string& name) {
    if (!inventory.contains("items")) return nullptr;
    for (const auto& item : inventory["items"]) {
      if (item["namespace"] == ns && item["name"] == name) return &item;
    }
    return nullptr;
  }
  static std::vector<std::string> Names(const nlohmann::json& inventory) {
    std::vector<std::string> out;
    if (!inventory.contains("items")) return out;
    for (const auto& item : inventory["items"]) out.push_back(item["name"].get<std::string>());
    return out;
  }

  void Certificate(const std::string& name, const std::string& profile, const std::string& extra = {}) {
    Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name + "\n  namespace: " +
          ns() + "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile +
          "\n  secretName: " + name + "-tls\n  commonName: " + name + ".example.com\n  dnsNames: [" + name +
          ".example.com]\n" + extra);
  }
  std::string Serial(const std::string& what, const std::string& in_ns) {
    return Trim(Kubectl({"get", what, "-n", in_ns, "-o", "jsonpath={.status.serialNumber}"}, {}, true).output);
  }
  bool WaitCondition(const std::string& what, const std::string& in_ns, const std::string& type,
                     std::chrono::seconds timeout = std::chrono::seconds(60)) {
    return Eventually(
        [&] {
          return Kubectl({"get", what, "-n", in_ns, "-o",
                          "jsonpath={.status.conditions[?(@.type==\"" + type + "\")].status}"},
                         {}, true)
                     .output == "True";
        },
        timeout, std::chrono::milliseconds(200));
  }

  // A kubeconfig for a new ServiceAccount of this test's namespace (a TokenRequest token),
  // whose context's namespace is this test's namespace.
  std::string ServiceAccountKubeconfig(const std::string& sa) {
    Kubectl({"create", "serviceaccount", sa, "-n", ns()});
    auto view = [&](const std::string& path) {
      return Trim(Kubectl({"config", "view", "--raw", "--minify", "-o", "jsonpath=" + path}).output);
    };
    const std::string server = view("{.clusters[0].cluster.server}");
    const std::string ca = view("{.clusters[0].cluster.certificate-authority-data}");
    const std::string token = Trim(Kubectl({"create", "token", sa, "-n", ns(), "--duration=1h"}).output);
    EXPECT_FALSE(server.empty() || ca.empty() || token.empty());
    const std::string path = tmp_.File(sa + ".kubeconfig");
    WriteFile(path, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " + server +
                        "\n    certificate-authority-data: " + ca +
                        "\nusers:\n- name: u\n  user:\n    token: " + token +
                        "\ncontexts:\n- name: sa\n  context:\n    cluster: c\n    user: u\n    namespace: " + ns() +
                        "\ncurrent-context: sa\n");
    return path;
  }

  int runs_ = 0;
};

// Every command against the example manifests, applied unchanged, as the README shows.
class PluginExamplesE2E : public PluginE2E {
 protected:
  void TearDown() override {
    const std::string examples = RequireEnv("CERTPLANE_SOURCE_DIR") + "/examples";
    for (const char* f :
         {"05-certificate.yaml", "04-profile.yaml", "03-template.yaml", "02-issuing-ca.yaml", "01-root-ca.yaml"}) {
      Kubectl({"delete", "--ignore-not-found", "--wait=false", "-f", examples + "/" + f}, {}, true);
    }
    DeleteTestNamespace("shop");
    PluginE2E::TearDown();
  }
};

TEST_F(PluginExamplesE2E, EveryCommandWorksAgainstTheExamples) {
  Kubectl({"apply", "-f", RequireEnv("CERTPLANE_SOURCE_DIR") + "/examples"});
  ASSERT_TRUE(WaitReady("cpca/example-issuing", true)) << "log: " << ControllerLogPath();
  ASSERT_TRUE(Eventually([&] { return Serial("cpcert/frontend", "shop").size() > 0; }, std::chrono::seconds(60)));
  ASSERT_TRUE(WaitCondition("cpcert/frontend", "shop", "Ready"));
  const std::string serial = Serial("cpcert/frontend", "shop");

  // kubectl finds the plugin on PATH.
  CommandResult via_kubectl = RunShell("PATH=" + Quote(PluginDir()) + ":\"$PATH\" kubectl certplane version");
  EXPECT_EQ(via_kubectl.exit_code, 0) << via_kubectl.output;
  EXPECT_THAT(via_kubectl.output, HasSubstr("kubectl-certplane 0.1.0"));

  // inventory: the table and the JSON agree with the Certificate's status.
  std::string table = Ok({"inventory", "-n", "shop"});
  EXPECT_THAT(table, ::testing::StartsWith("NAMESPACE   NAME       PROFILE   CA"));
  EXPECT_THAT(table, ::testing::ContainsRegex("CA +SERIAL +NOT AFTER +STATE\n"));
  EXPECT_THAT(table,
              ::testing::ContainsRegex("shop +frontend +web +example-issuing +" + serial + " +[0-9T:Z-]+ +active"));
  nlohmann::json inventory = Inventory({"-A"});
  const nlohmann::json* frontend = Item(inventory, "shop", "frontend");
  ASSERT_NE(frontend, nullptr) << inventory.dump();
  EXPECT_EQ((*frontend)["profile"], "web");
  EXPECT_EQ((*frontend)["ca"], "example-issuing");
  EXPECT_EQ((*frontend)["serialNumber"], serial);
  EXPECT_EQ((*frontend)["state"], "active");
  EXPECT_EQ((*frontend)["secretName"], "frontend-tls");
  EXPECT_EQ((*frontend)["notAfter"].get<std::string>(),
            Trim(Kubectl({"get", "cpcert", "frontend", "-n", "shop", "-o", "jsonpath={.status.notAfter}"}).output));
  // The examples' 720h certificate is inside a 31-day window, not a 29-day one.
  EXPECT_NE(Item(Inventory({"-n", "shop", "--expiring-within", "31d"}), "shop", "frontend"), nullptr);
  EXPECT_EQ(Item(Inventory({"-n", "shop", "--expiring-within", "29d"}), "shop", "frontend"), nullptr);
  std::string yaml = Ok({"inventory", "-n", "shop", "-o", "yaml"});
  EXPECT_THAT(yaml, HasSubstr("name: frontend"));
  EXPECT_THAT(yaml, HasSubstr("state: active"));

  // status: facts, conditions and the issuance event.
  std::string status = Ok({"status", "frontend", "-n", "shop"});
  EXPECT_THAT(status, HasSubstr("Serial:         " + serial + "\n"));
  EXPECT_THAT(status, HasSubstr("State:          active\n"));
  EXPECT_THAT(status, HasSubstr("CA:             example-issuing\n"));
  EXPECT_THAT(status, ::testing::ContainsRegex("Renewal time: +20[0-9-]+T[0-9:]+Z \\(in [0-9]+d"));
  EXPECT_THAT(status, ::testing::ContainsRegex("Ready +True +Ready"));
  EXPECT_THAT(status, ::testing::ContainsRegex("Normal +Issued +issued serial " + serial));

  // export pem: verifies to the root, the key is the certificate's, files have their modes.
  const std::string pem = tmp_.File("pem");
  std::string summary = Ok({"export", "frontend", "-n", "shop", "--out", pem});
  EXPECT_THAT(summary, HasSubstr("serial " + serial));
  EXPECT_THAT(summary, Not(HasSubstr("PRIVATE KEY")));
  EXPECT_EQ(ReadFile(pem + "/serial.txt"), serial + "\n");
  EXPECT_THAT(Openssl({"x509", "-noout", "-serial", "-in", pem + "/tls.crt"}), HasSubstr("serial=" + [&] {
                std::string up = serial;
                for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                return up;
              }()));
  // chain.pem: the issuing CA, then the root. Split it to verify with the root alone trusted.
  std::string chain = ReadFile(pem + "/chain.pem");
  const std::string end = "-----END CERTIFICATE-----\n";
  size_t split = chain.find(end);
  ASSERT_NE(split, std::string::npos);
  WriteFile(tmp_.File("intermediate.pem"), chain.substr(0, split + end.size()));
  WriteFile(tmp_.File("root.pem"), chain.substr(split + end.size()));
  EXPECT_THAT(Openssl({"x509", "-noout", "-subject", "-in", tmp_.File("intermediate.pem")}),
              HasSubstr("CN = Example Issuing CA 1"));
  EXPECT_THAT(Openssl({"x509", "-noout", "-subject", "-in", tmp_.File("root.pem")}), HasSubstr("CN = Example Root CA"));
  CommandResult verify = RunTool({"openssl", "verify", "-CAfile", tmp_.File("root.pem"), "-untrusted",
                                  tmp_.File("intermediate.pem"), pem + "/tls.crt"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr(": OK"));
  EXPECT_EQ(Openssl({"x509", "-noout", "-pubkey", "-in", pem + "/tls.crt"}),
            Openssl({"pkey", "-pubout", "-in", pem + "/tls.key"}));
  EXPECT_EQ(Mode(pem + "/tls.key"), 0600u);
  EXPECT_EQ(Mode(pem + "/tls.crt"), 0644u);
  EXPECT_EQ(Mode(pem), 0700u);

  // export der: every file parses with openssl, the key is PKCS#8 and the certificate's.
  const std::string der = tmp_.File("der");
  Ok({"export", "frontend", "-n", "shop", "--format", "der", "--out", der});
  EXPECT_THAT(Openssl({"x509", "-inform", "DER", "-noout", "-subject", "-in", der + "/certificate.der"}),
              HasSubstr("CN = frontend.example.com"));
  EXPECT_THAT(Openssl({"x509", "-inform", "DER", "-noout", "-subject", "-in", der + "/chain-1.der"}),
              HasSubstr("CN = Example Issuing CA 1"));
  EXPECT_THAT(Openssl({"x509", "-inform", "DER", "-noout", "-subject", "-in", der + "/chain-2.der"}),
              HasSubstr("CN = Example Root CA"));
  EXPECT_EQ(Openssl({"pkey", "-inform", "DER", "-pubout", "-in", der + "/key.der"}),
            Openssl({"x509", "-inform", "DER", "-noout", "-pubkey", "-in", der + "/certificate.der"}));
  EXPECT_THAT(Openssl({"asn1parse", "-inform", "DER", "-in", der + "/key.der"}), HasSubstr("id-ecPublicKey"))
      << "PKCS#8 names the algorithm";
  EXPECT_EQ(Mode(der + "/key.der"), 0600u);

  // export pkcs12 with --password-file: keytool and openssl open it with that password.
  WriteFile(tmp_.File("pw"), "s3cret-pass\n");
  const std::string p12 = tmp_.File("p12");
  Ok({"export", "frontend", "-n", "shop", "--format", "pkcs12", "--password-file", tmp_.File("pw"), "--out", p12});
  EXPECT_EQ(Mode(p12 + "/keystore.p12"), 0600u);
  CommandResult keytool = RunTool({"keytool", "-list", "-v", "-keystore", p12 + "/keystore.p12", "-storetype", "PKCS12",
                                   "-storepass", "s3cret-pass"});
  EXPECT_EQ(keytool.exit_code, 0) << keytool.output;
  EXPECT_THAT(keytool.output, HasSubstr("Alias name: frontend"));
  EXPECT_THAT(keytool.output, HasSubstr("PrivateKeyEntry"));
  EXPECT_THAT(keytool.output, HasSubstr("Certificate chain length: 3"));
  std::string dump = Openssl({"pkcs12", "-in", p12 + "/keystore.p12", "-passin", "pass:s3cret-pass", "-nodes"});
  EXPECT_THAT(dump, HasSubstr("BEGIN PRIVATE KEY"));
  EXPECT_THAT(dump, HasSubstr("subject=C = US, O = Example Inc, CN = Example Root CA"));

  // renew: a new serial, the old one in the history.
  std::string renewed = Ok({"renew", "frontend", "-n", "shop"});
  EXPECT_THAT(renewed,
              HasSubstr("certificate.certplane.io/frontend renewal requested: certplane.io/renew-requested-at="));
  ASSERT_TRUE(Eventually(
      [&] { return !Serial("cpcert/frontend", "shop").empty() && Serial("cpcert/frontend", "shop") != serial; },
      std::chrono::seconds(60)))
      << "log: " << ControllerLogPath();
  const std::string new_serial = Serial("cpcert/frontend", "shop");
  ASSERT_TRUE(WaitCondition("cpcert/frontend", "shop", "Ready"));
  status = Ok({"status", "frontend", "-n", "shop"});
  EXPECT_THAT(status, ::testing::ContainsRegex("2 +" + new_serial + " +example-issuing .* current"));
  EXPECT_THAT(status, ::testing::ContainsRegex("1 +" + serial + " +example-issuing"));
  EXPECT_THAT(status, HasSubstr("Reissued"));
  EXPECT_EQ((*Item(Inventory({"-n", "shop"}), "shop", "frontend"))["serialNumber"], new_serial);

  // revoke: Revoked=True, and inventory says revoked.
  std::string revoked = Ok({"revoke", "frontend", "-n", "shop", "--reason", "keyCompromise"});
  EXPECT_THAT(revoked, HasSubstr("certificate.certplane.io/frontend revoked (keyCompromise): serial " + new_serial +
                                 " goes on the CRL of CA example-issuing"));
  ASSERT_TRUE(WaitCondition("cpcert/frontend", "shop", "Revoked")) << "log: " << ControllerLogPath();
  nlohmann::json after = Inventory({"-n", "shop", "--revoked"});
  ASSERT_EQ(Names(after), std::vector<std::string>{"frontend"}) << after.dump();
  EXPECT_EQ(after["items"][0]["state"], "revoked");
  EXPECT_EQ(after["items"][0]["revocationReason"], "keyCompromise");
  EXPECT_TRUE(after["items"][0].contains("revokedAt"));
  status = Ok({"status", "frontend", "-n", "shop"});
  EXPECT_THAT(status, HasSubstr("State:          revoked\n"));
  EXPECT_THAT(status, ::testing::ContainsRegex("Revocation: +keyCompromise, revoked 20"));
  EXPECT_THAT(status, ::testing::ContainsRegex("Revoked +True"));
  // Once revoked: the same reason again changes nothing; another is refused; renew is refused.
  EXPECT_THAT(Ok({"revoke", "frontend", "-n", "shop", "--reason", "keyCompromise"}),
              HasSubstr("is already revoked (keyCompromise); nothing changed"));
  PluginResult other = Plugin({"revoke", "frontend", "-n", "shop", "--reason", "superseded"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("already revoked with reason keyCompromise; a final revocation cannot be changed"));
  PluginResult renew = Plugin({"renew", "frontend", "-n", "shop"});
  EXPECT_EQ(renew.exit_code, 1);
  EXPECT_THAT(renew.err, HasSubstr("is revoked (keyCompromise) and is never renewed"));
}

TEST_F(PluginE2E, InventoryFiltersByProfileExpiryAndRevocation) {
  const std::string profile = MakeIssuer();
  const std::string other = "e2e-other-" + id();
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateProfile\nmetadata:\n  name: " + other +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  caRef:\n    name: e2e-root-" + id() +
        "\n  templateRef:\n    name: e2e-template-" + id() + "\n  enrollment:\n    api: {}\n");
  ASSERT_TRUE(WaitReady("cpprofile/" + other, true));
  Certificate("long", profile, "  duration: 2000h\n");
  Certificate("short", profile, "  duration: 2h\n");
  Certificate("elsewhere", other);
  for (const char* name : {"long", "short", "elsewhere"}) {
    ASSERT_TRUE(WaitReady(std::string("cpcert/") + name)) << name << "; log: " << ControllerLogPath();
  }

  nlohmann::json all = Inventory({"-n", ns()});
  EXPECT_EQ(Names(all), (std::vector<std::string>{"elsewhere", "long", "short"})) << "sorted by name";
  for (const auto& item : all["items"]) EXPECT_EQ(item["state"], "active") << item.dump();
  EXPECT_EQ(Names(Inventory({"-n", ns(), "--profile", other})), std::vector<std::string>{"elsewhere"});
  EXPECT_EQ(Names(Inventory({"-n", ns(), "--expiring-within", "1d"})), std::vector<std::string>{"short"});
  EXPECT_EQ(Names(Inventory({"-n", ns(), "--expiring-within", "60d", "--profile", profile})),
            (std::vector<std::string>{"short"}));
  EXPECT_EQ(Names(Inventory({"-n", ns(), "--expiring-within", "90d", "--profile", profile})),
            (std::vector<std::string>{"long", "short"}));
  EXPECT_EQ(Names(Inventory({"-n", ns(), "--revoked"})), std::vector<std::string>{});

  // -A sees this namespace's certificates among the others'.
  nlohmann::json everywhere = Inventory({"-A"});
  EXPECT_NE(Item(everywhere, ns(), "long"), nullptr);

  Ok({"revoke", "long", "-n", ns(), "--reason", "cessationOfOperation"});
  ASSERT_TRUE(WaitCondition("cpcert/long", ns(), "Revoked")) << "log: " << ControllerLogPath();
  nlohmann::json revoked = Inventory({"-n", ns(), "--revoked"});
  ASSERT_EQ(Names(revoked), std::vector<std::string>{"long"});
  EXPECT_EQ(revoked["items"][0]["revocationReason"], "cessationOfOperation");

  std::string wide = Ok({"inventory", "-n", ns(), "-o", "wide"});
  EXPECT_THAT(wide, HasSubstr("SECRET"));
  EXPECT_THAT(wide, HasSubstr("RENEWAL"));
  EXPECT_THAT(wide, ::testing::ContainsRegex("long +" + profile + " .* revoked +long-tls .* cessationOfOperation"));
  EXPECT_THAT(wide, ::testing::ContainsRegex("short +" + profile + " .* active +short-tls"));

  // An empty namespace: a note on stderr, nothing on stdout, success.
  const std::string empty = CreateTestNamespace("plugin-empty");
  PluginResult none = Plugin({"inventory", "-n", empty});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err, "No certificates found in namespace " + empty + ".\n");
  DeleteTestNamespace(empty);
}

TEST_F(PluginE2E, ErrorsSayWhatIsWrongAndExitNonZero) {
  const std::string profile = MakeIssuer();
  Certificate("web", profile);
  ASSERT_TRUE(WaitReady("cpcert/web"));

  PluginResult missing = Plugin({"status", "nope", "-n", ns()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "error: certificate \"nope\" not found in namespace \"" + ns() + "\"\n");
  EXPECT_EQ(missing.out, "");
  for (const char* cmd : {"renew", "export"}) {
    std::vector<std::string> args{cmd, "nope", "-n", ns()};
    if (std::string(cmd) == "export") args.insert(args.end(), {"--out", tmp_.File("x")});
    PluginResult r = Plugin(args);
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_THAT(r.err, HasSubstr("certificate \"nope\" not found")) << cmd;
  }

  PluginResult reason = Plugin({"revoke", "web", "-n", ns(), "--reason", "stolen"});
  EXPECT_EQ(reason.exit_code, 2);
  EXPECT_THAT(reason.err, HasSubstr("\"stolen\" is not an RFC 5280 revocation reason; want one of unspecified, "
                                    "keyCompromise, cACompromise"));
  EXPECT_THAT(reason.err, HasSubstr("See 'kubectl certplane revoke --help' for usage."));
  EXPECT_EQ(Condition("cpcert/web", "Revoked"), "") << "nothing was revoked";

  PluginResult flag = Plugin({"inventory", "--expiring", "3d"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_THAT(flag.err, HasSubstr("error: unknown flag: --expiring"));

  PluginResult no_config = Plugin({"inventory", "--kubeconfig", tmp_.File("absent.kubeconfig")});
  EXPECT_EQ(no_config.exit_code, 1);
  EXPECT_THAT(no_config.err, HasSubstr("loading the kubeconfig"));
  EXPECT_THAT(no_config.err, HasSubstr("absent.kubeconfig"));

  for (const char* cmd : {"inventory", "status", "renew", "revoke", "export"}) {
    PluginResult help = Plugin({cmd, "--help"});
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_THAT(help.out, HasSubstr(std::string("kubectl certplane ") + cmd)) << cmd;
    EXPECT_THAT(help.out, HasSubstr("Examples:")) << cmd;
  }
  PluginResult usage = Plugin({});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("Commands:"));

  // Export refuses to replace files, and without a terminal asks for --password-file.
  const std::string out = tmp_.File("out");
  Ok({"export", "web", "-n", ns(), "--out", out});
  PluginResult again = Plugin({"export", "web", "-n", ns(), "--out", out});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr(out + "/serial.txt already exists; pass --overwrite"));
  Ok({"export", "web", "-n", ns(), "--out", out, "--overwrite"});
  PluginResult no_tty =
      Plugin({"export", "web", "-n", ns(), "--format", "pkcs12", "--out", tmp_.File("p12")}, "setsid -w ");
  EXPECT_EQ(no_tty.exit_code, 1);
  EXPECT_THAT(no_tty.err, HasSubstr("no terminal to ask for the keystore password on; use --password-file PATH"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("p12") + "/keystore.p12"));
}

// A ServiceAccount that may read and patch Certificates but not read Secrets: its
// kubeconfig context's namespace is the default, inventory and status work, export is
// forbidden, and a ServiceAccount without any grant is forbidden everything.
TEST_F(PluginE2E, UsesTheKubeconfigsNamespaceAndReportsForbidden) {
  const std::string profile = MakeIssuer();
  Certificate("web", profile);
  ASSERT_TRUE(WaitReady("cpcert/web"));
  Kubectl(
      {"create", "role", "cert-reader", "-n", ns(), "--verb=get,list,patch", "--resource=certificates.certplane.io"});
  Kubectl({"create", "role", "event-reader", "-n", ns(), "--verb=list", "--resource=events.events.k8s.io"});
  const std::string reader = ServiceAccountKubeconfig("reader");
  Kubectl({"create", "rolebinding", "reader-certs", "-n", ns(), "--role=cert-reader",
           "--serviceaccount=" + ns() + ":reader"});
  Kubectl({"create", "rolebinding", "reader-events", "-n", ns(), "--role=event-reader",
           "--serviceaccount=" + ns() + ":reader"});
  const std::string nobody = ServiceAccountKubeconfig("nobody");

  nlohmann::json inventory = Inventory({"--kubeconfig", reader});
  EXPECT_EQ(Names(inventory), std::vector<std::string>{"web"}) << "the context's namespace, without -n";
  EXPECT_THAT(Ok({"status", "web", "--kubeconfig", reader}), HasSubstr("Namespace:      " + ns() + "\n"));

  PluginResult secret = Plugin({"export", "web", "--kubeconfig", reader, "--out", tmp_.File("denied")});
  EXPECT_EQ(secret.exit_code, 1);
  EXPECT_THAT(secret.err, HasSubstr("error: reading Secret " + ns() + "/web-tls: forbidden: "));
  EXPECT_THAT(secret.err, HasSubstr("cannot get resource \"secrets\""));
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("denied")));

  PluginResult list = Plugin({"inventory", "--kubeconfig", nobody});
  EXPECT_EQ(list.exit_code, 1);
  EXPECT_THAT(list.err, HasSubstr("error: listing certificates in namespace " + ns() + ": forbidden: "));
  EXPECT_THAT(list.err, HasSubstr("cannot list resource \"certificates\""));
  PluginResult get = Plugin({"revoke", "web", "--kubeconfig", nobody, "--reason", "keyCompromise"});
  EXPECT_EQ(get.exit_code, 1);
  EXPECT_THAT(get.err, HasSubstr("getting certificate " + ns() + "/web: forbidden: "));
  EXPECT_EQ(Condition("cpcert/web", "Revoked"), "");
}

// The keystore password typed at a prompt: asked twice on the terminal, never echoed.
TEST_F(PluginE2E, Pkcs12PasswordPromptReadsTheTerminalWithoutEcho) {
  const std::string profile = MakeIssuer();
  Certificate("web", profile);
  ASSERT_TRUE(WaitReady("cpcert/web"));
  const std::string out = tmp_.File("p12");
  // A pseudo-terminal driven by Python: answer each prompt once it appears.
  const std::string driver = R"PY(
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen = b""
def wait_for(text):
    global seen
    deadline = time.time() + 60
    while text not in seen and time.time() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return text in seen
ok = wait_for(b"Password for the keystore: ")
os.write(fd, b"typed-pass\n")
ok = ok and wait_for(b"Repeat the password: ")
os.write(fd, b"typed-pass\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status) if ok else 99)
)PY";
  CommandResult r = RunTool(
      {"python3", "-c", driver, PluginBinary(), "export", "web", "-n", ns(), "--format", "pkcs12", "--out", out});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Password for the keystore: "));
  EXPECT_THAT(r.output, Not(HasSubstr("typed-pass"))) << "the password is not echoed";
  CommandResult keytool = RunTool(
      {"keytool", "-list", "-keystore", out + "/keystore.p12", "-storetype", "PKCS12", "-storepass", "typed-pass"});
  EXPECT_EQ(keytool.exit_code, 0) << keytool.output;
  EXPECT_THAT(keytool.output, HasSubstr("web, "));
  EXPECT_THAT(keytool.output, HasSubstr("PrivateKeyEntry"));
}

}  // namespace
}  // namespace certplane::testing

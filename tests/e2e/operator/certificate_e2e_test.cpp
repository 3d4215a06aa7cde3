// The operator end to end: Certificates issued, checked, refused, renewed and reissued
// by the real controller, verified with openssl and keytool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;

std::string CertificateYaml(const std::string& name, const std::string& ns, const std::string& profile,
                            const std::string& extra_spec = {}) {
  return "apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile +
         "\n  secretName: " + name + "-tls\n" +
         (extra_spec.find("commonName") == std::string::npos ? "  commonName: " + name + ".example.com\n" : "") +
         (extra_spec.find("dnsNames") == std::string::npos ? "  dnsNames: [" + name + ".example.com]\n" : "") +
         extra_spec;
}

// The SAN entries of a PEM certificate as openssl prints them ("DNS:a", "IP Address:1.2.3.4").
std::set<std::string> Sans(const std::string& cert_pem) {
  std::string out = Openssl({"x509", "-noout", "-ext", "subjectAltName"}, cert_pem);
  std::set<std::string> sans;
  std::string line = out.substr(out.find('\n') + 1);
  std::stringstream ss(line);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \n"));
    item.erase(item.find_last_not_of(" \n") + 1);
    if (!item.empty()) sans.insert(item);
  }
  return sans;
}

// The public key of a certificate and of a private key, as PEM, so they can be compared.
std::string CertPublicKey(const std::string& cert_pem) { return Openssl({"x509", "-noout", "-pubkey"}, cert_pem); }
std::string KeyPublicKey(const std::string& key_pem) { return Openssl({"pkey", "-pubout"}, key_pem); }

class CertificateE2E : public OperatorE2E {
 protected:
  std::string Serial(const std::string& cert) { return Get("cpcert/" + cert, "{.status.serialNumber}"); }

  // openssl verify of the Secret's chain against its ca.crt.
  void ExpectVerifies(const std::string& secret) {
    std::string dir = SaveTlsSecret(secret);
    CommandResult r =
        RunTool({"openssl", "verify", "-CAfile", dir + "/ca.crt", "-untrusted", dir + "/tls.crt", dir + "/tls.crt"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr(": OK"));
    EXPECT_EQ(CertPublicKey(ReadFile(dir + "/tls.crt")), KeyPublicKey(ReadFile(dir + "/tls.key")))
        << "tls.key is not the key of tls.crt";
  }
};

TEST_F(CertificateE2E, IssuesAVerifiableCertificateWithExactlyTheRequestedNames) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("web", ns(), profile,
                        "  dnsNames: [web.example.com, web.shop.svc.cluster.local]\n  ipAddresses: [10.1.2.3]\n"));
  ASSERT_TRUE(WaitReady("cpcert/web")) << "log: " << ControllerLogPath();
  ExpectVerifies("web-tls");
  EXPECT_EQ(Sans(SecretData("web-tls", "tls.crt")),
            (std::set<std::string>{"DNS:web.example.com", "DNS:web.shop.svc.cluster.local", "IP Address:10.1.2.3"}));
  EXPECT_EQ(Get("secret/web-tls", "{.type}"), "kubernetes.io/tls");
  EXPECT_EQ(Get("secret/web-tls", "{.metadata.annotations.certplane\\.io/serial-number}"), Serial("web"));
  EXPECT_EQ(Get("cpcert/web", "{.status.revision}"), "1");
  EXPECT_FALSE(Get("cpcert/web", "{.status.renewalTime}").empty());
}

TEST_F(CertificateE2E, IssuesOneCertificatePerKeyAlgorithm) {
  const std::string profile = MakeIssuer();
  const std::vector<std::pair<std::string, std::string>> algorithms = {
      {"ecp256", "ECDSA-P256"}, {"ecp384", "ECDSA-P384"}, {"rsa2048", "RSA-2048"},
      {"rsa3072", "RSA-3072"},  {"rsa4096", "RSA-4096"},  {"ed25519", "Ed25519"}};
  for (const auto& [name, algorithm] : algorithms) {
    Apply(CertificateYaml(name, ns(), profile, "  privateKey:\n    algorithm: " + algorithm + "\n"));
  }
  for (const auto& [name, algorithm] : algorithms) {
    ASSERT_TRUE(WaitReady("cpcert/" + name)) << algorithm << "; log: " << ControllerLogPath();
    ExpectVerifies(name + "-tls");
    std::string text = Openssl({"x509", "-noout", "-text"}, SecretData(name + "-tls", "tls.crt"));
    if (algorithm.rfind("RSA", 0) == 0) {
      EXPECT_THAT(text, HasSubstr("Public-Key: (" + algorithm.substr(4) + " bit)"));
      EXPECT_THAT(text, HasSubstr("Key Encipherment")) << "an RSA key gets the template's keyEncipherment";
    } else if (algorithm == "Ed25519") {
      EXPECT_THAT(text, HasSubstr("ED25519"));
    } else {
      EXPECT_THAT(text, HasSubstr(algorithm == "ECDSA-P256" ? "prime256v1" : "secp384r1"));
      EXPECT_THAT(text, ::testing::Not(HasSubstr("Key Encipherment"))) << "an EC key never enciphers";
    }
  }
}

struct PolicyCase {
  std::string name;
  std::string spec;
  std::string message;  // part of the Ready condition's message
};
// gtest would print the struct's bytes into the test list, which ctest cannot parse.
void PrintTo(const PolicyCase& c, std::ostream* os) { *os << c.name; }

class PolicyE2E : public CertificateE2E, public ::testing::WithParamInterface<PolicyCase> {};

TEST_P(PolicyE2E, RefusesWithPolicyViolationAndIssuesNothing) {
  const std::string profile =
      MakeIssuer("  keyAlgorithms: [ECDSA-P256, RSA-2048]\n",
                 GetParam().name == "namespace-not-selected"
                     ? "  namespaceSelector:\n    matchLabels: {certplane-e2e-allowed: \"yes\"}\n"
                     : "");
  Apply(CertificateYaml("refused", ns(), profile, GetParam().spec));
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/refused", "Ready", "reason") == "PolicyViolation"; },
                         std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();
  EXPECT_EQ(Condition("cpcert/refused", "Ready"), "False");
  EXPECT_THAT(Condition("cpcert/refused", "Ready", "message"), HasSubstr(GetParam().message));
  EXPECT_TRUE(Get("secret/refused-tls", "{.metadata.name}").empty()) << "a refused certificate has no Secret";
}

INSTANTIATE_TEST_SUITE_P(
    Rules, PolicyE2E,
    ::testing::Values(
        PolicyCase{"cn-outside-globs", "  commonName: refused.evil.com\n", "\"refused.evil.com\" is not allowed"},
        PolicyCase{"san-outside-globs", "  dnsNames: [refused.example.com, www.evil.com]\n",
                   "spec.dnsNames[1] \"www.evil.com\" is not allowed"},
        PolicyCase{"ip-outside-cidrs", "  ipAddresses: [192.168.1.1]\n", "spec.ipAddresses[0] \"192.168.1.1\""},
        PolicyCase{"duration-over-maximum", "  duration: 4000h\n", "spec.duration \"4000h\" exceeds the maximum 2160h"},
        PolicyCase{"key-algorithm-not-allowed", "  privateKey:\n    algorithm: Ed25519\n", "spec.privateKey.algorithm"},
        PolicyCase{"namespace-not-selected", "", "namespace"}),
    [](const auto& info) {
      std::string n = info.param.name;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

TEST_F(CertificateE2E, RenewsBeforeExpiryWithANewSerialAndKey) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("short", ns(), profile, "  duration: 1h\n  renewBefore: 59m50s\n"));
  ASSERT_TRUE(WaitReady("cpcert/short")) << "log: " << ControllerLogPath();
  const std::string first_serial = Serial("short");
  const std::string first_key = SecretData("short-tls", "tls.key");
  ASSERT_TRUE(
      Eventually([&] { return Serial("short") != first_serial && !Serial("short").empty(); }, std::chrono::seconds(40)))
      << "not renewed; log: " << ControllerLogPath();
  EXPECT_EQ(Get("cpcert/short", "{.status.history[0].serialNumber}"), first_serial);
  ASSERT_TRUE(Eventually([&] { return SecretData("short-tls", "tls.key") != first_key; }, std::chrono::seconds(10)));
  ExpectVerifies("short-tls");
  EXPECT_THAT(Get("secret/short-tls", "{.metadata.annotations.certplane\\.io/serial-number}"),
              ::testing::Not(first_serial));
}

TEST_F(CertificateE2E, ADeletedSecretComesBack) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("phoenix", ns(), profile));
  ASSERT_TRUE(WaitReady("cpcert/phoenix"));
  Kubectl({"delete", "secret", "phoenix-tls", "-n", ns()});
  ASSERT_TRUE(Eventually([&] { return !SecretData("phoenix-tls", "tls.crt").empty(); }, std::chrono::seconds(30)));
  ASSERT_TRUE(WaitReady("cpcert/phoenix"));
  ExpectVerifies("phoenix-tls");
}

TEST_F(CertificateE2E, ASecretWithASwappedKeyIsReissued) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("swapped", ns(), profile));
  ASSERT_TRUE(WaitReady("cpcert/swapped"));
  const std::string serial = Serial("swapped");
  std::string other_key = Openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"});
  CommandResult b64 = RunTool({"base64", "-w0"}, {.stdin_data = other_key});
  Kubectl({"patch", "secret", "swapped-tls", "-n", ns(), "--type=merge", "-p",
           "{\"data\":{\"tls.key\":\"" + b64.output + "\"}}"});
  ASSERT_TRUE(Eventually([&] { return Serial("swapped") != serial; }, std::chrono::seconds(30)));
  ASSERT_TRUE(WaitReady("cpcert/swapped"));
  ExpectVerifies("swapped-tls");
}

TEST_F(CertificateE2E, EditingDnsNamesReissues) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("edit", ns(), profile));
  ASSERT_TRUE(WaitReady("cpcert/edit"));
  const std::string serial = Serial("edit");
  Kubectl({"patch", "cpcert", "edit", "-n", ns(), "--type=merge", "-p",
           "{\"spec\":{\"dnsNames\":[\"edit.example.com\",\"edit2.example.com\"]}}"});
  ASSERT_TRUE(Eventually([&] { return Serial("edit") != serial; }, std::chrono::seconds(30)));
  ASSERT_TRUE(WaitReady("cpcert/edit"));
  EXPECT_EQ(Sans(SecretData("edit-tls", "tls.crt")),
            (std::set<std::string>{"DNS:edit.example.com", "DNS:edit2.example.com"}));
}

TEST_F(CertificateE2E, AutoRenewFalseDoesNotRenew) {
  const std::string profile = MakeIssuer();
  // An auto-renewing twin, created with it, is due at the same moment (about 10 s after
  // issuance). Its renewal is the witness that the controller was renewing meanwhile,
  // so a stuck controller fails this test instead of passing it.
  Apply(CertificateYaml("manual", ns(), profile, "  duration: 1h\n  renewBefore: 59m50s\n  autoRenew: false\n") +
        "---\n" + CertificateYaml("twin", ns(), profile, "  duration: 1h\n  renewBefore: 59m50s\n"));
  ASSERT_TRUE(WaitReady("cpcert/manual"));
  ASSERT_TRUE(WaitReady("cpcert/twin"));
  const std::string serial = Serial("manual");
  const std::string twin_serial = Serial("twin");
  ASSERT_TRUE(
      Eventually([&] { return !Serial("twin").empty() && Serial("twin") != twin_serial; }, std::chrono::seconds(60)))
      << "the auto-renewing twin did not renew, so this test cannot tell; log: " << ControllerLogPath();
  EXPECT_EQ(Serial("manual"), serial);
  EXPECT_EQ(Get("cpcert/manual", "{.status.revision}"), "1");
  EXPECT_TRUE(Get("cpcert/manual", "{.status.renewalTime}").empty());
}

TEST_F(CertificateE2E, TheRenewAnnotationRenewsNow) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("ondemand", ns(), profile));
  ASSERT_TRUE(WaitReady("cpcert/ondemand"));
  const std::string serial = Serial("ondemand");
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the annotation has whole seconds
  CommandResult now = RunTool({"date", "-u", "+%Y-%m-%dT%H:%M:%SZ"});
  std::string ts = now.output.substr(0, now.output.find('\n'));
  Kubectl({"annotate", "cpcert", "ondemand", "-n", ns(), "--overwrite", "certplane.io/renew-requested-at=" + ts});
  ASSERT_TRUE(Eventually([&] { return Serial("ondemand") != serial; }, std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitReady("cpcert/ondemand"));
  EXPECT_EQ(Get("cpcert/ondemand", "{.status.revision}"), "2");
}

TEST_F(CertificateE2E, RotatingTheIssuingCaReissuesItsCertificates) {
  const std::string profile = MakeIssuer();
  Apply(CertificateYaml("rotated", ns(), profile));
  ASSERT_TRUE(WaitReady("cpcert/rotated"));
  const std::string serial = Serial("rotated");
  const std::string ca = "e2e-root-" + id();
  const std::string old_fingerprint = Get("cpca/" + ca, "{.status.fingerprintSHA256}", true);
  // Deleting the CA's key Secret makes the controller generate a new key and certificate.
  Kubectl({"delete", "secret", "certplane-ca-" + ca, "-n", ControllerNamespace()});
  ASSERT_TRUE(Eventually(
      [&] {
        std::string fp = Get("cpca/" + ca, "{.status.fingerprintSHA256}", true);
        return !fp.empty() && fp != old_fingerprint;
      },
      std::chrono::seconds(30)));
  ASSERT_TRUE(Eventually([&] { return Serial("rotated") != serial; }, std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitReady("cpcert/rotated"));
  ExpectVerifies("rotated-tls");
  EXPECT_EQ(Openssl({"x509", "-noout", "-fingerprint", "-sha256"}, SecretData("rotated-tls", "ca.crt")).size() > 0,
            true);
}

TEST_F(CertificateE2E, SurvivesAKillWhileIssuingAndIssuesEveryRevisionOnce) {
  const std::string profile = MakeIssuer();
  constexpr int kCount = 200;
  std::string yaml;
  for (int i = 0; i < kCount; ++i) yaml += "---\n" + CertificateYaml("bulk-" + std::to_string(i), ns(), profile);
  Apply(yaml);
  // Kill the controller once some, but not all, are issued.
  auto issued = [&] {
    std::stringstream ss(Get("cpcert", "{range .items[*]}{.status.serialNumber}{\"\\n\"}{end}"));
    std::string serial;
    int n = 0;
    while (std::getline(ss, serial)) n += !serial.empty();
    return n;
  };
  ASSERT_TRUE(Eventually([&] { return issued() >= 10; }, std::chrono::seconds(60))) << "log: " << ControllerLogPath();
  const int before_kill = issued();
  RestartController(/*crash=*/true);
  ASSERT_TRUE(Eventually(
      [&] {
        std::string statuses =
            Get("cpcert", "{range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\" \"}{end}");
        std::stringstream ss(statuses);
        std::string s;
        int ready = 0;
        while (ss >> s) ready += s == "True";
        return ready == kCount;
      },
      std::chrono::seconds(180)))
      << "log: " << ControllerLogPath();
  // Every Secret's key matches its certificate, and every Certificate was issued once:
  // revision 1 and no earlier serial.
  std::string revisions = Get("cpcert", "{range .items[*]}{.status.revision}{\" \"}{.status.history}{\"\\n\"}{end}");
  std::stringstream lines(revisions);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    EXPECT_EQ(line, "1 ") << "a certificate was issued more than once";
    ++checked;
  }
  EXPECT_EQ(checked, kCount);
  RecordProperty("issued_before_kill", before_kill);
  for (int i = 0; i < kCount; i += 20) {
    const std::string secret = "bulk-" + std::to_string(i) + "-tls";
    EXPECT_EQ(CertPublicKey(SecretData(secret, "tls.crt")), KeyPublicKey(SecretData(secret, "tls.key"))) << secret;
    EXPECT_EQ(Get("secret/" + secret, "{.metadata.annotations.certplane\\.io/revision}"), "1") << secret;
  }
}

}  // namespace
}  // namespace certplane::testing

namespace certplane::testing {
namespace {

TEST_F(CertificateE2E, AnImportedCaSignsWithTheKeyItWasGiven) {
  // A CA made outside certplane, with the openssl CLI.
  const std::string dir = tmp_.path();
  CommandResult made = RunTool({"openssl",
                                "req",
                                "-x509",
                                "-newkey",
                                "ec",
                                "-pkeyopt",
                                "ec_paramgen_curve:P-256",
                                "-nodes",
                                "-days",
                                "365",
                                "-subj",
                                "/CN=Imported Root " + id(),
                                "-addext",
                                "basicConstraints=critical,CA:TRUE",
                                "-addext",
                                "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
                                "-keyout",
                                dir + "/ca.key",
                                "-out",
                                dir + "/ca.crt"});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string source = "imported-ca-" + id();
  Kubectl({"create", "secret", "tls", source, "-n", ControllerNamespace(), "--cert=" + dir + "/ca.crt",
           "--key=" + dir + "/ca.key"});
  const std::string ca = "e2e-imported-" + id(), profile = "e2e-imported-profile-" + id();
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateAuthority\nmetadata:\n  name: " + ca +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  type: Imported\n  secretRef:\n    name: " + source + "\n");
  ASSERT_TRUE(WaitReady("cpca/" + ca, true)) << "log: " << ControllerLogPath();
  EXPECT_EQ(Get("cpca/" + ca, "{.status.fingerprintSHA256}", true), [&] {
    std::string fp = Openssl({"x509", "-noout", "-fingerprint", "-sha256", "-in", dir + "/ca.crt"});
    fp = fp.substr(fp.find('=') + 1);
    std::string hex;
    for (char c : fp) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex += static_cast<char>(std::tolower(c));
    }
    return hex;
  }());

  // A profile over it issues certificates that chain to the imported root.
  const std::string base_profile = MakeIssuer();  // for its template
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateProfile\nmetadata:\n  name: " + profile +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  caRef:\n    name: " + ca +
        "\n  templateRef:\n    name: e2e-template-" + id() + "\n  enrollment:\n    api: {}\n");
  ASSERT_TRUE(WaitReady("cpprofile/" + profile, true));
  Apply(CertificateYaml("imported", ns(), profile));
  ASSERT_TRUE(WaitReady("cpcert/imported")) << "log: " << ControllerLogPath();
  WriteFile(dir + "/leaf.crt", SecretData("imported-tls", "tls.crt"));
  CommandResult verify = RunTool({"openssl", "verify", "-CAfile", dir + "/ca.crt", dir + "/leaf.crt"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  Kubectl({"delete", "secret", source, "-n", ControllerNamespace()}, {}, true);
}

}  // namespace
}  // namespace certplane::testing

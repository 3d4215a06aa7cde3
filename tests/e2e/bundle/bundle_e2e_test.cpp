// The bundle API end to end: the real controller (with the OperatorE2E fixture) on the
// shared control plane, two ServiceAccounts with TokenRequest tokens (`kubectl create
// token`), a Role that lets one of them get the Secrets, and curl against the
// controller's public HTTP port; what comes back is checked with openssl and keytool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "changeit-7f3a";

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

struct Fetched {
  int status = 0;
  std::string body;
  std::string headers;  // as curl -D wrote them
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class BundleE2E : public OperatorE2E {
 public:
  // The bundle API answers over HTTPS only: the suite's controller serves it, and curl
  // trusts the CA the controller publishes.
  static void SetUpTestSuite() {
    ServeHttps() = true;
    OperatorE2E::SetUpTestSuite();
  }

 protected:
  void Certificate(const std::string& name, const std::string& profile) {
    Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name + "\n  namespace: " +
          ns() + "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile +
          "\n  secretName: " + name + "-tls\n  commonName: " + name + ".example.com\n  dnsNames: [" + name +
          ".example.com]\n");
  }
  std::string Serial(const std::string& cert) { return Get("cpcert/" + cert, "{.status.serialNumber}"); }

  // ServiceAccounts deployer and outsider; a Role that lets deployer get `secrets`.
  void MakeCallers(const std::vector<std::string>& secrets) {
    Kubectl({"create", "serviceaccount", "deployer", "-n", ns()});
    Kubectl({"create", "serviceaccount", "outsider", "-n", ns()});
    std::string names;
    for (const auto& s : secrets) names += (names.empty() ? "" : ", ") + s;
    Apply("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: bundle-reader\n  namespace: " +
          ns() + "\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [" + names +
          "]\n  verbs: [get]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n"
          "  name: bundle-reader\n  namespace: " +
          ns() +
          "\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: bundle-reader\n"
          "subjects:\n- kind: ServiceAccount\n  name: deployer\n  namespace: " +
          ns() + "\n");
    // Wait until the API server's authorizer knows the binding, so no denial is cached
    // by the controller before it does.
    ASSERT_TRUE(Eventually(
        [&] {
          return Kubectl({"auth", "can-i", "get", "secret/" + secrets.front(), "-n", ns(),
                          "--as=system:serviceaccount:" + ns() + ":deployer"},
                         {}, true)
                     .exit_code == 0;
        },
        std::chrono::seconds(20)));
    deployer_ = Token("deployer");
    outsider_ = Token("outsider");
  }

  // A TokenRequest token, as a pipeline would get one.
  std::string Token(const std::string& sa) {
    std::string token = Trim(Kubectl({"create", "token", sa, "-n", ns(), "--duration=1h"}).output);
    EXPECT_FALSE(token.empty());
    return token;
  }

  Fetched Fetch(const std::string& path, const std::string& token, const std::vector<std::string>& headers = {}) {
    const std::string n = std::to_string(++fetches_);
    const std::string body = tmp_.File("body-" + n), head = tmp_.File("headers-" + n);
    std::vector<std::string> argv{"curl", "-sS", "--max-time", "30", "-o", body, "-D", head, "-w", "%{http_code}"};
    if (!token.empty()) {
      argv.push_back("-H");
      argv.push_back("Authorization: Bearer " + token);
    }
    for (const auto& h : headers) {
      argv.push_back("-H");
      argv.push_back(h);
    }
    if (serving_ca_.empty()) serving_ca_ = ServingCaFile();
    argv.insert(argv.end(), {"--cacert", serving_ca_, HttpsBaseUrl() + path});
    CommandResult r = RunTool(argv);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    Fetched out;
    out.status = std::atoi(r.output.c_str());
    out.body = ReadFile(body);
    out.headers = ReadFile(head);
    return out;
  }
  std::string LatestPath(const std::string& profile) { return "/api/v1/profiles/" + profile + "/latest-bundle"; }
  std::string OnePath(const std::string& name) {
    return "/api/v1/namespaces/" + ns() + "/certificates/" + name + "/bundle";
  }

  // Polls the latest bundle until it answers `status` (and, for 200, `serial`).
  Fetched WaitForLatest(const std::string& profile, int status, const std::string& serial = {}) {
    Fetched last;
    Eventually(
        [&] {
          last = Fetch(LatestPath(profile), deployer_);
          return last.status == status && (serial.empty() || last.Json().value("serialNumber", "") == serial);
        },
        std::chrono::seconds(40), std::chrono::milliseconds(500));
    return last;
  }

  // The bundle's certificate verifies against the Secret's ca.crt with openssl, its
  // key is the certificate's, and it is the serial the Certificate's status names.
  void ExpectVerifiedBundle(const Fetched& f, const std::string& cert) {
    ASSERT_EQ(f.status, 200) << f.body;
    nlohmann::json j = f.Json();
    ASSERT_TRUE(j.is_object()) << f.body;
    EXPECT_EQ(j["namespace"], ns());
    EXPECT_EQ(j["name"], cert);
    EXPECT_EQ(j["serialNumber"], Serial(cert));
    EXPECT_FALSE(j.value("notBefore", "").empty());
    EXPECT_FALSE(j.value("notAfter", "").empty());
    const std::string dir = tmp_.File(cert + "-bundle-" + std::to_string(fetches_));
    std::filesystem::create_directories(dir);
    WriteFile(dir + "/cert.pem", j.value("certificate", ""));
    WriteFile(dir + "/chain.pem", j.value("certificateChain", ""));
    WriteFile(dir + "/key.pem", j.value("privateKey", ""));
    WriteFile(dir + "/ca.crt", SecretData(cert + "-tls", "ca.crt"));
    EXPECT_THAT(Openssl({"verify", "-CAfile", dir + "/ca.crt", "-untrusted", dir + "/chain.pem", dir + "/cert.pem"}),
                HasSubstr(": OK"));
    const std::string cert_key = Openssl({"x509", "-in", dir + "/cert.pem", "-noout", "-pubkey"});
    const std::string private_key = Openssl({"pkey", "-in", dir + "/key.pem", "-pubout"});
    EXPECT_THAT(cert_key, HasSubstr("BEGIN PUBLIC KEY"));
    EXPECT_EQ(cert_key, private_key) << "the bundle's key is not its certificate's";
    std::string serial = Openssl({"x509", "-in", dir + "/cert.pem", "-noout", "-serial"});
    std::string want = Serial(cert);
    for (char& c : want) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_THAT(serial, HasSubstr(want));
  }

  std::string deployer_, outsider_;
  int fetches_ = 0;
  std::string serving_ca_;
};

TEST_F(BundleE2E, TheLatestBundleGoesOnlyToWhoeverMayReadItsSecretAndFollowsRenewalAndRevocation) {
  const std::string profile = MakeIssuer();
  Certificate("first", profile);
  ASSERT_TRUE(WaitReady("cpcert/first")) << "log: " << ControllerLogPath();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // issuance times have whole seconds
  Certificate("second", profile);
  ASSERT_TRUE(WaitReady("cpcert/second")) << "log: " << ControllerLogPath();
  ASSERT_NO_FATAL_FAILURE(MakeCallers({"first-tls", "second-tls"}));

  // No token, a token the API server does not know: 401.
  Fetched anonymous = Fetch(LatestPath(profile), "");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_THAT(anonymous.headers, HasSubstr("WWW-Authenticate: Bearer realm=\"certplane\""));
  EXPECT_EQ(anonymous.Json()["reason"], "Unauthorized");
  EXPECT_EQ(Fetch(LatestPath(profile), "not-a-kubernetes-token").status, 401);

  // A ServiceAccount that may not read the Secret: 403, and no key in the answer.
  Fetched outsider = Fetch(LatestPath(profile), outsider_);
  EXPECT_EQ(outsider.status, 403) << outsider.body;
  EXPECT_THAT(outsider.body, Not(HasSubstr("PRIVATE KEY")));
  EXPECT_EQ(Fetch(OnePath("second"), outsider_).status, 403);

  // The one that may: the latest bundle, which verifies and whose key matches.
  Fetched latest = Fetch(LatestPath(profile), deployer_);
  ASSERT_NO_FATAL_FAILURE(ExpectVerifiedBundle(latest, "second"));
  EXPECT_THAT(latest.headers, HasSubstr("Cache-Control: no-store"));
  const std::string first_serial = Serial("first"), old_serial = Serial("second");
  EXPECT_EQ(Fetch(LatestPath("no-such-profile-" + id()), deployer_).status, 404);

  // A renewal: the endpoint hands out the new serial.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Kubectl(
      {"annotate", "cpcert", "second", "-n", ns(), "--overwrite", "certplane.io/renew-requested-at=" + NowRfc3339()});
  ASSERT_TRUE(Eventually([&] { return Serial("second") != old_serial; }, std::chrono::seconds(60)))
      << "no renewal; log: " << ControllerLogPath();
  const std::string new_serial = Serial("second");
  Fetched renewed = WaitForLatest(profile, 200, new_serial);
  ASSERT_NO_FATAL_FAILURE(ExpectVerifiedBundle(renewed, "second"));
  EXPECT_NE(renewed.Json()["privateKey"], latest.Json()["privateKey"]) << "the renewal kept the key";

  // A revocation: the revoked serial is never handed out again; the older certificate is
  // now the latest active one.
  Kubectl({"patch", "cpcert", "second", "-n", ns(), "--type=merge", "-p",
           R"({"spec":{"revocation":{"reason":"keyCompromise"}}})"});
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/second", "Revoked") == "True"; }, std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();
  Fetched after_revocation = WaitForLatest(profile, 200, first_serial);
  ASSERT_NO_FATAL_FAILURE(ExpectVerifiedBundle(after_revocation, "first"));
  // The profile's status names the same one: one rule for both.
  EXPECT_TRUE(Eventually(
      [&] {
        return Get("cpprofile/" + profile, "{.status.latestActiveCertificate.serialNumber}", true) == first_serial;
      },
      std::chrono::seconds(30)))
      << Get("cpprofile/" + profile, "{.status.latestActiveCertificate}", true);
  Fetched revoked_one = Fetch(OnePath("second"), deployer_);
  EXPECT_EQ(revoked_one.status, 409) << revoked_one.body;
  EXPECT_THAT(revoked_one.body, Not(HasSubstr("PRIVATE KEY")));

  // Nothing active left: 404.
  Kubectl({"patch", "cpcert", "first", "-n", ns(), "--type=merge", "-p",
           R"({"spec":{"revocation":{"reason":"superseded"}}})"});
  Fetched none = WaitForLatest(profile, 404);
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_THAT(none.body, HasSubstr("no certificate of profile"));

  // Every key handed out is in the controller's log with who took it; no key is.
  const std::string log = ReadFile(ControllerLogPath());
  const std::string who = "user=system:serviceaccount:" + ns() + ":deployer";
  EXPECT_THAT(log, HasSubstr("served key bundle route=latest-bundle " + who));
  EXPECT_THAT(log, HasSubstr("name=second serial=" + old_serial));
  EXPECT_THAT(log, HasSubstr("name=second serial=" + new_serial));
  EXPECT_THAT(log,
              HasSubstr("refused key bundle route=latest-bundle user=system:serviceaccount:" + ns() + ":outsider"));
  EXPECT_THAT(log, Not(HasSubstr("PRIVATE KEY")));
  EXPECT_THAT(log, Not(HasSubstr(deployer_)));
}

TEST_F(BundleE2E, OneCertificateAsPkcs12OpensInKeytoolAndOpenssl) {
  const std::string profile = MakeIssuer();
  Certificate("shop", profile);
  ASSERT_TRUE(WaitReady("cpcert/shop")) << "log: " << ControllerLogPath();
  ASSERT_NO_FATAL_FAILURE(MakeCallers({"shop-tls"}));
  const std::string serial = Serial("shop");

  // format=pem (the default) is the JSON bundle.
  ASSERT_NO_FATAL_FAILURE(ExpectVerifiedBundle(Fetch(OnePath("shop") + "?format=pem", deployer_), "shop"));

  // PKCS#12 needs the password header.
  Fetched no_password = Fetch(OnePath("shop") + "?format=pkcs12", deployer_);
  EXPECT_EQ(no_password.status, 400) << no_password.body;
  EXPECT_THAT(no_password.body, HasSubstr("X-Certplane-PKCS12-Password"));

  Fetched p12 =
      Fetch(OnePath("shop") + "?format=pkcs12", deployer_, {std::string("X-Certplane-PKCS12-Password: ") + kPassword});
  ASSERT_EQ(p12.status, 200) << p12.body;
  EXPECT_THAT(p12.headers, HasSubstr("Content-Type: application/x-pkcs12"));
  EXPECT_THAT(p12.headers, HasSubstr("X-Certplane-Serial-Number: " + serial));
  const std::string file = tmp_.File("shop.p12");
  WriteFile(file, p12.body);

  CommandResult keytool =
      RunTool({"keytool", "-list", "-v", "-storetype", "PKCS12", "-keystore", file, "-storepass", kPassword});
  ASSERT_EQ(keytool.exit_code, 0) << keytool.output;
  EXPECT_THAT(keytool.output, HasSubstr("Alias name: shop"));
  EXPECT_THAT(keytool.output, HasSubstr("Entry type: PrivateKeyEntry"));
  EXPECT_THAT(keytool.output, HasSubstr("Certificate chain length: 2"));
  // keytool prints the serial without leading zeros.
  std::string hex = serial;
  hex.erase(0, std::min(hex.find_first_not_of('0'), hex.size() - 1));
  EXPECT_THAT(keytool.output, HasSubstr("Serial number: " + hex));

  const std::string leaf =
      Openssl({"pkcs12", "-in", file, "-passin", std::string("pass:") + kPassword, "-nokeys", "-clcerts"});
  const std::string key =
      Openssl({"pkcs12", "-in", file, "-passin", std::string("pass:") + kPassword, "-nocerts", "-nodes"});
  WriteFile(tmp_.File("p12-leaf.pem"), leaf);
  WriteFile(tmp_.File("p12-key.pem"), key);
  EXPECT_EQ(Openssl({"x509", "-in", tmp_.File("p12-leaf.pem"), "-noout", "-pubkey"}),
            Openssl({"pkey", "-in", tmp_.File("p12-key.pem"), "-pubout"}));
  WriteFile(tmp_.File("ca.crt"), SecretData("shop-tls", "ca.crt"));
  const std::string chain =
      Openssl({"pkcs12", "-in", file, "-passin", std::string("pass:") + kPassword, "-nokeys", "-cacerts"});
  WriteFile(tmp_.File("p12-chain.pem"), chain);
  EXPECT_THAT(Openssl({"verify", "-CAfile", tmp_.File("ca.crt"), "-untrusted", tmp_.File("p12-chain.pem"),
                       tmp_.File("p12-leaf.pem")}),
              HasSubstr(": OK"));
  CommandResult wrong = RunTool({"openssl", "pkcs12", "-in", file, "-passin", "pass:wrong", "-nokeys"});
  EXPECT_NE(wrong.exit_code, 0);

  // A Certificate that does not exist is 403 to whoever may not get Certificates there.
  EXPECT_EQ(Fetch(OnePath("nothing-here"), deployer_).status, 403);
  EXPECT_EQ(Fetch(OnePath("shop") + "?format=der", deployer_).status, 400);
}

}  // namespace
}  // namespace certplane::testing

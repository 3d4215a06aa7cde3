// Revocation end to end: spec.revocation and the profile's revocation options put
// serials on the CA's CRL, which openssl then checks three ways: from the ConfigMap,
// fetched over HTTP, and found by following the certificate's distribution point.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

class RevocationE2E : public OperatorE2E {
 protected:
  std::string Ca() const { return "e2e-root-" + id(); }
  std::string CrlConfigMap() const { return "certplane-crl-" + Ca(); }

  void Certificate(const std::string& name, const std::string& profile) {
    Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name + "\n  namespace: " +
          ns() + "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile +
          "\n  secretName: " + name + "-tls\n  commonName: " + name + ".example.com\n  dnsNames: [" + name +
          ".example.com]\n");
  }
  std::string Serial(const std::string& cert) { return Get("cpcert/" + cert, "{.status.serialNumber}"); }
  void Revoke(const std::string& cert, const std::string& reason) {
    Kubectl({"patch", "cpcert", cert, "-n", ns(), "--type=merge", "-p",
             R"({"spec":{"revocation":{"reason":")" + reason + R"("}}})"});
  }
  std::int64_t CrlNumber() {
    std::string n = Get("cpca/" + Ca(), "{.status.crl.number}", true);
    return n.empty() ? 0 : std::stoll(n);
  }
  // The CRL as the ConfigMap holds it, saved as PEM; "" when there is none.
  std::string CrlFromConfigMap(const std::string& name) {
    CommandResult r =
        Kubectl({"get", "configmap", name, "-n", ControllerNamespace(), "-o", "jsonpath={.data.crl\\.pem}"}, {}, true);
    if (r.exit_code != 0 || r.output.empty()) return "";
    std::string path = tmp_.path() + "/" + name + ".pem";
    WriteFile(path, r.output);
    return path;
  }
  std::string CrlText(const std::string& pem_path) { return Openssl({"crl", "-in", pem_path, "-noout", "-text"}); }
  bool CrlLists(const std::string& pem_path, const std::string& serial) {
    return !pem_path.empty() && CrlText(pem_path).find("Serial Number: " + Upper(serial)) != std::string::npos;
  }
  bool ConfigMapCrlLists(const std::string& serial) { return CrlLists(CrlFromConfigMap(CrlConfigMap()), serial); }
  // openssl verify -crl_check of a Secret's leaf against its ca.crt, with `crl_args`.
  CommandResult VerifyWithCrl(const std::string& secret, const std::vector<std::string>& crl_args) {
    std::string dir = SaveTlsSecret(secret);
    std::vector<std::string> argv{"openssl", "verify", "-crl_check", "-CAfile", dir + "/ca.crt"};
    argv.insert(argv.end(), crl_args.begin(), crl_args.end());
    argv.push_back(dir + "/tls.crt");
    return RunTool(argv);
  }
};

TEST_F(RevocationE2E, ARevokedCertificateFailsCrlCheckFromTheConfigMapOverHttpAndByDistributionPoint) {
  const std::string profile = MakeIssuer();
  Certificate("revoked", profile);
  Certificate("sibling", profile);
  ASSERT_TRUE(WaitReady("cpcert/revoked")) << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitReady("cpcert/sibling")) << "log: " << ControllerLogPath();
  // A Ready CA publishes an empty CRL straight away.
  ASSERT_TRUE(Eventually([&] { return CrlNumber() > 0; }, std::chrono::seconds(20)))
      << "no CRL; log: " << ControllerLogPath();
  const std::int64_t number_before = CrlNumber();
  const std::string serial = Serial("revoked");

  Revoke("revoked", "keyCompromise");
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/revoked", "Revoked") == "True"; }, std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();
  EXPECT_EQ(Get("cpcert/revoked", "{.status.revocationReason}"), "keyCompromise");
  EXPECT_FALSE(Get("cpcert/revoked", "{.status.revokedAt}").empty());
  EXPECT_EQ(Condition("cpcert/revoked", "Ready"), "False");
  EXPECT_EQ(Condition("cpcert/revoked", "Ready", "reason"), "Revoked");
  EXPECT_EQ(Condition("cpcert/sibling", "Ready"), "True");

  // The ConfigMap's CRL: the serial with its reason and time, a grown CRL number.
  const std::string pem = CrlFromConfigMap(CrlConfigMap());
  ASSERT_FALSE(pem.empty());
  const std::string text = CrlText(pem);
  EXPECT_THAT(text, HasSubstr("Serial Number: " + Upper(serial)));
  EXPECT_THAT(text, HasSubstr("Key Compromise"));
  EXPECT_THAT(text, HasSubstr("Revocation Date:"));
  EXPECT_THAT(text, HasSubstr("X509v3 CRL Number"));
  EXPECT_GT(CrlNumber(), number_before);
  EXPECT_EQ(Get("cpca/" + Ca(), "{.status.crl.entries}", true), "1");
  CommandResult annotations = Kubectl({"get", "configmap", CrlConfigMap(), "-n", ControllerNamespace(), "-o",
                                       "jsonpath={.metadata.annotations.certplane\\.io/crl-number}"});
  EXPECT_EQ(annotations.output, std::to_string(CrlNumber()));

  CommandResult from_configmap = VerifyWithCrl("revoked-tls", {"-CRLfile", pem});
  EXPECT_NE(from_configmap.exit_code, 0);
  EXPECT_THAT(from_configmap.output, HasSubstr("certificate revoked"));
  CommandResult sibling = VerifyWithCrl("sibling-tls", {"-CRLfile", pem});
  EXPECT_EQ(sibling.exit_code, 0) << sibling.output;

  // The same CRL over HTTP, DER at /crl/<ca>.crl.
  const std::string der_path = tmp_.path() + "/http.crl";
  CommandResult fetched = RunTool(
      {"curl", "-fsS", "-D", tmp_.path() + "/headers", "-o", der_path, PublicBaseUrl() + "/crl/" + Ca() + ".crl"});
  ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
  EXPECT_THAT(ReadFile(tmp_.path() + "/headers"), HasSubstr("application/pkix-crl"));
  const std::string http_pem = tmp_.path() + "/http.pem";
  Openssl({"crl", "-inform", "DER", "-in", der_path, "-out", http_pem});
  CommandResult over_http = VerifyWithCrl("revoked-tls", {"-CRLfile", http_pem});
  EXPECT_NE(over_http.exit_code, 0);
  EXPECT_THAT(over_http.output, HasSubstr("certificate revoked"));
  EXPECT_EQ(VerifyWithCrl("sibling-tls", {"-CRLfile", http_pem}).exit_code, 0);

  // openssl follows the distribution point written into the certificate.
  std::string dir = SaveTlsSecret("revoked-tls");
  // It names the CRL of the key that signed it: /crl/<ca>/<key id>/<shard>.crl.
  EXPECT_THAT(Openssl({"x509", "-in", dir + "/tls.crt", "-noout", "-ext", "crlDistributionPoints"}),
              ::testing::ContainsRegex(PublicBaseUrl() + "/crl/" + Ca() + "/[0-9a-f]{16}/0\\.crl"));
  CommandResult downloaded = VerifyWithCrl("revoked-tls", {"-crl_download"});
  EXPECT_NE(downloaded.exit_code, 0);
  EXPECT_THAT(downloaded.output, HasSubstr("certificate revoked"));
  CommandResult sibling_downloaded = VerifyWithCrl("sibling-tls", {"-crl_download"});
  EXPECT_EQ(sibling_downloaded.exit_code, 0) << sibling_downloaded.output;

  // Revocation is final: the schema refuses taking it back, and nothing renews it.
  CommandResult undo = Kubectl(
      {"patch", "cpcert", "revoked", "-n", ns(), "--type=merge", "-p", R"({"spec":{"revocation":null}})"}, {}, true);
  EXPECT_NE(undo.exit_code, 0);
  EXPECT_THAT(undo.output, HasSubstr("revocation is final"));
  // The same renew request on the sibling, made after it, is the witness: once the
  // sibling has renewed, the controller has had the revoked one's request too, so a
  // stuck controller fails here instead of passing.
  const std::string sibling_serial = Serial("sibling");
  std::this_thread::sleep_for(std::chrono::seconds(1));  // later than the last issuance (whole seconds)
  const std::string renew_at = "certplane.io/renew-requested-at=" + NowRfc3339();
  Kubectl({"annotate", "cpcert", "revoked", "-n", ns(), "--overwrite", renew_at});
  Kubectl({"annotate", "cpcert", "sibling", "-n", ns(), "--overwrite", renew_at});
  ASSERT_TRUE(Eventually([&] { return !Serial("sibling").empty() && Serial("sibling") != sibling_serial; },
                         std::chrono::seconds(30)))
      << "the sibling's renew request was not served, so this test cannot tell; log: " << ControllerLogPath();
  EXPECT_EQ(Serial("revoked"), serial);
  EXPECT_EQ(Condition("cpcert/revoked", "Revoked"), "True");
  CommandResult events = Kubectl({"get", "events", "-n", ns(), "--field-selector", "involvedObject.name=revoked", "-o",
                                  "jsonpath={.items[*].reason}"});
  EXPECT_THAT(events.output, HasSubstr("Revoked"));
}

TEST_F(RevocationE2E, ARevokedSerialOutlivesItsCertificateAndAControllerRestart) {
  const std::string profile = MakeIssuer();
  Certificate("first", profile);
  Certificate("second", profile);
  ASSERT_TRUE(WaitReady("cpcert/first"));
  ASSERT_TRUE(WaitReady("cpcert/second"));
  const std::string first = Serial("first"), second = Serial("second");
  Revoke("first", "affiliationChanged");
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/first", "Revoked") == "True"; }, std::chrono::seconds(30)));
  const std::int64_t number_after_first = CrlNumber();

  Kubectl({"delete", "cpcert", "first", "-n", ns(), "--wait=true", "--timeout=30s"});
  RestartController(false);
  Revoke("second", "privilegeWithdrawn");
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/second", "Revoked") == "True"; }, std::chrono::seconds(40)))
      << "log: " << ControllerLogPath();

  const std::string pem = CrlFromConfigMap(CrlConfigMap());
  EXPECT_TRUE(CrlLists(pem, first)) << "the deleted Certificate's serial left the CRL";
  EXPECT_TRUE(CrlLists(pem, second));
  EXPECT_THAT(CrlText(pem), HasSubstr("Affiliation Changed"));
  EXPECT_THAT(CrlText(pem), HasSubstr("Privilege Withdrawn"));
  EXPECT_GT(CrlNumber(), number_after_first) << "CRL numbering restarted";
  EXPECT_EQ(Get("cpca/" + Ca(), "{.status.crl.entries}", true), "2");
}

TEST_F(RevocationE2E, LiftingAHoldTakesTheSerialOffTheCrl) {
  const std::string profile = MakeIssuer();
  Certificate("held", profile);
  ASSERT_TRUE(WaitReady("cpcert/held"));
  const std::string serial = Serial("held");
  Revoke("held", "certificateHold");
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/held", "Revoked") == "True"; }, std::chrono::seconds(30)));
  EXPECT_EQ(Condition("cpcert/held", "Ready", "reason"), "OnHold");
  const std::string held_pem = CrlFromConfigMap(CrlConfigMap());
  EXPECT_TRUE(CrlLists(held_pem, serial));
  EXPECT_THAT(CrlText(held_pem), HasSubstr("Certificate Hold"));
  const std::int64_t held_number = CrlNumber();

  Kubectl({"patch", "cpcert", "held", "-n", ns(), "--type=merge", "-p", R"({"spec":{"revocation":null}})"});
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/held", "Revoked").empty(); }, std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitReady("cpcert/held"));
  EXPECT_FALSE(ConfigMapCrlLists(serial));
  EXPECT_GT(CrlNumber(), held_number);
  EXPECT_EQ(Serial("held"), serial) << "lifting a hold must not reissue";
  EXPECT_EQ(VerifyWithCrl("held-tls", {"-crl_download"}).exit_code, 0);
}

TEST_F(RevocationE2E, AProfileRevokesSupersededSerialsAndDeletedCertificates) {
  const std::string profile =
      MakeIssuer({}, "  revocation:\n    revokeSupersededOnRenewal: true\n    revokeOnDelete: true\n");
  Certificate("rotating", profile);
  ASSERT_TRUE(WaitReady("cpcert/rotating"));
  EXPECT_THAT(Get("cpcert/rotating", "{.metadata.finalizers}"), HasSubstr("certplane.io/revoke-on-delete"));
  const std::string old_serial = Serial("rotating");

  // A renew request must be later than the last issuance (whole seconds).
  std::this_thread::sleep_for(std::chrono::seconds(1));
  Kubectl(
      {"annotate", "cpcert", "rotating", "-n", ns(), "--overwrite", "certplane.io/renew-requested-at=" + NowRfc3339()});
  ASSERT_TRUE(Eventually([&] { return !Serial("rotating").empty() && Serial("rotating") != old_serial; },
                         std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();
  ASSERT_TRUE(Eventually([&] { return ConfigMapCrlLists(old_serial); }, std::chrono::seconds(30)))
      << "the superseded serial is not on the CRL; log: " << ControllerLogPath();
  EXPECT_THAT(CrlText(CrlFromConfigMap(CrlConfigMap())), HasSubstr("Superseded"));
  EXPECT_TRUE(
      Eventually([&] { return Get("cpcert/rotating", "{.status.history[0].revocationReason}") == "superseded"; },
                 std::chrono::seconds(20)));
  EXPECT_EQ(VerifyWithCrl("rotating-tls", {"-crl_download"}).exit_code, 0) << "the new serial must stay valid";

  const std::string current = Serial("rotating");
  Kubectl({"delete", "cpcert", "rotating", "-n", ns(), "--wait=true", "--timeout=40s"});
  const std::string pem = CrlFromConfigMap(CrlConfigMap());
  EXPECT_TRUE(CrlLists(pem, current)) << "deleting did not revoke; log: " << ControllerLogPath();
  EXPECT_THAT(CrlText(pem), HasSubstr("Cessation Of Operation"));
}

}  // namespace
}  // namespace certplane::testing

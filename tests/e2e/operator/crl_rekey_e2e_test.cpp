// CRLs across a CA re-key, end to end: a certificate signed by a CA's old key names the
// CRL that old key keeps signing, so its revocation after the CA got a new key is still
// seen by `openssl verify -crl_check` with the old CA certificate, while certificates of
// the new key verify against the new CA and the new key's CRL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CrlRekeyE2E : public OperatorE2E {
 protected:
  std::string Ca() const { return "e2e-root-" + id(); }
  std::string Serial(const std::string& cert) { return Get("cpcert/" + cert, "{.status.serialNumber}"); }

  // The one CRL distribution point URL of a certificate file.
  static std::string CrlUrlOf(const std::string& cert_path) {
    const std::string ext = Openssl({"x509", "-in", cert_path, "-noout", "-ext", "crlDistributionPoints"});
    std::smatch m;
    if (!std::regex_search(ext, m, std::regex("URI:(\\S+)"))) return "";
    return m[1];
  }

  // The CRL at `url`, saved as PEM; "" when it cannot be fetched.
  std::string FetchCrl(const std::string& url, const std::string& name) {
    const std::string der = tmp_.path() + "/" + name + ".crl", pem = tmp_.path() + "/" + name + ".pem";
    if (RunTool({"curl", "-fsS", "-o", der, url}).exit_code != 0) return "";
    if (RunTool({"openssl", "crl", "-inform", "DER", "-in", der, "-out", pem}).exit_code != 0) return "";
    return pem;
  }

  static CommandResult VerifyWithCrl(const std::string& dir, const std::string& crl_pem) {
    return RunTool(
        {"openssl", "verify", "-crl_check", "-CAfile", dir + "/ca.crt", "-CRLfile", crl_pem, dir + "/tls.crt"});
  }
};

TEST_F(CrlRekeyE2E, ACertificateOfARetiredKeyIsRevokedOnTheCrlItsDistributionPointNames) {
  const std::string profile = MakeIssuer({}, "  revocation:\n    revokeSupersededOnRenewal: true\n");
  Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: web\n  namespace: " + ns() +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile +
        "\n  secretName: web-tls\n  commonName: web.example.com\n  dnsNames: [web.example.com]\n");
  ASSERT_TRUE(WaitReady("cpcert/web")) << "log: " << ControllerLogPath();
  const std::string old_serial = Serial("web");
  const std::string old_dir = SaveTlsSecret("web-tls");  // the old leaf and the old root
  const std::string old_url = CrlUrlOf(old_dir + "/tls.crt");
  // The distribution point names the CA and the key that signed the certificate.
  std::smatch m;
  ASSERT_TRUE(std::regex_match(old_url, m, std::regex(".*/crl/" + Ca() + "/([0-9a-f]{16})/0\\.crl")))
      << "distribution point: " << old_url;
  const std::string old_key_id = m[1];
  const std::string old_fingerprint = Get("cpca/" + Ca(), "{.status.fingerprintSHA256}", true);

  // Re-key the CA: a new key algorithm makes a new key and certificate (SpecChanged); the
  // Certificate is then reissued from the new key (CAChanged) and, by the profile, its
  // old serial revoked as superseded.
  Kubectl({"patch", "cpca", Ca(), "--type=merge", "-p", R"({"spec":{"keyAlgorithm":"ECDSA-P384"}})"});
  ASSERT_TRUE(Eventually([&] { return Get("cpca/" + Ca(), "{.status.fingerprintSHA256}", true) != old_fingerprint; },
                         std::chrono::seconds(30)))
      << "the CA was not re-keyed; log: " << ControllerLogPath();
  ASSERT_TRUE(
      Eventually([&] { return !Serial("web").empty() && Serial("web") != old_serial; }, std::chrono::seconds(60)))
      << "not reissued after the re-key; log: " << ControllerLogPath();
  ASSERT_TRUE(Eventually([&] { return Get("cpcert/web", "{.status.history[0].revocationReason}") == "superseded"; },
                         std::chrono::seconds(30)))
      << "the old serial was not revoked; log: " << ControllerLogPath();

  // The CA's key Secret keeps the old key, to sign the old key's CRL.
  CommandResult data =
      Kubectl({"get", "secret", "certplane-ca-" + Ca(), "-n", ControllerNamespace(), "-o", "jsonpath={.data}"});
  EXPECT_THAT(data.output, HasSubstr("retired-" + old_key_id + ".crt"));

  // The CRL the old certificate names, fetched from that URL: signed by the old key, so
  // openssl checks it with the old root alone, and the old serial is revoked on it.
  CommandResult revoked{1, ""};
  ASSERT_TRUE(Eventually(
      [&] {
        const std::string pem = FetchCrl(old_url, "old-key");
        if (pem.empty()) return false;
        revoked = VerifyWithCrl(old_dir, pem);
        return revoked.output.find("certificate revoked") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << "openssl verify of the old certificate with the CRL at " << old_url << ": " << revoked.output
      << "; log: " << ControllerLogPath();
  EXPECT_NE(revoked.exit_code, 0);
  const std::string old_crl = FetchCrl(old_url, "old-key-again");
  EXPECT_THAT(Openssl({"crl", "-in", old_crl, "-noout", "-text"}), HasSubstr("Superseded"));

  // The new certificate: a new key's URL, verifying against the new root and its CRL.
  const std::string new_dir = SaveTlsSecret("web-tls");
  const std::string new_url = CrlUrlOf(new_dir + "/tls.crt");
  EXPECT_NE(new_url, old_url);
  EXPECT_THAT(new_url, Not(HasSubstr(old_key_id)));
  const std::string new_crl = FetchCrl(new_url, "new-key");
  ASSERT_FALSE(new_crl.empty()) << new_url;
  CommandResult fresh = VerifyWithCrl(new_dir, new_crl);
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_THAT(fresh.output, HasSubstr(new_dir + "/tls.crt: OK"));
  // And the new key's CRL cannot stand in for the old one: this is what re-keying broke.
  CommandResult crossed = VerifyWithCrl(old_dir, new_crl);
  EXPECT_NE(crossed.exit_code, 0);
  EXPECT_THAT(crossed.output, Not(HasSubstr("certificate revoked")));
}

}  // namespace
}  // namespace certplane::testing

// certbot (Debian's package) against a profile's ACME directory: account registration
// with External Account Binding, issuance over http-01 with certbot's standalone server
// on loopback, renewal and revocation, each checked with openssl and kubectl.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acme_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class CertbotE2E : public AcmeE2E {
 public:
  // Over HTTPS, as RFC 8555 has it: certbot trusts the CA the controller publishes
  // (REQUESTS_CA_BUNDLE), and nothing is switched off.
  static void SetUpTestSuite() { SetUpAcmeSuite(/*https=*/true); }
  static void TearDownTestSuite() { TearDownAcmeSuite(); }

 protected:
  std::string ConfigDir() const { return tmp_.File("certbot/config"); }

  // certbot with its state in this test's temporary folder, never asking anything.
  CommandResult Certbot(std::vector<std::string> args) {
    std::vector<std::string> argv{"env", "REQUESTS_CA_BUNDLE=" + ServingCaFile(), "certbot"};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const char* flag : {"--non-interactive", "--config-dir"}) argv.push_back(flag);
    argv.push_back(ConfigDir());
    argv.insert(argv.end(), {"--work-dir", tmp_.File("certbot/work"), "--logs-dir", tmp_.File("certbot/logs")});
    return RunTool(argv, {.timeout = std::chrono::seconds(180)});
  }

  // certonly --standalone over http-01: certbot serves the challenge itself on
  // 127.0.0.1:Http01Port(), where the controller's validator connects.
  CommandResult Issue(const AcmeProfile& p, const std::string& name) {
    return Certbot({"certonly",
                    "--standalone",
                    "--server",
                    p.directory_url,
                    "--agree-tos",
                    "-m",
                    "admin@certbot.test",
                    "--no-eff-email",
                    "--eab-kid",
                    p.eab_kid,
                    "--eab-hmac-key",
                    p.eab_hmac_b64,
                    "--preferred-challenges",
                    "http",
                    "--http-01-port",
                    std::to_string(Http01Port()),
                    "--http-01-address",
                    "127.0.0.1",
                    "-d",
                    name});
  }

  std::string CertbotLog() { return "\n--- certbot log ---\n" + ReadFile(tmp_.File("certbot/logs/letsencrypt.log")); }
};

TEST_F(CertbotE2E, EnrollsOverHttp01WithExternalAccountBindingIntoTheInventory) {
  const AcmeProfile p = MakeAcmeProfile({.intermediate = true});
  const std::string name = "www.certbot.test";
  Dns().SetA(name, "127.0.0.1");

  CommandResult issued = Issue(p, name);
  ASSERT_EQ(issued.exit_code, 0) << issued.output << AcmeLogTail();
  const std::string cert = ConfigDir() + "/live/" + name + "/cert.pem";
  const std::string ca = SaveTrustBundle(p);
  CommandResult verified = RunTool({"openssl", "verify", "-CAfile", ca, cert});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(Openssl({"x509", "-in", cert, "-noout", "-ext", "subjectAltName"}), HasSubstr("DNS:" + name));
  // certbot's chain.pem is what the server sent after the leaf: the intermediate, which
  // with the root alone as trust anchor completes the path.
  CommandResult with_chain = RunTool({"openssl", "verify", "-CAfile", SaveCaCertificate(p.root), "-untrusted",
                                      ConfigDir() + "/live/" + name + "/chain.pem", cert});
  EXPECT_EQ(with_chain.exit_code, 0) << with_chain.output;

  // The certificate is a Certificate in the controller's namespace, with the same
  // serial, tied to its ACME order, and counted on the profile.
  const std::string serial = SerialOf(cert);
  EXPECT_THAT(AcmeCertificateSerials(p.name), Contains(serial)) << AcmeLogTail();
  const std::string object = AcmeCertificateWithSerial(p.name, serial);
  ASSERT_FALSE(object.empty());
  const std::string cpcert = "cpcert/" + object;
  auto in_controller_ns = [&](const std::string& path) {
    return Kubectl({"get", cpcert, "-n", ControllerNamespace(), "-o", "jsonpath=" + path}).output;
  };
  EXPECT_FALSE(in_controller_ns("{.spec.acme.order}").empty());
  EXPECT_FALSE(in_controller_ns("{.spec.acme.account}").empty());
  EXPECT_THAT(in_controller_ns("{.spec.csr}"), HasSubstr("BEGIN CERTIFICATE REQUEST"));
  EXPECT_EQ(in_controller_ns("{.status.conditions[?(@.type==\"Ready\")].status}"), "True");
  EXPECT_TRUE(Eventually([&] { return Get("cpprofile/" + p.name, "{.status.certificates}", true) == "1"; },
                         std::chrono::seconds(20)))
      << "status.certificates of the profile: " << Get("cpprofile/" + p.name, "{.status.certificates}", true);
}

TEST_F(CertbotE2E, ForcedRenewalGivesANewSerialAndRevocationPutsItOnTheCrl) {
  const AcmeProfile p = MakeAcmeProfile({.intermediate = true});
  const std::string name = "renew.certbot.test";
  Dns().SetA(name, "127.0.0.1");
  CommandResult issued = Issue(p, name);
  ASSERT_EQ(issued.exit_code, 0) << issued.output << AcmeLogTail();
  const std::string cert = ConfigDir() + "/live/" + name + "/cert.pem";
  const std::string first = SerialOf(cert);

  // renew reads the server, port and address from certbot's renewal configuration.
  CommandResult renewed = Certbot({"renew", "--force-renewal", "--no-random-sleep-on-renew", "--cert-name", name});
  ASSERT_EQ(renewed.exit_code, 0) << renewed.output << AcmeLogTail();
  const std::string second = SerialOf(cert);
  EXPECT_NE(second, first);
  const std::string ca = SaveTrustBundle(p);
  EXPECT_EQ(RunTool({"openssl", "verify", "-CAfile", ca, cert}).exit_code, 0);
  EXPECT_THAT(AcmeCertificateSerials(p.name), Contains(second));

  CommandResult revoked = Certbot({"revoke", "--server", p.directory_url, "--cert-path", cert, "--reason",
                                   "keycompromise", "--no-delete-after-revoke"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output << AcmeLogTail();
  const std::string object = AcmeCertificateWithSerial(p.name, second);
  ASSERT_FALSE(object.empty());
  EXPECT_EQ(Kubectl({"get", "cpcert", object, "-n", ControllerNamespace(), "-o", "jsonpath={.spec.revocation.reason}"})
                .output,
            "keyCompromise");

  const std::string crl = WaitForCrlListing(p.ca, second);
  ASSERT_FALSE(crl.empty()) << "serial " << second << " not on the CRL" << AcmeLogTail();
  EXPECT_THAT(Openssl({"crl", "-in", crl, "-noout", "-text"}), HasSubstr("Key Compromise"));
  CommandResult checked = VerifyWithCrl(ca, crl, cert);
  EXPECT_NE(checked.exit_code, 0);
  EXPECT_THAT(checked.output, HasSubstr("certificate revoked"));
  // The renewed-away certificate was not revoked.
  const std::string old_cert = ConfigDir() + "/archive/" + name + "/cert1.pem";
  ASSERT_EQ(SerialOf(old_cert), first);
  CommandResult old_checked = VerifyWithCrl(ca, crl, old_cert);
  EXPECT_EQ(old_checked.exit_code, 0) << old_checked.output;
}

}  // namespace
}  // namespace certplane::testing

// The example manifests are part of the API contract: applied unchanged, they work.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;

class ExamplesE2E : public OperatorE2E {
 protected:
  void TearDown() override {
    const std::string examples = RequireEnv("CERTPLANE_SOURCE_DIR") + "/examples";
    for (const char* f :
         {"05-certificate.yaml", "04-profile.yaml", "03-template.yaml", "02-issuing-ca.yaml", "01-root-ca.yaml"}) {
      Kubectl({"delete", "--ignore-not-found", "--wait=false", "-f", examples + "/" + f}, {}, true);
    }
    DeleteTestNamespace("shop");
    OperatorE2E::TearDown();
  }
};

TEST_F(ExamplesE2E, EveryExampleAppliesUnchangedAndBecomesReady) {
  const std::string examples = RequireEnv("CERTPLANE_SOURCE_DIR") + "/examples";
  Kubectl({"apply", "-f", examples});
  ASSERT_TRUE(WaitReady("cpca/example-root", true)) << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitReady("cpca/example-issuing", true)) << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitReady("cptemplate/web-server", true));
  ASSERT_TRUE(WaitReady("cpprofile/web", true));
  auto frontend_ready = [&] {
    return Kubectl({"get", "cpcert", "frontend", "-n", "shop", "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"},
                   {}, true)
               .output == "True";
  };
  ASSERT_TRUE(Eventually(frontend_ready, std::chrono::seconds(60))) << "log: " << ControllerLogPath();

  // The chain verifies: leaf, then the issuing CA, to the root in ca.crt.
  auto data = [&](const std::string& key) {
    std::string escaped;
    for (char c : key) escaped += c == '.' ? std::string("\\.") : std::string(1, c);
    CommandResult b64 =
        Kubectl({"get", "secret", "frontend-tls", "-n", "shop", "-o", "jsonpath={.data." + escaped + "}"});
    return RunTool({"base64", "-d"}, {.stdin_data = b64.output}).output;
  };
  for (const char* key : {"tls.crt", "tls.key", "ca.crt", "keystore.p12"}) WriteFile(tmp_.File(key), data(key));
  CommandResult verify = RunTool(
      {"openssl", "verify", "-CAfile", tmp_.File("ca.crt"), "-untrusted", tmp_.File("tls.crt"), tmp_.File("tls.crt")});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  std::string text = Openssl({"x509", "-noout", "-text", "-in", tmp_.File("tls.crt")});
  EXPECT_THAT(text, HasSubstr("Issuer: O = Example Inc, CN = Example Issuing CA 1"));
  EXPECT_THAT(text, HasSubstr("DNS:frontend.example.com, DNS:frontend.shop.svc.cluster.local, IP Address:10.0.0.12"));
  EXPECT_THAT(Openssl({"x509", "-noout", "-subject", "-in", tmp_.File("ca.crt")}), HasSubstr("CN = Example Root CA"));
  EXPECT_EQ(Openssl({"x509", "-noout", "-pubkey", "-in", tmp_.File("tls.crt")}),
            Openssl({"pkey", "-pubout", "-in", tmp_.File("tls.key")}));

  // The PKCS12 keystore opens with the password from the referenced Secret, in openssl
  // and in Java's keytool.
  EXPECT_THAT(Openssl({"pkcs12", "-in", tmp_.File("keystore.p12"), "-passin", "pass:changeit", "-nokeys"}),
              HasSubstr("BEGIN CERTIFICATE"));
  CommandResult keytool = RunTool(
      {"keytool", "-list", "-keystore", tmp_.File("keystore.p12"), "-storetype", "PKCS12", "-storepass", "changeit"});
  EXPECT_EQ(keytool.exit_code, 0) << keytool.output;
  EXPECT_THAT(keytool.output, HasSubstr("PrivateKeyEntry"));

  // Prometheus sees it, labelled as cert-manager labels its own, and the API requests
  // the controller made.
  CommandResult metrics = RunTool({"curl", "-fsS", MetricsUrl()});
  ASSERT_EQ(metrics.exit_code, 0) << metrics.output;
  EXPECT_THAT(metrics.output,
              ::testing::ContainsRegex("certplane_certificate_expiration_timestamp_seconds\\{name=\"frontend\","
                                       "namespace=\"shop\",issuer_name=\"example-issuing\",profile=\"web\"\\} [0-9]"));
  EXPECT_THAT(metrics.output, HasSubstr("certplane_certificate_ready_status{name=\"frontend\",namespace=\"shop\","
                                        "issuer_name=\"example-issuing\",profile=\"web\",condition=\"True\"} 1"));
  EXPECT_THAT(
      metrics.output,
      ::testing::ContainsRegex("certplane_kube_api_requests_total\\{method=\"PATCH\",code=\"2[0-9][0-9]\"\\} [1-9]"));
  EXPECT_THAT(metrics.output,
              HasSubstr("certplane_certificate_issuances_total{profile=\"web\",reason=\"DoesNotExist\"}"));

  // The profile counts it and names it as its latest active certificate.
  ASSERT_TRUE(
      Eventually([&] { return Get("cpprofile/web", "{.status.latestActiveCertificate.name}", true) == "frontend"; },
                 std::chrono::seconds(20)));
}

}  // namespace
}  // namespace certplane::testing

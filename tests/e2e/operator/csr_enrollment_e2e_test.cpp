// CSR enrollment end to end: a Certificate carrying a CSR made by `openssl req` is
// signed by the real controller for the requester's key, with no Secret; its chain in
// status.certificate verifies with openssl against the CA; the template, the CSR/spec
// match and the profile's enrollment method are enforced; revoking it puts its serial
// on the CRL; and its profile counts it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;

class CsrEnrollmentE2E : public OperatorE2E {
 protected:
  std::string Ca() const { return "e2e-root-" + id(); }
  std::string Template() const { return "e2e-template-" + id(); }

  // A P-256 key and a CSR for it made by `openssl req`; returns the CSR's PEM and
  // leaves the key in tmp_/<name>.key.
  std::string MakeCsr(const std::string& name, const std::string& subject, const std::string& sans) {
    const std::string key = tmp_.path() + "/" + name + ".key", csr = tmp_.path() + "/" + name + ".csr";
    Openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
             csr, "-subj", subject, "-addext", "subjectAltName=" + sans});
    return ReadFile(csr);
  }

  // A Certificate with spec.csr (no secretName) in `ns`.
  static std::string CsrCertificateYaml(const std::string& name, const std::string& ns, const std::string& profile,
                                        const std::string& csr_pem, const std::string& extra_spec) {
    std::string csr_block;
    std::stringstream lines(csr_pem);
    for (std::string line; std::getline(lines, line);) csr_block += "    " + line + "\n";
    return "apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
           "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile + "\n" + extra_spec +
           "  csr: |\n" + csr_block;
  }

  // Saves a PEM into tmp_ and returns its path.
  std::string Save(const std::string& file, const std::string& pem) {
    const std::string path = tmp_.path() + "/" + file;
    WriteFile(path, pem);
    return path;
  }
  std::string CaPem() { return Save("ca.pem", Get("cpca/" + Ca(), "{.status.certificate}", true)); }

  // Waits until the Certificate's Ready condition has `reason`, false on timeout.
  bool WaitReason(const std::string& what, const std::string& reason, const std::string& in_ns = {}) {
    return Eventually(
        [&] {
          if (in_ns.empty()) return Condition(what, "Ready", "reason") == reason;
          CommandResult r = Kubectl(
              {"get", what, "-n", in_ns, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}"}, {}, true);
          return r.exit_code == 0 && r.output == reason;
        },
        std::chrono::seconds(60));
  }

  // The CA's CRL as its ConfigMap holds it, saved as PEM; "" when there is none.
  std::string CrlPem() {
    CommandResult r = Kubectl(
        {"get", "configmap", "certplane-crl-" + Ca(), "-n", ControllerNamespace(), "-o", "jsonpath={.data.crl\\.pem}"},
        {}, true);
    if (r.exit_code != 0 || r.output.empty()) return "";
    return Save("crl.pem", r.output);
  }
};

TEST_F(CsrEnrollmentE2E, ACsrIsSignedForTheRequestersKeyWithoutASecretAndCanBeRevoked) {
  const std::string profile = MakeIssuer();
  const std::string csr = MakeCsr("app", "/CN=app.example.com", "DNS:app.example.com,DNS:api.example.com");
  Apply(CsrCertificateYaml("app", ns(), profile, csr,
                           "  commonName: app.example.com\n  dnsNames: [api.example.com, app.example.com]\n"));
  ASSERT_TRUE(WaitReady("cpcert/app")) << Condition("cpcert/app", "Ready", "message")
                                       << "; log: " << ControllerLogPath();
  EXPECT_EQ(Condition("cpcert/app", "Ready", "reason"), "Issued");
  EXPECT_EQ(Get("cpcert/app", "{.status.renewalTime}"), "") << "a CSR enrollment is never renewed";
  EXPECT_EQ(Get("cpcert/app", "{.status.caName}"), Ca());
  EXPECT_EQ(Get("cpcert/app", "{.status.revision}"), "1");

  // The chain verifies against the CA, and carries the CSR's key: the key never left.
  const std::string chain = Get("cpcert/app", "{.status.certificate}");
  ASSERT_THAT(chain, HasSubstr("-----BEGIN CERTIFICATE-----"));
  const std::string leaf = Save("app.pem", chain);
  const std::string ca = CaPem();
  CommandResult verified = RunTool({"openssl", "verify", "-CAfile", ca, leaf});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr(": OK"));
  EXPECT_EQ(Openssl({"x509", "-in", leaf, "-noout", "-pubkey"}),
            Openssl({"req", "-in", tmp_.path() + "/app.csr", "-noout", "-pubkey"}));
  EXPECT_EQ(
      Openssl({"x509", "-in", leaf, "-noout", "-serial"}), "serial=" + [&] {
        std::string s = Get("cpcert/app", "{.status.serialNumber}");
        for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return s;
      }() + "\n");
  EXPECT_THAT(Openssl({"x509", "-in", leaf, "-noout", "-ext", "subjectAltName"}),
              HasSubstr("DNS:api.example.com, DNS:app.example.com"));

  // No Secret: not written, not even under another name.
  EXPECT_EQ(Kubectl({"get", "secrets", "-n", ns(), "-o", "name"}).output, "");

  // The profile counts it among its certificates and its Ready ones.
  EXPECT_TRUE(Eventually(
      [&] {
        return Get("cpprofile/" + profile, "{.status.certificates}", true) == "1" &&
               Get("cpprofile/" + profile, "{.status.readyCertificates}", true) == "1";
      },
      std::chrono::seconds(30)))
      << "profile status: " << Get("cpprofile/" + profile, "{.status}", true);
  // But never hands it out as the latest bundle (there is no key to hand out).
  EXPECT_EQ(Get("cpprofile/" + profile, "{.status.latestActiveCertificate}", true), "");

  // Revoked, its serial is on the CA's CRL and openssl refuses it.
  Kubectl({"patch", "cpcert", "app", "-n", ns(), "--type=merge", "-p",
           R"({"spec":{"revocation":{"reason":"keyCompromise"}}})"});
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/app", "Revoked") == "True"; }, std::chrono::seconds(60)))
      << "log: " << ControllerLogPath();
  std::string crl;
  CommandResult checked;
  ASSERT_TRUE(Eventually(
      [&] {
        crl = CrlPem();
        if (crl.empty()) return false;
        checked = RunTool({"openssl", "verify", "-crl_check", "-CAfile", ca, "-CRLfile", crl, leaf});
        return checked.exit_code != 0;
      },
      std::chrono::seconds(30)))
      << checked.output;
  EXPECT_THAT(checked.output, HasSubstr("certificate revoked"));
  // Status writes after the issuance (Revoked here) leave the chain in place.
  EXPECT_EQ(Get("cpcert/app", "{.status.certificate}"), chain);
}

TEST_F(CsrEnrollmentE2E, ACsrForANameTheTemplateForbidsIsRefused) {
  const std::string profile = MakeIssuer();
  const std::string csr = MakeCsr("evil", "/CN=www.evil.com", "DNS:www.evil.com");
  Apply(CsrCertificateYaml("evil", ns(), profile, csr, "  commonName: www.evil.com\n  dnsNames: [www.evil.com]\n"));
  ASSERT_TRUE(WaitReason("cpcert/evil", "PolicyViolation")) << Condition("cpcert/evil", "Ready", "message");
  EXPECT_EQ(Condition("cpcert/evil", "Ready"), "False");
  EXPECT_THAT(Condition("cpcert/evil", "Ready", "message"),
              HasSubstr("spec.dnsNames[0] \"www.evil.com\" is not allowed by template " + Template()));
  EXPECT_EQ(Get("cpcert/evil", "{.status.serialNumber}"), "");
}

TEST_F(CsrEnrollmentE2E, ACsrThatAsksForOtherNamesThanTheSpecIsRefused) {
  const std::string profile = MakeIssuer();
  const std::string csr = MakeCsr("other", "/CN=a.example.com", "DNS:a.example.com,DNS:admin.example.com");
  Apply(CsrCertificateYaml("other", ns(), profile, csr, "  commonName: a.example.com\n  dnsNames: [a.example.com]\n"));
  ASSERT_TRUE(WaitReason("cpcert/other", "CsrMismatch")) << Condition("cpcert/other", "Ready", "message");
  EXPECT_THAT(Condition("cpcert/other", "Ready", "message"),
              HasSubstr("dnsNames (has a.example.com, admin.example.com; wants a.example.com)"));
  EXPECT_EQ(Get("cpcert/other", "{.status.serialNumber}"), "");
}

TEST_F(CsrEnrollmentE2E, AnAcmeProfileSignsOnlyItsAcmeServersCertificates) {
  MakeIssuer();
  const std::string acme = "e2e-acme-" + id();
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateProfile\nmetadata:\n  name: " + acme +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  caRef:\n    name: " + Ca() + "\n  templateRef:\n    name: " +
        Template() + "\n  enrollment:\n    acme:\n      validation:\n        allowedCIDRs: [127.0.0.0/8]\n");
  ASSERT_TRUE(WaitReady("cpprofile/" + acme, true));

  // An API Certificate naming it is refused, and told where to go.
  Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: api\n  namespace: " + ns() +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + acme +
        "\n  secretName: api-tls\n  dnsNames: [api.example.com]\n");
  ASSERT_TRUE(WaitReason("cpcert/api", "AcmeProfile")) << Condition("cpcert/api", "Ready", "message");
  EXPECT_EQ(Condition("cpcert/api", "Ready", "message"),
            "profile " + acme + " enrolls over ACME: use its directory /acme/" + acme + "/directory");
  EXPECT_EQ(SecretData("api-tls", "tls.crt"), "") << "an API Certificate on an ACME profile was issued";

  // What the ACME server creates (spec.csr and spec.acme, in the controller's
  // namespace) is signed.
  const std::string order = "order-" + id();
  const std::string csr = MakeCsr("order", "/CN=shop.example.com", "DNS:shop.example.com");
  Apply(CsrCertificateYaml(order, ControllerNamespace(), acme, csr,
                           "  acme:\n    account: acct-1\n    order: " + order +
                               "\n  commonName: shop.example.com\n  dnsNames: [shop.example.com]\n"));
  ASSERT_TRUE(WaitReason("cpcert/" + order, "Issued", ControllerNamespace())) << "log: " << ControllerLogPath();

  // spec.acme on a profile that does not enroll over ACME is refused.
  const std::string api_profile = "e2e-profile-" + id();
  const std::string stray = MakeCsr("stray", "/CN=stray.example.com", "DNS:stray.example.com");
  Apply(CsrCertificateYaml("stray", ns(), api_profile, stray,
                           "  acme:\n    account: acct-1\n    order: o-2\n  commonName: stray.example.com\n"
                           "  dnsNames: [stray.example.com]\n"));
  ASSERT_TRUE(WaitReason("cpcert/stray", "NotAnAcmeProfile")) << Condition("cpcert/stray", "Ready", "message");
}

}  // namespace
}  // namespace certplane::testing

// Delta CRLs end to end: a CA that turns them on publishes, per shard, a delta CRL over
// its complete CRL (ConfigMap and HTTP), puts revocations in the delta within the batch
// window while the base stays as it was, and names the delta in the Freshest CRL
// extension of the base and of new certificates; a profile puts the OCSP responder in
// new certificates' AIA. Checked with openssl verify -use_deltas, openssl crl and
// openssl ocsp, as relying parties do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <regex>

#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class DeltaCrlE2E : public OperatorE2E {
 protected:
  std::string Ca() const { return "e2e-root-" + id(); }

  void Certificate(const std::string& name, const std::string& profile) {
    Apply("apiVersion: certplane.io/v1alpha1\nkind: Certificate\nmetadata:\n  name: " + name + "\n  namespace: " +
          ns() + "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  profileRef:\n    name: " + profile +
          "\n  secretName: " + name + "-tls\n  commonName: " + name + ".example.com\n  dnsNames: [" + name +
          ".example.com]\n");
  }
  void Revoke(const std::string& cert, const std::string& reason) {
    Kubectl({"patch", "cpcert", cert, "-n", ns(), "--type=merge", "-p",
             R"({"spec":{"revocation":{"reason":")" + reason + R"("}}})"});
  }
  // The first URI of an extension of a certificate file ("" when it has none).
  static std::string UriIn(const std::string& cert_path, const std::string& extension,
                           const std::string& label = "URI:") {
    CommandResult ext = RunTool({"openssl", "x509", "-in", cert_path, "-noout", "-ext", extension});
    std::smatch m;
    if (!std::regex_search(ext.output, m, std::regex(label + "(\\S+)"))) return "";
    return m[1];
  }
  // The CRL at `url`, saved as PEM; "" when it cannot be fetched.
  std::string FetchCrl(const std::string& url, const std::string& name) {
    const std::string der = tmp_.path() + "/" + name + ".crl", pem = tmp_.path() + "/" + name + ".pem";
    if (RunTool({"curl", "-fsS", "-o", der, url}).exit_code != 0) return "";
    if (RunTool({"openssl", "crl", "-inform", "DER", "-in", der, "-out", pem}).exit_code != 0) return "";
    return pem;
  }
  static std::string CrlText(const std::string& pem) { return Openssl({"crl", "-in", pem, "-noout", "-text"}); }
  static std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  static CommandResult Verify(const std::string& dir, const std::vector<std::string>& crl_args) {
    std::vector<std::string> argv{"openssl", "verify", "-crl_check", "-CAfile", dir + "/ca.crt"};
    argv.insert(argv.end(), crl_args.begin(), crl_args.end());
    argv.push_back(dir + "/tls.crt");
    return RunTool(argv);
  }
};

TEST_F(DeltaCrlE2E, ARevocationReachesTheDeltaAtOnceWhileTheBaseStaysAndOpensslUseDeltasSeesIt) {
  const std::string profile = MakeIssuer({}, "  revocation:\n    includeOCSPURL: true\n");
  ASSERT_TRUE(
      Eventually([&] { return !Get("cpca/" + Ca(), "{.status.ocsp.url}", true).empty(); }, std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();

  // Before deltas: a held certificate lands on the complete CRL.
  Certificate("held", profile);
  ASSERT_TRUE(WaitReady("cpcert/held")) << "log: " << ControllerLogPath();
  const std::string held = SaveTlsSecret("held-tls");
  Revoke("held", "certificateHold");
  ASSERT_TRUE(Eventually([&] { return Condition("cpcert/held", "Revoked") == "True"; }, std::chrono::seconds(30)));
  EXPECT_EQ(UriIn(held + "/tls.crt", "freshestCRL"), "") << "no deltas yet";

  // Deltas on: the base is signed again with Freshest CRL and an empty delta over it.
  Kubectl({"patch", "cpca", Ca(), "--type=merge", "-p", R"({"spec":{"crl":{"delta":{"validity":"10m"}}}})"});
  ASSERT_TRUE(Eventually([&] { return !Get("cpca/" + Ca(), "{.status.crl.deltaNumber}", true).empty(); },
                         std::chrono::seconds(30)))
      << "no delta CRL in the CA status; log: " << ControllerLogPath();

  // A certificate issued now names the delta (Freshest CRL) and the responder (AIA OCSP).
  Certificate("web", profile);
  ASSERT_TRUE(WaitReady("cpcert/web")) << "log: " << ControllerLogPath();
  const std::string web = SaveTlsSecret("web-tls");
  const std::string base_url = UriIn(web + "/tls.crt", "crlDistributionPoints");
  const std::string delta_url = UriIn(web + "/tls.crt", "freshestCRL");
  ASSERT_THAT(delta_url, ::testing::MatchesRegex(".*/crl/" + Ca() + "/[0-9a-f]{16}/0\\.delta\\.crl"));
  EXPECT_EQ(delta_url, std::regex_replace(base_url, std::regex("\\.crl$"), ".delta.crl"));
  const std::string ocsp_url = UriIn(web + "/tls.crt", "authorityInfoAccess", "OCSP - URI:");
  EXPECT_EQ(ocsp_url, Get("cpca/" + Ca(), "{.status.ocsp.url}", true));

  const std::string base_before = FetchCrl(base_url, "base-before");
  ASSERT_FALSE(base_before.empty()) << base_url;
  const std::string base_text = CrlText(base_before);
  EXPECT_THAT(base_text, HasSubstr("Freshest CRL"));
  EXPECT_THAT(base_text, HasSubstr(delta_url));
  const std::string held_serial = Upper(Get("cpcert/held", "{.status.serialNumber}"));
  const std::string web_serial = Upper(Get("cpcert/web", "{.status.serialNumber}"));
  EXPECT_THAT(base_text, HasSubstr(held_serial));

  // Revoke web and lift the hold: both changes reach the delta; the base stays as it was.
  const auto revoked_at = std::chrono::steady_clock::now();
  Revoke("web", "keyCompromise");
  Kubectl({"patch", "cpcert", "held", "-n", ns(), "--type=merge", "-p", R"({"spec":{"revocation":null}})"});
  std::string delta;
  ASSERT_TRUE(Eventually(
      [&] {
        delta = FetchCrl(delta_url, "delta");
        if (delta.empty()) return false;
        const std::string text = CrlText(delta);
        return text.find(web_serial) != std::string::npos && text.find("Remove From CRL") != std::string::npos;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(100)))
      << (delta.empty() ? "" : CrlText(delta)) << "\nlog: " << ControllerLogPath();
  const auto latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - revoked_at);
  std::printf("revocation to delta CRL over HTTP: %lld ms\n", static_cast<long long>(latency.count()));
  const std::string delta_text = CrlText(delta);
  EXPECT_THAT(delta_text, HasSubstr("Delta CRL Indicator: critical"));
  EXPECT_THAT(delta_text, HasSubstr("Key Compromise"));
  EXPECT_THAT(delta_text, HasSubstr(held_serial)) << "the lifted hold is removeFromCRL in the delta";
  const std::string base_after = FetchCrl(base_url, "base-after");
  EXPECT_EQ(ReadFile(base_after), ReadFile(base_before)) << "a revocation does not re-sign the base";
  EXPECT_THAT(CrlText(base_after), Not(HasSubstr(web_serial)));

  // openssl: the base alone misses web's revocation; base plus delta sees it, and sees
  // the hold lifted.
  CommandResult base_only = Verify(web, {"-CRLfile", base_after});
  EXPECT_EQ(base_only.exit_code, 0) << base_only.output;
  CommandResult with_delta = Verify(web, {"-use_deltas", "-CRLfile", base_after, "-CRLfile", delta});
  EXPECT_NE(with_delta.exit_code, 0) << with_delta.output;
  EXPECT_THAT(with_delta.output, HasSubstr("certificate revoked"));
  CommandResult held_base_only = Verify(held, {"-CRLfile", base_after});
  EXPECT_THAT(held_base_only.output, HasSubstr("certificate revoked")) << "the base still lists the hold";
  CommandResult held_with_delta = Verify(held, {"-use_deltas", "-CRLfile", base_after, "-CRLfile", delta});
  EXPECT_EQ(held_with_delta.exit_code, 0) << held_with_delta.output;

  // The ConfigMap holds the delta beside the base; the CA status names its number.
  const std::string cm = "certplane-crl-" + Ca();
  CommandResult pem =
      Kubectl({"get", "configmap", cm, "-n", ControllerNamespace(), "-o", "jsonpath={.data.delta\\.pem}"});
  EXPECT_THAT(pem.output, HasSubstr("BEGIN X509 CRL"));
  const long long base_number = std::stoll(Get("cpca/" + Ca(), "{.status.crl.number}", true));
  const long long delta_number = std::stoll(Get("cpca/" + Ca(), "{.status.crl.deltaNumber}", true));
  EXPECT_GE(delta_number, base_number) << "a delta shares the CRL number sequence and is the newest";

  // OCSP, at the URL the certificate carries, answers from the delta too.
  CommandResult ocsp = RunTool({"openssl", "ocsp", "-issuer", web + "/ca.crt", "-CAfile", web + "/ca.crt", "-cert",
                                web + "/tls.crt", "-url", ocsp_url});
  EXPECT_THAT(ocsp.output, HasSubstr("tls.crt: revoked")) << ocsp.output;
  CommandResult ocsp_held = RunTool({"openssl", "ocsp", "-issuer", held + "/ca.crt", "-CAfile", held + "/ca.crt",
                                     "-cert", held + "/tls.crt", "-url", ocsp_url});
  EXPECT_THAT(ocsp_held.output, HasSubstr("tls.crt: good")) << ocsp_held.output;

  // Deltas off: the base is signed again without Freshest CRL, and the delta is gone.
  Kubectl({"patch", "cpca", Ca(), "--type=json", "-p", R"([{"op":"remove","path":"/spec/crl/delta"}])"});
  ASSERT_TRUE(Eventually([&] { return Get("cpca/" + Ca(), "{.status.crl.deltaNumber}", true).empty(); },
                         std::chrono::seconds(30)))
      << "log: " << ControllerLogPath();
  EXPECT_NE(RunTool({"curl", "-fsS", "-o", "/dev/null", delta_url}).exit_code, 0) << "no delta is served";
  const std::string base_off = FetchCrl(base_url, "base-off");
  const std::string off_text = CrlText(base_off);
  EXPECT_THAT(off_text, Not(HasSubstr("Freshest CRL")));
  EXPECT_THAT(off_text, HasSubstr(web_serial));
  EXPECT_THAT(off_text, Not(HasSubstr(held_serial)));
}

}  // namespace
}  // namespace certplane::testing

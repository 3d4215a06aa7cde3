// OCSP end to end: the controller's responder at /ocsp/<ca>, asked with the openssl CLI
// as a relying party would (`openssl ocsp -issuer -cert -url`), checked for each answer
// RFC 6960 defines, verified against the CA with the delegated responder certificate,
// and stapled by `openssl s_server` for `openssl s_client -status`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "free_port.h"
#include "operator_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OcspE2E : public OperatorE2E {
 protected:
  std::string Ca() const { return "e2e-root-" + id(); }
  std::string Url() const { return PublicBaseUrl() + "/ocsp/" + Ca(); }

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
  // `openssl ocsp` for the leaf in `dir` (or a bare serial), verifying the response
  // against the CA certificate; extra args appended.
  CommandResult Ask(const std::string& dir, const std::vector<std::string>& what,
                    const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{"openssl", "ocsp",          "-issuer", dir + "/ca.crt",
                                  "-CAfile", dir + "/ca.crt", "-url",    Url()};
    argv.insert(argv.end(), what.begin(), what.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunTool(argv);
  }
  CommandResult AskCert(const std::string& dir, const std::vector<std::string>& extra = {}) {
    return Ask(dir, {"-cert", dir + "/tls.crt"}, extra);
  }
  // Waits until the CA's status names its OCSP responder.
  bool WaitResponder() {
    return Eventually([&] { return !Get("cpca/" + Ca(), "{.status.ocsp.signers[0].serialNumber}", true).empty(); },
                      std::chrono::seconds(30));
  }
};

// How many times `needle` occurs in `text`.
int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

TEST_F(OcspE2E, AnswersGoodThenRevokedWithReasonUnknownForNeverIssuedAndGoodAfterAHoldIsLifted) {
  const std::string profile = MakeIssuer();
  Certificate("ocsp-web", profile);
  Certificate("ocsp-held", profile);
  ASSERT_TRUE(WaitReady("cpcert/ocsp-web")) << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitReady("cpcert/ocsp-held")) << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitResponder()) << "no OCSP responder in the CA status; log: " << ControllerLogPath();
  EXPECT_EQ(Get("cpca/" + Ca(), "{.status.ocsp.url}", true), Url());
  // One responder certificate for the new CA's key, and no second attempt to create what
  // it had just written while the cache lagged (that signed a spare responder and failed
  // with ALREADY_EXISTS).
  const std::string log = ReadFile(ControllerLogPath());
  EXPECT_EQ(CountOf(log, "issued OCSP responder certificate ca=" + Ca() + " "), 1) << "log: " << ControllerLogPath();
  EXPECT_EQ(CountOf(log, "ALREADY_EXISTS: writing Secret " + ControllerNamespace() + "/certplane-ocsp-" + Ca()), 0)
      << "log: " << ControllerLogPath();
  const std::string web = SaveTlsSecret("ocsp-web-tls");
  const std::string held = SaveTlsSecret("ocsp-held-tls");

  // good, and the response verifies against the CA through the delegated responder.
  CommandResult good = AskCert(web, {"-resp_text"});
  ASSERT_EQ(good.exit_code, 0) << good.output;
  EXPECT_THAT(good.output, HasSubstr("Response verify OK"));
  EXPECT_THAT(good.output, HasSubstr(web + "/tls.crt: good"));
  EXPECT_THAT(good.output, HasSubstr("OCSP Signing"));  // the responder certificate's EKU
  EXPECT_THAT(good.output, HasSubstr("OCSP No Check"));
  EXPECT_THAT(good.output, HasSubstr("Responder Id: "));
  EXPECT_THAT(good.output, HasSubstr("Next Update: "));
  // A nonce asked for is echoed (openssl checks it; -no_nonce would skip that).
  EXPECT_THAT(good.output, Not(HasSubstr("WARNING: no nonce in response")));

  // revoked, with the reason, soon after the revocation.
  const auto revoked_at = std::chrono::steady_clock::now();
  Revoke("ocsp-web", "keyCompromise");
  CommandResult revoked;
  ASSERT_TRUE(Eventually(
      [&] {
        revoked = AskCert(web);
        return revoked.output.find("tls.crt: revoked") != std::string::npos;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(100)))
      << revoked.output << "\nlog: " << ControllerLogPath();
  const auto latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - revoked_at);
  std::printf("revocation to OCSP revoked: %lld ms\n", static_cast<long long>(latency.count()));
  EXPECT_THAT(revoked.output, HasSubstr("Reason: keyCompromise"));
  EXPECT_THAT(revoked.output, HasSubstr("Revocation Time: "));
  EXPECT_THAT(revoked.output, HasSubstr("Response verify OK"));

  // unknown: a serial this CA never issued.
  CommandResult unknown = Ask(web, {"-serial", "0x0123456789abcdef0123456789abcdef"});
  ASSERT_EQ(unknown.exit_code, 0) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr(": unknown"));
  EXPECT_THAT(unknown.output, HasSubstr("Response verify OK"));

  // certificateHold: revoked while held, good again once the hold is lifted.
  Revoke("ocsp-held", "certificateHold");
  CommandResult on_hold;
  ASSERT_TRUE(Eventually(
      [&] {
        on_hold = AskCert(held);
        return on_hold.output.find("tls.crt: revoked") != std::string::npos;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(100)))
      << on_hold.output;
  EXPECT_THAT(on_hold.output, HasSubstr("Reason: certificateHold"));
  Kubectl({"patch", "cpcert", "ocsp-held", "-n", ns(), "--type=merge", "-p", R"({"spec":{"revocation":null}})"});
  CommandResult lifted;
  ASSERT_TRUE(Eventually(
      [&] {
        lifted = AskCert(held);
        return lifted.output.find("tls.crt: good") != std::string::npos;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(100)))
      << lifted.output << "\nlog: " << ControllerLogPath();

  // The serial stays known after its Certificate is deleted: good (the durable record of
  // issued serials), not unknown; and a revoked one stays revoked.
  Kubectl({"delete", "cpcert", "ocsp-held", "ocsp-web", "-n", ns(), "--wait=true"});
  CommandResult deleted_good = AskCert(held);
  EXPECT_THAT(deleted_good.output, HasSubstr("tls.crt: good")) << deleted_good.output;
  CommandResult deleted_revoked = AskCert(web);
  EXPECT_THAT(deleted_revoked.output, HasSubstr("tls.crt: revoked")) << deleted_revoked.output;
}

TEST_F(OcspE2E, ASerialStaysKnownWhenItsCertificateIsDeletedBeforeThePacedRecordIsWritten) {
  // The record of issued serials is written at most every 10 s; a Certificate deleted in
  // between must not take its serial's "good" with it.
  const std::string profile = MakeIssuer();
  Certificate("ocsp-first", profile);
  ASSERT_TRUE(WaitReady("cpcert/ocsp-first")) << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitResponder()) << "log: " << ControllerLogPath();
  ASSERT_TRUE(Eventually([&] { return Get("cpca/" + Ca(), "{.status.ocsp.issuedSerials}", true) == "1"; },
                         std::chrono::seconds(30)));
  Certificate("ocsp-brief", profile);
  ASSERT_TRUE(WaitReady("cpcert/ocsp-brief")) << "log: " << ControllerLogPath();
  const std::string brief = SaveTlsSecret("ocsp-brief-tls");
  Kubectl({"delete", "cpcert", "ocsp-brief", "-n", ns(), "--wait=true"});
  CommandResult answer;
  ASSERT_TRUE(Eventually(
      [&] {
        answer = AskCert(brief);
        return answer.output.find("tls.crt: good") != std::string::npos;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100)))
      << answer.output << "\nlog: " << ControllerLogPath();
  EXPECT_TRUE(Eventually([&] { return Get("cpca/" + Ca(), "{.status.ocsp.issuedSerials}", true) == "2"; },
                         std::chrono::seconds(15)))
      << "the record holds the deleted Certificate's serial";
}

TEST_F(OcspE2E, GetRequestsCachingHeadersAndBadInput) {
  const std::string profile = MakeIssuer();
  Certificate("ocsp-get", profile);
  ASSERT_TRUE(WaitReady("cpcert/ocsp-get")) << "log: " << ControllerLogPath();
  ASSERT_TRUE(WaitResponder()) << "log: " << ControllerLogPath();
  const std::string dir = SaveTlsSecret("ocsp-get-tls");

  // RFC 6960 A.1 GET: the base64 DER request, URL-encoded, in the path.
  const std::string req = tmp_.File("req.der");
  Openssl({"ocsp", "-issuer", dir + "/ca.crt", "-cert", dir + "/tls.crt", "-no_nonce", "-reqout", req});
  CommandResult b64 = RunShell("base64 -w0 " + req + " | sed -e 's/+/%2B/g' -e 's#/#%2F#g' -e 's/=/%3D/g'");
  ASSERT_EQ(b64.exit_code, 0);
  const std::string resp = tmp_.File("resp.der");
  const std::string headers = tmp_.File("headers");
  CommandResult got = RunTool({"curl", "-fsS", "-D", headers, "-o", resp, Url() + "/" + b64.output});
  ASSERT_EQ(got.exit_code, 0) << got.output;
  const std::string h = ReadFile(headers);
  EXPECT_THAT(h, HasSubstr("application/ocsp-response"));
  EXPECT_THAT(h, HasSubstr("max-age="));
  EXPECT_THAT(h, HasSubstr("Last-Modified: "));
  EXPECT_THAT(h, HasSubstr("Expires: "));
  EXPECT_THAT(h, HasSubstr("ETag: "));
  CommandResult read = RunTool({"openssl", "ocsp", "-respin", resp, "-issuer", dir + "/ca.crt", "-cert",
                                dir + "/tls.crt", "-CAfile", dir + "/ca.crt", "-resp_text"});
  EXPECT_THAT(read.output, HasSubstr("tls.crt: good")) << read.output;
  EXPECT_THAT(read.output, HasSubstr("Response verify OK"));

  // Stapling: s_server staples the response, s_client -status shows it.
  const int port = FreeLoopbackPort();
  ChildProcess server({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert", dir + "/tls.crt",
                       "-key", dir + "/tls.key", "-status_file", resp, "-www"},
                      {.log_path = tmp_.File("s_server.log")});
  CommandResult client;
  ASSERT_TRUE(Eventually(
      [&] {
        client = RunShell("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                          " -servername ocsp-get.example.com -status -CAfile " + dir + "/ca.crt </dev/null");
        return client.output.find("OCSP Response Status: successful") != std::string::npos;
      },
      std::chrono::seconds(15), std::chrono::milliseconds(200)))
      << client.output;
  EXPECT_THAT(client.output, HasSubstr("Cert Status: good"));
  server.Stop();

  // Bad input: an OCSP error, never a crash.
  auto post = [&](const std::string& body_file, const std::string& url) {
    CommandResult r = RunTool({"curl", "-sS", "-o", tmp_.File("err.der"), "-w", "%{http_code}", "-H",
                               "Content-Type: application/ocsp-request", "--data-binary", "@" + body_file, url});
    return std::make_pair(
        r.output, RunTool({"openssl", "ocsp", "-respin", tmp_.File("err.der"), "-resp_text", "-noverify"}).output);
  };
  WriteFile(tmp_.File("garbage"), "this is not an OCSP request");
  auto [code, text] = post(tmp_.File("garbage"), Url());
  EXPECT_EQ(code, "200");
  EXPECT_THAT(text, HasSubstr("malformedrequest"));
  const std::string whole = ReadFile(req);
  WriteFile(tmp_.File("truncated"), whole.substr(0, whole.size() / 2));
  std::tie(code, text) = post(tmp_.File("truncated"), Url());
  EXPECT_THAT(text, HasSubstr("malformedrequest"));
  std::tie(code, text) = post(req, PublicBaseUrl() + "/ocsp/no-such-ca-" + id());
  EXPECT_THAT(text, HasSubstr("unauthorized"));
  WriteFile(tmp_.File("oversized"), std::string(2 * 1024 * 1024, '\x30'));
  std::tie(code, text) = post(tmp_.File("oversized"), Url());
  EXPECT_TRUE(code == "413" || code == "400" || text.find("malformedrequest") != std::string::npos) << code;
  CommandResult bad_get = RunTool({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", Url() + "/%25%25notbase64"});
  EXPECT_EQ(bad_get.output, "400");
  // The responder still answers.
  EXPECT_THAT(Ask(dir, {"-cert", dir + "/tls.crt"}).output, HasSubstr("tls.crt: good"));
}

}  // namespace
}  // namespace certplane::testing

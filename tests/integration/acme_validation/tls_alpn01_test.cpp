// tls-alpn-01 against `openssl s_server`, with certificates made by the openssl CLI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "acme/validation/challenge_validator.h"
#include "acme/validation/challenge_values.h"
#include "dns_responder.h"
#include "free_port.h"
#include "process.h"
#include "test_files.h"
#include "test_servers.h"

namespace certplane::acme {
namespace {

using testing::ChildProcess;
using testing::CommandResult;
using ::testing::HasSubstr;
using testing::RunTool;

constexpr std::string_view kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
constexpr std::string_view kKeyAuthz =
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ";

std::string HexColons(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ':';
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

// What goes into the test certificate.
struct CertSpec {
  std::string san = "DNS:tls.test";                // "" for none
  std::string digest_of = std::string(kKeyAuthz);  // whose SHA-256 the extension holds
  bool extension = true;
  bool critical = true;
};

// A self-signed certificate and key in `dir`, made by `openssl req -x509`.
void MakeCertificate(const std::string& dir, const CertSpec& spec) {
  std::vector<std::string> argv = {"openssl",
                                   "req",
                                   "-x509",
                                   "-newkey",
                                   "ec",
                                   "-pkeyopt",
                                   "ec_paramgen_curve:P-256",
                                   "-nodes",
                                   "-keyout",
                                   dir + "/key.pem",
                                   "-out",
                                   dir + "/cert.pem",
                                   "-subj",
                                   "/CN=acme-tls-alpn-01",
                                   "-days",
                                   "1"};
  if (!spec.san.empty()) {
    argv.push_back("-addext");
    argv.push_back("subjectAltName=" + spec.san);
  }
  if (spec.extension) {
    argv.push_back("-addext");
    argv.push_back(std::string("1.3.6.1.5.5.7.1.31=") + (spec.critical ? "critical," : "") +
                   "DER:04:20:" + HexColons(TlsAlpn01Digest(spec.digest_of)));
  }
  const CommandResult made = RunTool(argv);
  ASSERT_EQ(made.exit_code, 0) << made.output;
}

// `openssl s_server` on 127.0.0.1:<port>, stopped by the ChildProcess destructor.
std::unique_ptr<ChildProcess> StartServer(const std::string& dir, int port, bool alpn = true) {
  std::vector<std::string> argv = {"openssl", "s_server",        "-accept", "127.0.0.1:" + std::to_string(port),
                                   "-cert",   dir + "/cert.pem", "-key",    dir + "/key.pem",
                                   "-www"};
  if (alpn) {
    argv.push_back("-alpn");
    argv.push_back("acme-tls/1");
  }
  auto server = std::make_unique<ChildProcess>(argv);
  EXPECT_TRUE(server->WaitForLine("ACCEPT", std::chrono::seconds(10))) << "openssl s_server did not start";
  return server;
}

class TlsAlpn01Test : public ::testing::Test {
 protected:
  TlsAlpn01Test() { dns_.SetA("tls.test", "127.0.0.1"); }

  // Starts s_server with a certificate made from `spec` and validates `identifier`.
  std::optional<Problem> Run(const CertSpec& spec, const Identifier& identifier = {"dns", "tls.test"},
                             bool alpn = true) {
    testing::TempDir dir;
    MakeCertificate(dir.path(), spec);
    if (HasFatalFailure()) return MakeProblem(ProblemType::kServerInternal, "no certificate");
    const int port = testing::FreeLoopbackPort();
    std::unique_ptr<ChildProcess> server = StartServer(dir.path(), port, alpn);
    ChallengeValidator validator(
        {.dns_server = dns_.address(), .tls_alpn01_port = port, .timeout = std::chrono::seconds(5)});
    return validator.Validate(api::AcmeChallenge::kTlsAlpn01, identifier, kToken, kKeyAuthz,
                              *AddressPolicy::Parse({"127.0.0.0/8"}));
  }

  testing::DnsResponder dns_{"test."};
};

TEST_F(TlsAlpn01Test, SucceedsWithTheRightCertificate) { EXPECT_EQ(Run(CertSpec{}), std::nullopt); }

TEST_F(TlsAlpn01Test, SanComparisonIgnoresCase) { EXPECT_EQ(Run(CertSpec{.san = "DNS:TLS.Test"}), std::nullopt); }

TEST_F(TlsAlpn01Test, SucceedsForAnIpIdentifierWithAnIpAddressSan) {
  EXPECT_EQ(Run(CertSpec{.san = "IP:127.0.0.1"}, {"ip", "127.0.0.1"}), std::nullopt);
}

TEST_F(TlsAlpn01Test, WrongDigestIsIncorrectResponse) {
  std::optional<Problem> p = Run(CertSpec{.digest_of = "another-token.another-thumbprint"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kIncorrectResponse) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("does not hold SHA-256 of the key authorization"));
  EXPECT_THAT(p->detail, HasSubstr("127.0.0.1:"));
}

TEST_F(TlsAlpn01Test, NonCriticalExtensionIsATlsProblem) {
  std::optional<Problem> p = Run(CertSpec{.critical = false});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kTls) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("not marked critical"));
}

TEST_F(TlsAlpn01Test, MissingExtensionIsATlsProblem) {
  std::optional<Problem> p = Run(CertSpec{.extension = false});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kTls) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("no acmeIdentifier extension"));
}

TEST_F(TlsAlpn01Test, ServerWithoutAcmeTls1IsATlsProblem) {
  std::optional<Problem> p = Run(CertSpec{}, {"dns", "tls.test"}, /*alpn=*/false);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kTls) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("did not negotiate the ALPN protocol acme-tls/1"));
}

TEST_F(TlsAlpn01Test, TwoSansAreATlsProblem) {
  std::optional<Problem> p = Run(CertSpec{.san = "DNS:tls.test,DNS:other.test"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kTls) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("has 2 subjectAltNames"));
}

TEST_F(TlsAlpn01Test, OtherNameIsATlsProblem) {
  std::optional<Problem> p = Run(CertSpec{.san = "DNS:other.test"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kTls) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("\"other.test\"; expected tls.test"));
}

TEST_F(TlsAlpn01Test, NoSanIsATlsProblem) {
  std::optional<Problem> p = Run(CertSpec{.san = ""});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kTls) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("no subjectAltName"));
}

TEST_F(TlsAlpn01Test, PlainTextPeerIsATlsProblem) {
  testing::TinyServer server(testing::TinyServer::Respond("HTTP/1.1 400 Bad Request\r\n\r\n garbage \xff\xfe"));
  ChallengeValidator validator(
      {.dns_server = dns_.address(), .tls_alpn01_port = server.port(), .timeout = std::chrono::seconds(3)});
  std::optional<Problem> p = validator.Validate(api::AcmeChallenge::kTlsAlpn01, {"dns", "tls.test"}, kToken, kKeyAuthz,
                                                *AddressPolicy::Parse({"127.0.0.0/8"}));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kTls) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("TLS handshake with 127.0.0.1:"));
}

TEST_F(TlsAlpn01Test, SilentPeerIsCutOffByTheTimeout) {
  testing::TinyServer server(testing::TinyServer::Silent());
  ChallengeValidator validator(
      {.dns_server = dns_.address(), .tls_alpn01_port = server.port(), .timeout = std::chrono::seconds(1)});
  std::optional<Problem> p = validator.Validate(api::AcmeChallenge::kTlsAlpn01, {"dns", "tls.test"}, kToken, kKeyAuthz,
                                                *AddressPolicy::Parse({"127.0.0.0/8"}));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kConnection) << p->detail;
}

TEST_F(TlsAlpn01Test, LoopbackWithoutAnAllowlistIsARejectedIdentifier) {
  ChallengeValidator validator({.dns_server = dns_.address(), .tls_alpn01_port = testing::FreeLoopbackPort()});
  std::optional<Problem> p =
      validator.Validate(api::AcmeChallenge::kTlsAlpn01, {"dns", "tls.test"}, kToken, kKeyAuthz, AddressPolicy());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kRejectedIdentifier);
}

}  // namespace
}  // namespace certplane::acme

// The public routes on a real loopback socket, through cpprestsdk's listener, fetched
// with curl and read with the openssl CLI: what relying parties will do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "crl_fixtures.h"
#include "free_port.h"
#include "http/http_server.h"
#include "http/routes/public_routes.h"
#include "process.h"
#include "test_files.h"

namespace certplane::http {
namespace {

using certplane::testing::CommandResult;
using certplane::testing::ReadFile;
using certplane::testing::RunShell;
using crl::testing::CrlConfigMapJson;
using crl::testing::DerString;
using crl::testing::TestCrl;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

class PublicRoutesServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crls_[{"issuing", 0}] = Decode(CrlConfigMapJson("", "issuing", 0, shard0_).Build());
    crls_[{"issuing", 5}] = Decode(CrlConfigMapJson("", "issuing", 5, shard5_).Build());
    ca_->metadata.name = "issuing";
    ca_->status.certificate = Intermediate().ToPem();
    http::RegisterPublicRoutes(
        router_,
        http::PublicRouteSources{
            .crl = [this](const std::string& ca, std::int32_t shard) -> std::shared_ptr<const crl::CrlConfigMap> {
              auto it = crls_.find({ca, shard});
              return it == crls_.end() ? nullptr : it->second;
            },
            .ca = [this](const std::string& name) -> std::shared_ptr<const api::CertificateAuthority> {
              return name == "issuing" ? ca_ : nullptr;
            },
            .clock = kube::SystemClock().get(),
        });
    const int port = certplane::testing::FreeLoopbackPort();
    ASSERT_GT(port, 0);
    base_ = "http://127.0.0.1:" + std::to_string(port);
    server_ = std::make_unique<http::HttpServer>("127.0.0.1:" + std::to_string(port), router_);
    ASSERT_TRUE(server_->Start().ok());
    dir_.Write("issuer.pem", Intermediate().ToPem());
  }

  static std::shared_ptr<const crl::CrlConfigMap> Decode(const nlohmann::json& j) {
    return std::make_shared<const crl::CrlConfigMap>(crl::DecodeCrlConfigMap(j).value());
  }
  static const pki::Certificate& Intermediate() {
    return pki::testing::Hierarchy(pki::KeyAlgorithm::kEcdsaP256).intermediate_cert;
  }

  // A command's stdout (its stderr goes to the test's).
  static CommandResult Stdout(const std::string& command) { return RunShell(command, {.capture_stderr = false}); }

  // curl's `-w` output for a GET of `path` saved to `file` in dir_.
  std::string Fetch(const std::string& path, const std::string& file, const std::string& extra = "") {
    return Stdout("curl -sS " + extra + " -o '" + dir_.File(file) + "' -w '%{http_code} %{content_type}' '" + base_ +
                  path + "'")
        .output;
  }

  std::string EtagOf(const std::string& ca, std::int32_t shard) const { return crls_.at({ca, shard})->etag; }

  const pki::Crl shard0_ = TestCrl(9, 3);
  const pki::Crl shard5_ = TestCrl(10, 40);
  std::map<std::pair<std::string, std::int32_t>, std::shared_ptr<const crl::CrlConfigMap>> crls_;
  std::shared_ptr<api::CertificateAuthority> ca_ = std::make_shared<api::CertificateAuthority>();
  http::Router router_;
  std::string base_;
  certplane::testing::TempDir dir_;
  std::unique_ptr<http::HttpServer> server_;
};

TEST_F(PublicRoutesServerTest, ADerCrlArrivesByteForByteAndOpensslReadsAndVerifiesIt) {
  ASSERT_NE(DerString(shard0_).find('\0'), std::string::npos) << "the CRL should hold NUL bytes for this test";
  EXPECT_EQ(Fetch("/crl/issuing.crl", "crl.der"), "200 application/pkix-crl");
  EXPECT_EQ(ReadFile(dir_.File("crl.der")), DerString(shard0_));

  auto text = Stdout("openssl crl -inform DER -in '" + dir_.File("crl.der") + "' -noout -text");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.output, HasSubstr("Serial Number: 80"));
  EXPECT_THAT(text.output, HasSubstr("Serial Number: 82"));
  EXPECT_THAT(text.output, ContainsRegex("CRL Number: *\n +9\n"));
  auto verify = RunShell("openssl crl -inform DER -in '" + dir_.File("crl.der") + "' -CAfile '" +
                         dir_.File("issuer.pem") + "' -noout");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("verify OK"));
}

TEST_F(PublicRoutesServerTest, APemCrlAndAShardCrlArriveIntact) {
  EXPECT_EQ(Fetch("/crl/issuing.pem", "crl.pem"), "200 application/x-pem-file");
  auto pem = Stdout("openssl crl -in '" + dir_.File("crl.pem") + "' -outform DER");
  EXPECT_EQ(pem.exit_code, 0);
  EXPECT_EQ(pem.output, DerString(shard0_));

  EXPECT_EQ(Fetch("/crl/issuing/5.crl", "shard5.der"), "200 application/pkix-crl");
  EXPECT_EQ(ReadFile(dir_.File("shard5.der")), DerString(shard5_));
  auto text = Stdout("openssl crl -inform DER -in '" + dir_.File("shard5.der") + "' -noout -text");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.output, HasSubstr("Serial Number: A7")) << "the 40th entry";
}

TEST_F(PublicRoutesServerTest, IfNoneMatchGets304WithTheCachingHeadersAndNoBody) {
  const std::string etag = EtagOf("issuing", 0);
  EXPECT_EQ(Fetch("/crl/issuing.crl", "body", "-D '" + dir_.File("headers") + "' -H 'If-None-Match: W/" + etag + "'"),
            "304 application/pkix-crl");
  EXPECT_EQ(ReadFile(dir_.File("body")), "");
  const std::string headers = ReadFile(dir_.File("headers"));
  EXPECT_THAT(headers, HasSubstr("ETag: " + etag + "\r\n"));
  EXPECT_THAT(headers, HasSubstr("Cache-Control: public, max-age="));
  EXPECT_THAT(headers, HasSubstr("Expires: Sun, 02 Jun 2030 12:00:00 GMT\r\n"));
  EXPECT_THAT(headers, HasSubstr("Last-Modified: Sat, 01 Jun 2030 12:00:00 GMT\r\n"));

  EXPECT_EQ(Fetch("/crl/issuing.crl", "body", "-H 'If-None-Match: \"0000000000000000\"'"), "200 application/pkix-crl");
  EXPECT_EQ(ReadFile(dir_.File("body")), DerString(shard0_));
}

TEST_F(PublicRoutesServerTest, HeadAnswersWithTheHeadersOnly) {
  auto head = Stdout("curl -sS -I '" + base_ + "/crl/issuing/5.pem'");
  EXPECT_THAT(head.output, HasSubstr("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head.output, HasSubstr("ETag: " + EtagOf("issuing", 5) + "\r\n"));
  EXPECT_THAT(head.output, HasSubstr("Content-Type: application/x-pem-file\r\n"));
}

TEST_F(PublicRoutesServerTest, TheCaCertificateArrivesAsPemAndAsDer) {
  EXPECT_EQ(Fetch("/ca/issuing.crt", "ca.crt"), "200 application/x-pem-file");
  EXPECT_EQ(ReadFile(dir_.File("ca.crt")), Intermediate().ToPem());
  EXPECT_EQ(Fetch("/ca/issuing.der", "ca.der"), "200 application/pkix-cert");
  pki::Bytes der = Intermediate().ToDer();
  EXPECT_EQ(ReadFile(dir_.File("ca.der")), std::string(der.begin(), der.end()));
  auto subject = Stdout("openssl x509 -inform DER -in '" + dir_.File("ca.der") + "' -noout -subject");
  EXPECT_EQ(subject.exit_code, 0);
  EXPECT_THAT(subject.output, HasSubstr("subject="));
}

TEST_F(PublicRoutesServerTest, UnknownCrlsAre404) {
  EXPECT_EQ(Stdout("curl -sS -o /dev/null -w '%{http_code}' '" + base_ + "/crl/issuing/1.crl'").output, "404");
  EXPECT_EQ(Stdout("curl -sS '" + base_ + "/crl/other.crl'").output, "no CRL for CA \"other\" shard 0\n");
}

}  // namespace
}  // namespace certplane::http

// http-01 against servers on loopback, names resolved by the test DNS responder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "acme/validation/challenge_validator.h"
#include "dns_responder.h"
#include "free_port.h"
#include "test_files.h"
#include "test_servers.h"

namespace certplane::acme {
namespace {

using ::testing::HasSubstr;
using testing::TinyServer;

constexpr std::string_view kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
constexpr std::string_view kKeyAuthz =
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ";

std::string Ok(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

AddressPolicy Loopback() { return *AddressPolicy::Parse({"127.0.0.0/8"}); }

class Http01Test : public ::testing::Test {
 protected:
  Http01Test() { dns_.SetA("web.test", "127.0.0.1"); }

  std::optional<Problem> Validate(int port, const Identifier& identifier = {"dns", "web.test"},
                                  const AddressPolicy& policy = Loopback(),
                                  std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    ChallengeValidator validator({.dns_server = dns_.address(), .http01_port = port, .timeout = timeout});
    return validator.Validate(api::AcmeChallenge::kHttp01, identifier, kToken, kKeyAuthz, policy);
  }

  testing::DnsResponder dns_{"test."};
};

TEST_F(Http01Test, SucceedsWhenTheBodyIsTheKeyAuthorization) {
  TinyServer server(TinyServer::Respond(Ok(std::string(kKeyAuthz) + "\r\n")));
  EXPECT_EQ(Validate(server.port()), std::nullopt);
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string request = server.requests()[0];
  EXPECT_TRUE(request.starts_with("GET /.well-known/acme-challenge/" + std::string(kToken) + " HTTP/1.1\r\n"))
      << request;
  EXPECT_THAT(request, HasSubstr("\r\nHost: web.test:" + std::to_string(server.port()) + "\r\n"));
}

TEST_F(Http01Test, SucceedsWithAChunkedBodyAndWithABodyEndedByClose) {
  TinyServer chunked(TinyServer::Respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" +
                                         std::string(kKeyAuthz.substr(0, 16)) + "\r\n" +
                                         [] {
                                           std::string rest(kKeyAuthz.substr(16));
                                           char size[16];
                                           std::snprintf(size, sizeof size, "%zx", rest.size());
                                           return std::string(size) + "\r\n" + rest + "\r\n";
                                         }() +
                                         "0\r\n\r\n"));
  EXPECT_EQ(Validate(chunked.port()), std::nullopt);
  TinyServer until_close(TinyServer::Respond("HTTP/1.0 200 OK\r\n\r\n" + std::string(kKeyAuthz)));
  EXPECT_EQ(Validate(until_close.port()), std::nullopt);
}

TEST_F(Http01Test, ValidatesAnIpIdentifierAtThatAddress) {
  TinyServer server(TinyServer::Respond(Ok(kKeyAuthz)));
  EXPECT_EQ(Validate(server.port(), {"ip", "127.0.0.1"}), std::nullopt);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_THAT(server.requests()[0], HasSubstr("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"));
}

TEST_F(Http01Test, WrongBodyIsIncorrectResponseNamingTheAddressAndBody) {
  TinyServer server(TinyServer::Respond(Ok("not the key authorization")));
  std::optional<Problem> p = Validate(server.port());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kIncorrectResponse) << p->detail;
  EXPECT_THAT(p->detail, HasSubstr("127.0.0.1:" + std::to_string(server.port())));
  EXPECT_THAT(p->detail, HasSubstr("\"not the key authorization\""));
  EXPECT_THAT(p->detail, HasSubstr(std::string(kKeyAuthz)));
}

TEST_F(Http01Test, LeadingWhitespaceIsNotForgiven) {
  TinyServer server(TinyServer::Respond(Ok(" " + std::string(kKeyAuthz))));
  std::optional<Problem> p = Validate(server.port());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kIncorrectResponse);
}

TEST_F(Http01Test, NotFoundIsIncorrectResponseNamingTheStatus) {
  TinyServer server(TinyServer::Respond("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"));
  std::optional<Problem> p = Validate(server.port());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kIncorrectResponse);
  EXPECT_THAT(p->detail, HasSubstr("answered 404 Not Found"));
  EXPECT_THAT(p->detail, HasSubstr("expected 200"));
}

TEST_F(Http01Test, RedirectIsNotFollowed) {
  TinyServer target(TinyServer::Respond(Ok(kKeyAuthz)));
  TinyServer server(TinyServer::Respond("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" +
                                        std::to_string(target.port()) + "/ok\r\nContent-Length: 0\r\n\r\n"));
  std::optional<Problem> p = Validate(server.port());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kIncorrectResponse);
  EXPECT_THAT(p->detail, HasSubstr("answered 302 Found with a redirect to \"http://127.0.0.1:"));
  EXPECT_THAT(p->detail, HasSubstr("does not follow redirects"));
  EXPECT_TRUE(target.requests().empty());
}

TEST_F(Http01Test, ConnectionRefusedIsAConnectionProblem) {
  const int port = testing::FreeLoopbackPort();
  std::optional<Problem> p = Validate(port);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kConnection);
  EXPECT_THAT(p->detail, HasSubstr("127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(p->detail, HasSubstr("Connection refused"));
}

TEST_F(Http01Test, LoopbackWithoutAnAllowlistIsARejectedIdentifier) {
  TinyServer server(TinyServer::Respond(Ok(kKeyAuthz)));
  std::optional<Problem> p = Validate(server.port(), {"dns", "web.test"}, AddressPolicy());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kRejectedIdentifier);
  EXPECT_THAT(p->detail, HasSubstr("127.0.0.1 is a loopback address"));
  EXPECT_THAT(p->detail, HasSubstr("acme.validation.allowedCIDRs"));
  EXPECT_TRUE(server.requests().empty());  // never connected

  std::optional<Problem> ip = Validate(server.port(), {"ip", "127.0.0.1"}, AddressPolicy());
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->type, ProblemType::kRejectedIdentifier);
}

TEST_F(Http01Test, NameThatDoesNotResolveIsADnsProblem) {
  std::optional<Problem> p = Validate(testing::FreeLoopbackPort(), {"dns", "nowhere.test"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kDns);
  EXPECT_THAT(p->detail, HasSubstr("nowhere.test"));
}

TEST_F(Http01Test, SkipsRefusedAndUnreachableAddressesForTheNextOne) {
  TinyServer server(TinyServer::Respond(Ok(kKeyAuthz)));
  testing::TempDir dir;
  // 10.0.0.1 is refused by the policy, 127.0.0.2 has nothing listening, 127.0.0.1 answers.
  const std::string zone = dir.Write("zone", "multi.test A 10.0.0.1\nmulti.test A 127.0.0.2\nmulti.test A 127.0.0.1\n");
  testing::DnsResponder dns("test.", zone);
  ChallengeValidator validator(
      {.dns_server = dns.address(), .http01_port = server.port(), .timeout = std::chrono::seconds(3)});
  EXPECT_EQ(validator.Validate(api::AcmeChallenge::kHttp01, {"dns", "multi.test"}, kToken, kKeyAuthz, Loopback()),
            std::nullopt);
}

TEST_F(Http01Test, EveryAddressUnreachableNamesEach) {
  testing::TempDir dir;
  const std::string zone = dir.Write("zone", "down.test A 127.0.0.2\ndown.test A 127.0.0.3\n");
  testing::DnsResponder dns("test.", zone);
  ChallengeValidator validator({.dns_server = dns.address(), .http01_port = testing::FreeLoopbackPort()});
  std::optional<Problem> p =
      validator.Validate(api::AcmeChallenge::kHttp01, {"dns", "down.test"}, kToken, kKeyAuthz, Loopback());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kConnection);
  EXPECT_THAT(p->detail, HasSubstr("127.0.0.2:"));
  EXPECT_THAT(p->detail, HasSubstr("127.0.0.3:"));
}

TEST_F(Http01Test, HugeHeadersAreCutOffAt8KiB) {
  TinyServer server(TinyServer::Respond("HTTP/1.1 200 OK\r\nX-Padding: " + std::string(100000, 'a') + "\r\n\r\n" +
                                        std::string(kKeyAuthz)));
  std::optional<Problem> p = Validate(server.port());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kIncorrectResponse);
  EXPECT_THAT(p->detail, HasSubstr("larger than 8 KiB"));
}

TEST_F(Http01Test, SlowPeerIsCutOffByTheTimeout) {
  TinyServer server(TinyServer::Drip(Ok(kKeyAuthz), std::chrono::milliseconds(100)));
  const auto start = std::chrono::steady_clock::now();
  std::optional<Problem> p = Validate(server.port(), {"dns", "web.test"}, Loopback(), std::chrono::seconds(1));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kConnection);
  EXPECT_THAT(p->detail, HasSubstr("within the timeout"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(Http01Test, SilentPeerIsCutOffByTheTimeout) {
  TinyServer server(TinyServer::Silent());
  std::optional<Problem> p = Validate(server.port(), {"dns", "web.test"}, Loopback(), std::chrono::seconds(1));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kConnection);
  EXPECT_THAT(p->detail, HasSubstr("no response"));
}

TEST_F(Http01Test, GarbageIsIncorrectResponse) {
  TinyServer server(TinyServer::Respond(std::string("SSH-2.0-OpenSSH_9.2\r\n\x00\xff\r\n\r\n", 27)));
  std::optional<Problem> p = Validate(server.port());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kIncorrectResponse);
  EXPECT_THAT(p->detail, HasSubstr("HTTP/1.x status line"));
}

TEST_F(Http01Test, WildcardCannotUseHttp01) {
  std::optional<Problem> p = Validate(80, {"dns", "*.web.test"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kMalformed);
  EXPECT_THAT(p->detail, HasSubstr("dns-01"));
}

TEST_F(Http01Test, NamesThatCouldInjectHeadersAreMalformed) {
  std::optional<Problem> p = Validate(80, {"dns", "web.test\r\nX-Evil: 1"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, ProblemType::kMalformed);
  std::optional<Problem> unsupported = Validate(80, {"email", "a@b.test"});
  ASSERT_TRUE(unsupported.has_value());
  EXPECT_EQ(unsupported->type, ProblemType::kUnsupportedIdentifier);
}

}  // namespace
}  // namespace certplane::acme

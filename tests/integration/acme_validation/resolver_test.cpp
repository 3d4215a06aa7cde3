// Resolver against the test DNS responder, and against a server that never answers.
#include "acme/validation/resolver.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <chrono>
#include <fstream>
#include <string>

#include "acme/validation/address_policy.h"
#include "dns_responder.h"
#include "test_files.h"

namespace certplane::acme {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Texts(const std::vector<policy::IpAddress>& ips) {
  std::vector<std::string> out;
  for (const policy::IpAddress& ip : ips) out.push_back(IpToString(ip));
  return out;
}

class ResolverTest : public ::testing::Test {
 protected:
  testing::DnsResponder dns_{"test."};
  Resolver resolver_{dns_.address(), std::chrono::seconds(2)};
};

TEST_F(ResolverTest, LooksUpARecords) {
  dns_.SetA("web.test", "192.0.2.10");
  Result<std::vector<policy::IpAddress>> ips = resolver_.LookupAddresses("web.test");
  ASSERT_TRUE(ips.ok()) << ips.status();
  EXPECT_THAT(Texts(*ips), ElementsAre("192.0.2.10"));
  EXPECT_GE(dns_.queries(), 2u);  // A and AAAA
}

TEST_F(ResolverTest, ReturnsARecordsBeforeAaaaRecords) {
  dns_.SetAaaa("dual.test", "2001:db8::7");
  dns_.SetA("dual.test", "192.0.2.7");
  Result<std::vector<policy::IpAddress>> ips = resolver_.LookupAddresses("dual.test");
  ASSERT_TRUE(ips.ok()) << ips.status();
  EXPECT_THAT(Texts(*ips), ElementsAre("192.0.2.7", "2001:db8::7"));
}

TEST_F(ResolverTest, NamesAreCaseInsensitiveAndMayBeAbsolute) {
  dns_.SetA("Web.Test", "192.0.2.11");
  Result<std::vector<policy::IpAddress>> ips = resolver_.LookupAddresses("WEB.test.");
  ASSERT_TRUE(ips.ok()) << ips.status();
  EXPECT_THAT(Texts(*ips), ElementsAre("192.0.2.11"));
}

TEST_F(ResolverTest, LooksUpTxtRecordsJoiningTheirStrings) {
  const std::string long_value(300, 'x');  // two character-strings on the wire
  dns_.SetTxt("_acme-challenge.web.test", {"first", long_value});
  Result<std::vector<std::string>> txt = resolver_.LookupTxt("_acme-challenge.web.test");
  ASSERT_TRUE(txt.ok()) << txt.status();
  EXPECT_THAT(*txt, UnorderedElementsAre("first", long_value));
}

TEST_F(ResolverTest, FallsBackToTcpForAnswersLargerThanAUdpMessage) {
  std::vector<std::string> values;
  for (int i = 0; i < 6; ++i) values.push_back(std::string(200, static_cast<char>('a' + i)));
  dns_.SetTxt("big.test", values);
  Result<std::vector<std::string>> txt = resolver_.LookupTxt("big.test");
  ASSERT_TRUE(txt.ok()) << txt.status();
  EXPECT_EQ(txt->size(), 6u);
}

TEST_F(ResolverTest, NxdomainIsNotFound) {
  Result<std::vector<policy::IpAddress>> ips = resolver_.LookupAddresses("missing.test");
  ASSERT_FALSE(ips.ok());
  EXPECT_EQ(ips.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(ips.status().message(), HasSubstr("missing.test"));
  Result<std::vector<std::string>> txt = resolver_.LookupTxt("missing.test");
  ASSERT_FALSE(txt.ok());
  EXPECT_EQ(txt.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(txt.status().message(), HasSubstr("NXDOMAIN"));
}

TEST_F(ResolverTest, NameWithoutTheTypeIsNotFound) {
  dns_.SetA("web.test", "192.0.2.10");
  Result<std::vector<std::string>> txt = resolver_.LookupTxt("web.test");
  ASSERT_FALSE(txt.ok());
  EXPECT_EQ(txt.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(txt.status().message(), HasSubstr("no TXT record"));
}

TEST_F(ResolverTest, FollowsCnames) {
  dns_.SetA("target.test", "192.0.2.20");
  dns_.SetCname("alias.test", "middle.test");
  dns_.SetCname("middle.test", "target.test");
  Result<std::vector<policy::IpAddress>> ips = resolver_.LookupAddresses("alias.test");
  ASSERT_TRUE(ips.ok()) << ips.status();
  EXPECT_THAT(Texts(*ips), ElementsAre("192.0.2.20"));

  dns_.SetTxt("_acme-challenge.delegated.test", {"token-value"});
  dns_.SetCname("_acme-challenge.web.test", "_acme-challenge.delegated.test");
  Result<std::vector<std::string>> txt = resolver_.LookupTxt("_acme-challenge.web.test");
  ASSERT_TRUE(txt.ok()) << txt.status();
  EXPECT_THAT(*txt, ElementsAre("token-value"));
}

TEST_F(ResolverTest, CnameLoopFailsInsteadOfSpinning) {
  dns_.SetCname("loop1.test", "loop2.test");
  dns_.SetCname("loop2.test", "loop1.test");
  Result<std::vector<policy::IpAddress>> ips = resolver_.LookupAddresses("loop1.test");
  ASSERT_FALSE(ips.ok());
}

TEST_F(ResolverTest, ClearRemovesRecords) {
  dns_.SetA("gone.test", "192.0.2.30");
  ASSERT_TRUE(resolver_.LookupAddresses("gone.test").ok());
  dns_.Clear("gone.test");
  EXPECT_EQ(resolver_.LookupAddresses("gone.test").status().code(), StatusCode::kNotFound);
}

TEST(ResolverZoneFileTest, SeesLinesAppendedToTheZoneFile) {
  testing::TempDir dir;
  const std::string zone_file = dir.Write("zone", "# records\nfile.test A 192.0.2.40\n");
  testing::DnsResponder dns("test.", zone_file);
  Resolver resolver(dns.address(), std::chrono::seconds(2));
  Result<std::vector<policy::IpAddress>> ips = resolver.LookupAddresses("file.test");
  ASSERT_TRUE(ips.ok()) << ips.status();
  EXPECT_THAT(Texts(*ips), ElementsAre("192.0.2.40"));
  EXPECT_EQ(resolver.LookupTxt("_acme-challenge.file.test").status().code(), StatusCode::kNotFound);

  std::ofstream(zone_file, std::ios::app) << "_acme-challenge.file.test. TXT \"abc def\"\n";
  Result<std::vector<std::string>> txt = resolver.LookupTxt("_acme-challenge.FILE.test");
  ASSERT_TRUE(txt.ok()) << txt.status();
  EXPECT_THAT(*txt, ElementsAre("abc def"));
}

TEST(ResolverTimeoutTest, SilentServerIsUnavailableWithinTheTimeout) {
  // A UDP socket that receives queries and never answers.
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  Resolver resolver("127.0.0.1:" + std::to_string(ntohs(a.sin_port)), std::chrono::seconds(1));
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<std::string>> txt = resolver.LookupTxt("anything.test");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(txt.ok());
  EXPECT_EQ(txt.status().code(), StatusCode::kUnavailable) << txt.status();
  EXPECT_THAT(txt.status().message(), HasSubstr("127.0.0.1:"));
  EXPECT_LT(elapsed, std::chrono::seconds(10));  // bounded, not hung (generous for slow CI)
}

TEST(ResolverServerTest, SendsQueriesToAnIpv6Server) {
  // A silent UDP socket on [::1]: the query must arrive there (and time out).
  const int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  // Linux always has ::1 unless IPv6 is disabled; then this test must fail, not skip,
  // since IPv6 DNS servers are part of what the resolver promises.
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << "binding [::1]: " << std::strerror(errno);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);

  Resolver resolver("[::1]:" + std::to_string(ntohs(a.sin6_port)), std::chrono::seconds(1));
  Result<std::vector<std::string>> txt = resolver.LookupTxt("anything.test");
  ASSERT_FALSE(txt.ok());
  EXPECT_EQ(txt.status().code(), StatusCode::kUnavailable) << txt.status();
  EXPECT_THAT(txt.status().message(), HasSubstr("[::1]:"));
  char buf[512];
  EXPECT_GT(::recv(fd, buf, sizeof buf, MSG_DONTWAIT), 12) << "no query reached the IPv6 server";
}

TEST(ResolverServerTest, RefusesAServerThatIsNotHostPort) {
  for (const char* server :
       {"127.0.0.1", "localhost:53", "127.0.0.1:0", "127.0.0.1:99999", "[::1]", "::1:53", "[127.0.0.1]:53"}) {
    Resolver resolver{std::string(server)};
    Result<std::vector<std::string>> txt = resolver.LookupTxt("web.test");
    ASSERT_FALSE(txt.ok()) << server;
    EXPECT_EQ(txt.status().code(), StatusCode::kInvalidArgument) << server;
    EXPECT_THAT(txt.status().message(), HasSubstr(server));
  }
}

}  // namespace
}  // namespace certplane::acme

// The test DNS responder on the wire: what ACME clients (lego's zone detection) rely on.
#include "dns_responder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace certplane::testing {
namespace {

constexpr std::uint16_t kA = 1, kNs = 2, kSoa = 6, kTxt = 16;

std::string Query(std::string_view name, std::uint16_t type, std::uint16_t id = 0x1234) {
  std::string q;
  q += static_cast<char>(id >> 8);
  q += static_cast<char>(id & 0xff);
  q += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);  // RD, one question
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    q += static_cast<char>(label.size());
    q += label;
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  q += '\0';
  q += static_cast<char>(type >> 8);
  q += static_cast<char>(type & 0xff);
  q += std::string("\x00\x01", 2);
  return q;
}

int U16(const std::string& m, std::size_t at) {
  return (static_cast<unsigned char>(m[at]) << 8) | static_cast<unsigned char>(m[at + 1]);
}
int Rcode(const std::string& m) { return U16(m, 2) & 0xf; }
int Answers(const std::string& m) { return U16(m, 6); }
int AuthorityCount(const std::string& m) { return U16(m, 8); }
bool Authoritative(const std::string& m) { return (U16(m, 2) & 0x0400) != 0; }

// The type of the first answer record, which follows the question and is owned by the
// question's name (a compression pointer, 2 bytes).
int FirstAnswerType(const std::string& m, const std::string& query) {
  const std::size_t at = query.size();
  return U16(m, at + 2);
}

TEST(DnsResponderTest, AnswersSoaAndNsAtTheZoneApex) {
  DnsResponder dns("example.test.");
  const std::string soa_query = Query("Example.Test", kSoa);
  std::optional<std::string> soa = Exchange(dns.port(), soa_query);
  ASSERT_TRUE(soa.has_value());
  EXPECT_EQ(Rcode(*soa), 0);
  EXPECT_TRUE(Authoritative(*soa));
  ASSERT_EQ(Answers(*soa), 1);
  EXPECT_EQ(FirstAnswerType(*soa, soa_query), kSoa);
  EXPECT_EQ(U16(*soa, 0), 0x1234);  // the query's id

  const std::string ns_query = Query("example.test", kNs);
  std::optional<std::string> ns = Exchange(dns.port(), ns_query);
  ASSERT_TRUE(ns.has_value());
  ASSERT_EQ(Answers(*ns), 1);
  EXPECT_EQ(FirstAnswerType(*ns, ns_query), kNs);

  const std::string a_query = Query("ns.example.test", kA);
  std::optional<std::string> a = Exchange(dns.port(), a_query);
  ASSERT_TRUE(a.has_value());
  ASSERT_EQ(Answers(*a), 1);
  EXPECT_EQ(a->substr(a->size() - 4), std::string("\x7f\x00\x00\x01", 4));
}

TEST(DnsResponderTest, BelowTheApexSoaIsInTheAuthoritySectionOnly) {
  // lego walks up from _acme-challenge.<name> and takes the first SOA in an answer as
  // the zone: only the apex may have one.
  DnsResponder dns("test.");
  dns.SetA("web.test", "127.0.0.1");
  std::optional<std::string> r = Exchange(dns.port(), Query("web.test", kSoa));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Rcode(*r), 0);  // the name exists: NODATA
  EXPECT_EQ(Answers(*r), 0);
  EXPECT_EQ(AuthorityCount(*r), 1);

  std::optional<std::string> nx = Exchange(dns.port(), Query("_acme-challenge.web.test", kSoa));
  ASSERT_TRUE(nx.has_value());
  EXPECT_EQ(Rcode(*nx), 3);  // NXDOMAIN
  EXPECT_EQ(AuthorityCount(*nx), 1);
}

TEST(DnsResponderTest, UnknownNamesOutsideTheZoneAreNxdomain) {
  DnsResponder dns("test.");
  std::optional<std::string> r = Exchange(dns.port(), Query("example.com", kTxt));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Rcode(*r), 3);
  EXPECT_EQ(AuthorityCount(*r), 0);
}

TEST(DnsResponderTest, DropsMalformedQueriesAndKeepsServing) {
  DnsResponder dns("test.");
  dns.SetTxt("web.test", {"v"});
  const std::string good = Query("web.test", kTxt);
  for (const std::string& bad :
       {std::string("x"), std::string(11, '\0'), good.substr(0, good.size() - 3),
        std::string("\x12\x34\x81\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01", 17),
        std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01", 18),
        std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3f", 13)}) {
    EXPECT_FALSE(Exchange(dns.port(), bad).has_value()) << "answered a malformed query of " << bad.size() << " bytes";
  }
  std::optional<std::string> r = Exchange(dns.port(), good);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Answers(*r), 1);
}

TEST(DnsResponderTest, TruncatesLargeUdpAnswers) {
  DnsResponder dns("test.");
  dns.SetTxt("big.test", {std::string(400, 'a'), std::string(400, 'b')});
  std::optional<std::string> r = Exchange(dns.port(), Query("big.test", kTxt));
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(U16(*r, 2) & 0x0200, 0);  // TC
  EXPECT_EQ(Answers(*r), 0);
  EXPECT_LE(r->size(), 512u);
}

}  // namespace
}  // namespace certplane::testing

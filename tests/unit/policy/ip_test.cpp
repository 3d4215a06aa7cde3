#include "policy/ip.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace certplane::policy {
namespace {

struct ContainsCase {
  const char* name;
  const char* cidr;
  const char* ip;
  bool contains;
};
void PrintTo(const ContainsCase& c, std::ostream* os) { *os << c.name; }

class CidrContainment : public testing::TestWithParam<ContainsCase> {};

TEST_P(CidrContainment, HoldsPerFamily) {
  std::optional<Cidr> range = ParseCidr(GetParam().cidr);
  std::optional<IpAddress> ip = ParseIp(GetParam().ip);
  ASSERT_TRUE(range) << GetParam().cidr;
  ASSERT_TRUE(ip) << GetParam().ip;
  EXPECT_EQ(Contains(*range, *ip), GetParam().contains);
}

INSTANTIATE_TEST_SUITE_P(
    Ip, CidrContainment,
    testing::Values(ContainsCase{"an_address_inside_a_slash_8", "10.0.0.0/8", "10.200.3.4", true},
                    ContainsCase{"an_address_outside_a_slash_8", "10.0.0.0/8", "11.0.0.1", false},
                    ContainsCase{"the_edge_of_a_slash_20", "192.168.16.0/20", "192.168.31.255", true},
                    ContainsCase{"just_past_a_slash_20", "192.168.16.0/20", "192.168.32.0", false},
                    ContainsCase{"a_host_route", "127.0.0.1/32", "127.0.0.1", true},
                    ContainsCase{"everything_in_slash_0", "0.0.0.0/0", "8.8.8.8", true},
                    ContainsCase{"host_bits_in_the_range_mean_its_network", "10.1.2.3/8", "10.9.9.9", true},
                    ContainsCase{"ipv6_loopback", "::1/128", "::1", true},
                    ContainsCase{"ipv6_written_longhand", "::1/128", "0:0:0:0:0:0:0:1", true},
                    ContainsCase{"an_ipv6_prefix", "fd00::/8", "fd12:3456::1", true},
                    ContainsCase{"outside_an_ipv6_prefix", "fd00::/8", "fe80::1", false},
                    ContainsCase{"an_odd_ipv6_prefix", "2001:db8::/33", "2001:db8:7fff::1", true},
                    ContainsCase{"just_past_an_odd_ipv6_prefix", "2001:db8::/33", "2001:db8:8000::1", false},
                    ContainsCase{"ipv4_is_not_in_an_ipv6_range", "::/0", "10.0.0.1", false},
                    ContainsCase{"ipv4_mapped_ipv6_is_not_in_an_ipv4_range", "10.0.0.0/8", "::ffff:10.0.0.1", false}),
    [](const testing::TestParamInfo<ContainsCase>& i) { return std::string(i.param.name); });

TEST(ParseIp, RefusesWhatIsNotAnAddress) {
  EXPECT_FALSE(ParseIp("10.0.0.256"));
  EXPECT_FALSE(ParseIp("10.0.0"));
  EXPECT_FALSE(ParseIp("010.0.0.1"));
  EXPECT_FALSE(ParseIp("fe80::1%eth0"));
  EXPECT_FALSE(ParseIp("example.com"));
  EXPECT_FALSE(ParseIp(""));
}

TEST(ParseCidr, RefusesBadPrefixes) {
  EXPECT_FALSE(ParseCidr("10.0.0.0/33"));
  EXPECT_FALSE(ParseCidr("::/129"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/8x"));
  EXPECT_FALSE(ParseCidr("10.0.0.0"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/-1"));
}

TEST(CanonicalIp, NormalizesIpv6AndKeepsWhatIsNotAnAddress) {
  EXPECT_EQ(CanonicalIp("fd00:0:0::1"), "fd00::1");
  EXPECT_EQ(CanonicalIp("FD00::1"), "fd00::1");
  EXPECT_EQ(CanonicalIp("10.0.0.12"), "10.0.0.12");
  EXPECT_EQ(CanonicalIp("not-an-ip"), "not-an-ip");
}

}  // namespace
}  // namespace certplane::policy

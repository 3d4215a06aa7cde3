#include "acme/validation/address_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace certplane::acme {
namespace {

using ::testing::HasSubstr;

policy::IpAddress Ip(const std::string& text) {
  std::optional<policy::IpAddress> ip = policy::ParseIp(text);
  EXPECT_TRUE(ip.has_value()) << text;
  return ip.value_or(policy::IpAddress{});
}

struct RefusedCase {
  std::string name;
  std::string ip;
  std::string why;  // a part of WhyRefused
};

class RefusedByDefaultTest : public ::testing::TestWithParam<RefusedCase> {};

TEST_P(RefusedByDefaultTest, IsRefusedAndNamedUnlessAllowlisted) {
  const RefusedCase& c = GetParam();
  const AddressPolicy policy;
  EXPECT_FALSE(policy.Allows(Ip(c.ip)));
  const std::string why = policy.WhyRefused(Ip(c.ip));
  EXPECT_THAT(why, HasSubstr(c.why));
  EXPECT_THAT(why, HasSubstr("acme.validation.allowedCIDRs does not include it"));
  EXPECT_TRUE(why.starts_with(policy::CanonicalIp(c.ip) + " is ")) << why;

  // Opting in with a CIDR that covers the address allows it.
  const policy::IpAddress ip = Ip(c.ip);
  Result<AddressPolicy> opted = AddressPolicy::Parse({ip.v6 ? policy::CanonicalIp(c.ip) + "/128" : c.ip + "/32"});
  ASSERT_TRUE(opted.ok()) << opted.status();
  EXPECT_TRUE(opted->Allows(ip));
  EXPECT_EQ(opted->WhyRefused(ip), "");
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, RefusedByDefaultTest,
    ::testing::Values(
        RefusedCase{"LoopbackV4", "127.0.0.1", "a loopback address"},
        RefusedCase{"LoopbackV4Anywhere", "127.255.0.7", "a loopback address"},
        RefusedCase{"LoopbackV6", "::1", "a loopback address"},
        RefusedCase{"UnspecifiedV4", "0.0.0.0", "the unspecified address"},
        RefusedCase{"UnspecifiedV6", "::", "the unspecified address"},
        RefusedCase{"ThisNetwork", "0.1.2.3", "0.0.0.0/8"},
        RefusedCase{"Rfc1918Ten", "10.1.2.3", "private address (RFC 1918)"},
        RefusedCase{"Rfc1918OneSevenTwo", "172.31.255.254", "private address (RFC 1918)"},
        RefusedCase{"Rfc1918OneNineTwo", "192.168.0.1", "private address (RFC 1918)"},
        RefusedCase{"CarrierGradeNat", "100.64.0.1", "100.64.0.0/10"},
        RefusedCase{"CloudMetadata", "169.254.169.254", "cloud metadata"},
        RefusedCase{"LinkLocalV4", "169.254.1.1", "link-local"},
        RefusedCase{"LinkLocalV6", "fe80::1", "link-local address (fe80::/10)"},
        RefusedCase{"UniqueLocal", "fd00::1", "unique local address (fc00::/7)"},
        RefusedCase{"UniqueLocalFc", "fc00::5", "unique local address"},
        RefusedCase{"SiteLocal", "fec0::1", "site-local"},
        RefusedCase{"MulticastV4", "224.0.0.1", "a multicast address"},
        RefusedCase{"MulticastV6", "ff02::1", "a multicast address"},
        RefusedCase{"Broadcast", "255.255.255.255", "the broadcast address"},
        RefusedCase{"IetfProtocolAssignments", "192.0.0.8", "192.0.0.0/24"},
        RefusedCase{"Benchmarking", "198.19.1.1", "198.18.0.0/15"}, RefusedCase{"Reserved", "240.0.0.1", "240.0.0.0/4"},
        RefusedCase{"MappedLoopback", "::ffff:127.0.0.1", "IPv4-mapped IPv6 address of 127.0.0.1, a loopback address"},
        RefusedCase{"MappedPrivate", "::ffff:10.0.0.1", "IPv4-mapped IPv6 address of 10.0.0.1, a private address"},
        RefusedCase{"CompatiblePrivate", "::192.168.1.1", "IPv4-compatible IPv6 address of 192.168.1.1"},
        RefusedCase{"Nat64Metadata", "64:ff9b::169.254.169.254", "NAT64 address (64:ff9b::/96) of 169.254.169.254"},
        RefusedCase{"LocalUseNat64", "64:ff9b:1::1", "local-use NAT64"},
        RefusedCase{"SixToFourPrivate", "2002:0a00:0001::1", "6to4 address (2002::/16) of 10.0.0.1"}),
    [](const ::testing::TestParamInfo<RefusedCase>& info) { return info.param.name; });

TEST(AddressPolicyTest, AllowsPublicUnicastAddresses) {
  const AddressPolicy policy;
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "203.0.113.7", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
                         "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8"}) {
    EXPECT_TRUE(policy.Allows(Ip(ip))) << ip;
    EXPECT_EQ(policy.WhyRefused(Ip(ip)), "") << ip;
  }
}

TEST(AddressPolicyTest, AllowlistOpensOnlyTheRangesItNames) {
  Result<AddressPolicy> policy = AddressPolicy::Parse({"10.96.0.0/12", "fd00:1::/32"});
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->Allows(Ip("10.96.0.10")));
  EXPECT_TRUE(policy->Allows(Ip("10.111.255.255")));
  EXPECT_FALSE(policy->Allows(Ip("10.112.0.1")));
  EXPECT_FALSE(policy->Allows(Ip("127.0.0.1")));
  EXPECT_FALSE(policy->Allows(Ip("169.254.169.254")));
  EXPECT_TRUE(policy->Allows(Ip("fd00:1::5")));
  EXPECT_FALSE(policy->Allows(Ip("fd00:2::5")));
  EXPECT_TRUE(policy->Allows(Ip("8.8.8.8")));
}

TEST(AddressPolicyTest, AllowlistedIpv4RangeCoversItsIpv6Forms) {
  Result<AddressPolicy> policy = AddressPolicy::Parse({"127.0.0.0/8"});
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(policy->Allows(Ip("127.0.0.1")));
  EXPECT_TRUE(policy->Allows(Ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(policy->Allows(Ip("::1")));  // IPv6 loopback is a different address
}

TEST(AddressPolicyTest, Ipv4AllowlistDoesNotCoverIpv6AndViceVersa) {
  Result<AddressPolicy> policy = AddressPolicy::Parse({"0.0.0.0/0"});
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(policy->Allows(Ip("10.0.0.1")));
  EXPECT_FALSE(policy->Allows(Ip("fd00::1")));
}

TEST(AddressPolicyTest, EmptyAllowlistIsTheDefaultPolicy) {
  Result<AddressPolicy> policy = AddressPolicy::Parse({});
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->Allows(Ip("192.168.1.1")));
  EXPECT_TRUE(policy->Allows(Ip("8.8.4.4")));
}

struct BadCidrCase {
  std::string name;
  std::string entry;
};
class BadCidrTest : public ::testing::TestWithParam<BadCidrCase> {};

TEST_P(BadCidrTest, ParseNamesTheBadEntry) {
  Result<AddressPolicy> policy = AddressPolicy::Parse({"10.0.0.0/8", GetParam().entry});
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(policy.status().message(), HasSubstr("acme.validation.allowedCIDRs[1]"));
  EXPECT_THAT(policy.status().message(), HasSubstr("\"" + GetParam().entry + "\" is not a CIDR range"));
}

INSTANTIATE_TEST_SUITE_P(Entries, BadCidrTest,
                         ::testing::Values(BadCidrCase{"NoPrefix", "10.0.0.1"},
                                           BadCidrCase{"PrefixTooLong", "10.0.0.0/33"},
                                           BadCidrCase{"V6PrefixTooLong", "fd00::/129"},
                                           BadCidrCase{"NotAnAddress", "cluster/8"}, BadCidrCase{"Empty", ""},
                                           BadCidrCase{"NegativePrefix", "10.0.0.0/-1"}),
                         [](const ::testing::TestParamInfo<BadCidrCase>& info) { return info.param.name; });

TEST(IpToStringTest, PrintsCanonicalText) {
  EXPECT_EQ(IpToString(Ip("10.0.0.1")), "10.0.0.1");
  EXPECT_EQ(IpToString(Ip("fd00:0:0::1")), "fd00::1");
  EXPECT_EQ(IpToString(Ip("::ffff:127.0.0.1")), "::ffff:127.0.0.1");
}

}  // namespace
}  // namespace certplane::acme

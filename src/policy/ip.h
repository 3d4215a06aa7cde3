// IP addresses and CIDR ranges, for the template's ipAddresses.allowed and for comparing
// the IPs requested with those in an issued certificate.
//
//   std::optional<IpAddress> ip = ParseIp("10.0.0.12");
//   std::optional<Cidr> net = ParseCidr("10.0.0.0/8");
//   Contains(*net, *ip);                 // true
//   CanonicalIp("0:0::1");               // "::1"
//
// IPv4 and IPv6 are separate families: an IPv4-mapped IPv6 address (::ffff:10.0.0.1) is
// not in 10.0.0.0/8. A CIDR with host bits set ("10.0.0.1/8") means its network.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certplane::policy {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4

  bool operator==(const IpAddress&) const = default;
};

struct Cidr {
  IpAddress network;
  int prefix_length = 0;
};

std::optional<IpAddress> ParseIp(std::string_view text);
std::optional<Cidr> ParseCidr(std::string_view text);
bool Contains(const Cidr& range, const IpAddress& ip);

// The canonical text of an address (RFC 5952 for IPv6), or the input unchanged if it is
// not an address; lets "fd00:0::1" and "fd00::1" compare equal.
std::string CanonicalIp(std::string_view text);

}  // namespace certplane::policy

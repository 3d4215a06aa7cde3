#include "acme/validation/address_policy.h"

#include <arpa/inet.h>

#include <array>
#include <optional>
#include <string_view>
#include <vector>

namespace certplane::acme {
namespace {

using policy::Cidr;
using policy::IpAddress;

struct SpecialRange {
  std::string_view cidr;
  std::string_view what;  // completes "<ip> is ..."
};

// Most specific first: the first range that covers an address names it.
constexpr std::array<SpecialRange, 14> kSpecialV4 = {{
    {"0.0.0.0/32", "the unspecified address"},
    {"255.255.255.255/32", "the broadcast address"},
    {"0.0.0.0/8", "in 0.0.0.0/8 (\"this network\", RFC 791)"},
    {"127.0.0.0/8", "a loopback address"},
    {"10.0.0.0/8", "a private address (RFC 1918)"},
    {"172.16.0.0/12", "a private address (RFC 1918)"},
    {"192.168.0.0/16", "a private address (RFC 1918)"},
    {"100.64.0.0/10", "a shared address (100.64.0.0/10, carrier-grade NAT, RFC 6598)"},
    {"169.254.169.254/32", "the cloud metadata endpoint, a link-local address"},
    {"169.254.0.0/16", "a link-local address (169.254.0.0/16)"},
    {"192.0.0.0/24", "an IETF protocol assignment (192.0.0.0/24, RFC 6890)"},
    {"198.18.0.0/15", "a benchmarking address (198.18.0.0/15, RFC 2544)"},
    {"224.0.0.0/4", "a multicast address"},
    {"240.0.0.0/4", "a reserved address (240.0.0.0/4)"},
}};

constexpr std::array<SpecialRange, 7> kSpecialV6 = {{
    {"::/128", "the unspecified address"},
    {"::1/128", "a loopback address"},
    {"fe80::/10", "a link-local address (fe80::/10)"},
    {"fec0::/10", "a site-local address (fec0::/10, deprecated)"},
    {"fc00::/7", "a unique local address (fc00::/7)"},
    {"ff00::/8", "a multicast address"},
    {"64:ff9b:1::/48", "a local-use NAT64 address (64:ff9b:1::/48, RFC 8215)"},
}};

struct Range {
  Cidr cidr;
  std::string_view what;
};

// The tables, parsed once (function-local statics are initialised thread-safely).
template <std::size_t N>
std::vector<Range> ParseTable(const std::array<SpecialRange, N>& table) {
  std::vector<Range> out;
  out.reserve(N);
  for (const SpecialRange& r : table) out.push_back(Range{*policy::ParseCidr(r.cidr), r.what});
  return out;
}
const std::vector<Range>& V4Ranges() {
  static const std::vector<Range> ranges = ParseTable(kSpecialV4);
  return ranges;
}
const std::vector<Range>& V6Ranges() {
  static const std::vector<Range> ranges = ParseTable(kSpecialV6);
  return ranges;
}

// What an IPv4 address is, or nullopt if it is public unicast.
std::optional<std::string_view> ClassifyV4(const IpAddress& ip) {
  for (const Range& r : V4Ranges()) {
    if (policy::Contains(r.cidr, ip)) return r.what;
  }
  return std::nullopt;
}

IpAddress V4(const std::uint8_t* b) {
  IpAddress v4;
  for (int i = 0; i < 4; ++i) v4.bytes[i] = b[i];
  return v4;
}

// An IPv6 address that carries an IPv4 address the traffic ends up at, and how.
struct Embedded {
  IpAddress v4;
  std::string_view how;
};

std::optional<Embedded> EmbeddedV4(const IpAddress& ip) {
  if (!ip.v6) return std::nullopt;
  const auto& b = ip.bytes;
  auto zero = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      if (b[i] != 0) return false;
    }
    return true;
  };
  if (zero(0, 10) && b[10] == 0xff && b[11] == 0xff) return Embedded{V4(&b[12]), "an IPv4-mapped IPv6 address"};
  // ::/96 minus :: and ::1, which the IPv6 table names.
  if (zero(0, 12) && !zero(12, 15)) return Embedded{V4(&b[12]), "an IPv4-compatible IPv6 address"};
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(4, 12)) {
    return Embedded{V4(&b[12]), "a NAT64 address (64:ff9b::/96)"};
  }
  if (b[0] == 0x20 && b[1] == 0x02) return Embedded{V4(&b[2]), "a 6to4 address (2002::/16)"};
  return std::nullopt;
}

// Why an address is not public unicast ("a loopback address"), or nullopt if it is.
std::optional<std::string> Classify(const IpAddress& ip) {
  if (!ip.v6) {
    std::optional<std::string_view> what = ClassifyV4(ip);
    if (!what) return std::nullopt;
    return std::string(*what);
  }
  for (const Range& r : V6Ranges()) {
    if (policy::Contains(r.cidr, ip)) return std::string(r.what);
  }
  if (std::optional<Embedded> e = EmbeddedV4(ip)) {
    std::optional<std::string_view> what = ClassifyV4(e->v4);
    if (!what) return std::nullopt;
    return std::string(e->how) + " of " + IpToString(e->v4) + ", " + std::string(*what);
  }
  return std::nullopt;
}

}  // namespace

std::string IpToString(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(ip.v6 ? AF_INET6 : AF_INET, ip.bytes.data(), buf, sizeof buf) == nullptr) return "(invalid address)";
  return buf;
}

Result<AddressPolicy> AddressPolicy::Parse(const std::vector<std::string>& allowed_cidrs) {
  AddressPolicy p;
  for (std::size_t i = 0; i < allowed_cidrs.size(); ++i) {
    std::optional<Cidr> c = policy::ParseCidr(allowed_cidrs[i]);
    if (!c) {
      return InvalidArgument("acme.validation.allowedCIDRs[" + std::to_string(i) + "]: \"" + allowed_cidrs[i] +
                             "\" is not a CIDR range (like 10.0.0.0/8 or fd00::/8)");
    }
    p.allowed_.push_back(*c);
  }
  return p;
}

bool AddressPolicy::Allows(const IpAddress& ip) const {
  if (!Classify(ip)) return true;
  for (const Cidr& c : allowed_) {
    if (policy::Contains(c, ip)) return true;
  }
  // An allowlisted IPv4 range also covers the IPv6 forms that reach it.
  if (std::optional<Embedded> e = EmbeddedV4(ip)) {
    for (const Cidr& c : allowed_) {
      if (policy::Contains(c, e->v4)) return true;
    }
  }
  return false;
}

std::string AddressPolicy::WhyRefused(const IpAddress& ip) const {
  if (Allows(ip)) return "";
  std::optional<std::string> what = Classify(ip);
  return IpToString(ip) + " is " + what.value_or("not a public address") +
         "; the profile's acme.validation.allowedCIDRs does not include it";
}

}  // namespace certplane::acme

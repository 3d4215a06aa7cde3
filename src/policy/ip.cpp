#include "policy/ip.h"

#include <arpa/inet.h>

#include <charconv>

namespace certplane::policy {

std::optional<IpAddress> ParseIp(std::string_view text) {
  // inet_pton is pure (no I/O, no name resolution) and strict: no leading zeros in IPv4
  // octets, no zone identifiers.
  const std::string s(text);
  IpAddress ip;
  if (s.find(':') != std::string::npos) {
    if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) != 1) return std::nullopt;
    ip.v6 = true;
    return ip;
  }
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  return ip;
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::optional<IpAddress> ip = ParseIp(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const std::string_view len = text.substr(slash + 1);
  int prefix = -1;
  const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
  if (ec != std::errc() || end != len.data() + len.size() || len.empty() || prefix < 0 ||
      prefix > (ip->v6 ? 128 : 32)) {
    return std::nullopt;
  }
  return Cidr{*ip, prefix};
}

bool Contains(const Cidr& range, const IpAddress& ip) {
  if (range.network.v6 != ip.v6) return false;
  int bits = range.prefix_length;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((range.network.bytes[i] & mask) != (ip.bytes[i] & mask)) return false;
  }
  return true;
}

std::string CanonicalIp(std::string_view text) {
  std::optional<IpAddress> ip = ParseIp(text);
  if (!ip) return std::string(text);
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(ip->v6 ? AF_INET6 : AF_INET, ip->bytes.data(), buf, sizeof buf) == nullptr) return std::string(text);
  return buf;
}

}  // namespace certplane::policy

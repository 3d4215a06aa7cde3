// The per-address halves of http-01 and tls-alpn-01 (internal to acme/validation):
// ChallengeValidator resolves the name and picks the addresses, these talk to one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "acme/problem.h"
#include "acme/validation/net.h"

namespace certplane::acme {

// What the client asked to prove control of.
struct ValidationTarget {
  std::string name;                     // the DNS name, or the IP address text for "ip"
  std::optional<policy::IpAddress> ip;  // set for an "ip" identifier
};

// nullopt when satisfied; a Problem of type connection means "try the next address".
std::optional<Problem> CheckHttp01(const SocketAddress& address, const ValidationTarget& target, std::string_view token,
                                   std::string_view key_authorization, Clock::time_point deadline);
std::optional<Problem> CheckTlsAlpn01(const SocketAddress& address, const ValidationTarget& target,
                                      std::string_view key_authorization, Clock::time_point deadline);

// `s` in double quotes, each byte that is not printable ASCII, '"' or the backslash
// written as \xNN, cut after `max` bytes ("..." then follows the closing quote): safe
// to put a client's or a peer's bytes into a problem detail.
inline std::string Quoted(std::string_view s, std::size_t max = 100) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (s.size() > max) out += "...";
  return out + "\"";
}

// The reverse-mapping name of an address: "4.3.2.1.in-addr.arpa", "...ip6.arpa".
std::string ReverseName(const policy::IpAddress& ip);

}  // namespace certplane::acme

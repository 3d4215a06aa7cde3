// AddressPolicy: which IP addresses an ACME challenge validation may connect to.
//
// The validator connects to whatever address a client's DNS name resolves to. Without a
// policy, anyone allowed to create an order could make the controller open connections
// inside the cluster network (the API server, the cloud metadata endpoint, pods). So only
// public unicast addresses are allowed by default; a profile that validates names inside
// the cluster opts in with CIDRs (acme.validation.allowedCIDRs).
//
//   Result<AddressPolicy> policy = AddressPolicy::Parse({"10.96.0.0/12"});
//   if (!policy.ok()) return policy.status();            // names the bad entry
//   if (!policy->Allows(ip)) log(policy->WhyRefused(ip));
//
// Refused unless a CIDR of the allowlist covers them: loopback, unspecified, RFC 1918,
// 100.64.0.0/10, link-local (169.254.0.0/16 with the cloud metadata endpoints,
// fe80::/10), unique local fc00::/7, site-local fec0::/10, multicast, broadcast,
// 0.0.0.0/8, 192.0.0.0/24, 198.18.0.0/15, 240.0.0.0/4, the local-use NAT64 prefix
// 64:ff9b:1::/48. IPv6 addresses that embed an IPv4 address (IPv4-mapped ::ffff:0:0/96,
// IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the embedded
// IPv4 address, so ::ffff:127.0.0.1 is refused like 127.0.0.1.
//
// Pure and immutable: safe to share between threads.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "policy/ip.h"

namespace certplane::acme {

class AddressPolicy {
 public:
  // The default policy: public unicast addresses only.
  AddressPolicy() = default;

  // A policy that also allows the addresses in `allowed_cidrs` ("10.0.0.0/8", "fd00::/8").
  // InvalidArgument names the entry that is not a CIDR range, by index and value.
  static Result<AddressPolicy> Parse(const std::vector<std::string>& allowed_cidrs);

  bool Allows(const policy::IpAddress& ip) const;

  // Why Allows(ip) is false, for a problem detail: "127.0.0.1 is a loopback address; the
  // profile's acme.validation.allowedCIDRs does not include it". Empty if it is allowed.
  std::string WhyRefused(const policy::IpAddress& ip) const;

 private:
  std::vector<policy::Cidr> allowed_;
};

// The text of an address ("10.0.0.1", "fd00::1").
std::string IpToString(const policy::IpAddress& ip);

}  // namespace certplane::acme

// name_constraints.h: NameConstraints for CA certificates (RFC 5280 4.2.1.10), which
// limit the names any certificate below the CA may carry.
//
//   NameConstraints nc;
//   nc.permitted.dns_domains = {"shop.svc.cluster.local"};  // it and its subdomains
//   nc.permitted.ip_ranges = {"10.0.0.0/8", "fd00::/8"};
//   nc.excluded.dns_domains = {"admin.shop.svc.cluster.local"};
//   ca_spec.name_constraints = nc;
//
// The extension is always marked critical, as RFC 5280 requires.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace certplane::pki {

struct NameSubtrees {
  // A DNS name: matches itself and every name below it.
  std::vector<std::string> dns_domains;
  // A CIDR block: "10.0.0.0/8", "fd00::/8".
  std::vector<std::string> ip_ranges;
  // A mailbox ("ops@acme.example"), a host ("acme.example") or a domain (".acme.example").
  std::vector<std::string> email_addresses;
  // The host part of URIs: "acme.example" (that host) or ".acme.example" (hosts below).
  std::vector<std::string> uri_domains;

  bool empty() const {
    return dns_domains.empty() && ip_ranges.empty() && email_addresses.empty() && uri_domains.empty();
  }
  friend bool operator==(const NameSubtrees&, const NameSubtrees&) = default;
};

struct NameConstraints {
  NameSubtrees permitted;
  NameSubtrees excluded;

  bool empty() const { return permitted.empty() && excluded.empty(); }
  friend bool operator==(const NameConstraints&, const NameConstraints&) = default;
};

// OK, or InvalidArgument naming the first malformed entry, e.g.
// "permitted.ipRanges[0] \"10.0.0.1/8\": host bits set".
Status ValidateNameConstraints(const NameConstraints& constraints);

// The address and mask octets of a CIDR block as a NameConstraints iPAddress holds them
// (RFC 5280: 8 octets for IPv4, 32 for IPv6); InvalidArgument for a malformed block or
// one with host bits set.
Status ParseCidr(std::string_view cidr, std::string* address_and_mask);

}  // namespace certplane::pki

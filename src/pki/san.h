// san.h: subject alternative names (RFC 5280 4.2.1.6) and the syntax checks applied to
// them before they are put into a certificate or CSR.
//
//   SubjectAltNames sans;
//   sans.dns_names = {"frontend.shop.svc", "*.frontend.shop.svc.cluster.local"};
//   sans.ip_addresses = {"10.0.0.7", "fd00::7"};
//   sans.uris = {"spiffe://cluster.local/ns/shop/sa/frontend"};
//   if (Status s = ValidateSubjectAltNames(sans); !s.ok()) return s;
//
// The checks are syntax only (the policy layer decides what is allowed): DNS names are
// LDH labels of 1..63 octets, at most 253 octets, with at most a "*" as the whole
// leftmost label; IP addresses are IPv4 or IPv6 literals; URIs are absolute (RFC 3986
// scheme) and 7-bit; emails are "local@domain" with a DNS domain. Internationalized
// names must be given in their ASCII form (A-labels, percent-encoding).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace certplane::pki {

struct SubjectAltNames {
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // text form; parsed certificates give the canonical form
  std::vector<std::string> uris;
  std::vector<std::string> email_addresses;

  bool empty() const { return dns_names.empty() && ip_addresses.empty() && uris.empty() && email_addresses.empty(); }
  friend bool operator==(const SubjectAltNames&, const SubjectAltNames&) = default;
};

// Each returns OK or InvalidArgument saying what is wrong with `value`.
Status ValidateDnsName(std::string_view value);
Status ValidateIpAddress(std::string_view value);
Status ValidateUri(std::string_view value);
Status ValidateEmailAddress(std::string_view value);

// OK, or InvalidArgument naming the first invalid entry, e.g.
// "dnsNames[1] \"a..b\": empty label".
Status ValidateSubjectAltNames(const SubjectAltNames& names);

}  // namespace certplane::pki

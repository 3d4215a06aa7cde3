#include "pki/name_constraints.h"

#include <arpa/inet.h>

#include <charconv>

#include "base/result.h"
#include "pki/san.h"

namespace certplane::pki {
namespace {

Status CheckDomainPattern(std::string_view value) {
  std::string_view host = value;
  if (host.starts_with('.')) host.remove_prefix(1);
  if (host.find('*') != std::string_view::npos) {
    return InvalidArgument("\"" + std::string(value) + "\": wildcards have no meaning in name constraints");
  }
  return ValidateDnsName(host);
}

Status CheckEmailPattern(std::string_view value) {
  if (value.find('@') != std::string_view::npos) return ValidateEmailAddress(value);
  return CheckDomainPattern(value);
}

Status CheckCidr(std::string_view value) {
  std::string unused;
  return ParseCidr(value, &unused);
}

Status CheckSubtrees(const NameSubtrees& s, std::string_view which) {
  auto each = [&](const std::vector<std::string>& values, std::string_view field, auto&& fn) {
    for (size_t i = 0; i < values.size(); ++i) {
      Status st = fn(values[i]);
      if (!st.ok())
        return st.WithContext(std::string(which) + "." + std::string(field) + "[" + std::to_string(i) + "]");
    }
    return Status::Ok();
  };
  CERTPLANE_RETURN_IF_ERROR(each(s.dns_domains, "dnsDomains", [](std::string_view v) {
    if (v.starts_with('.')) return InvalidArgument("\"" + std::string(v) + "\": a DNS constraint has no leading dot");
    return CheckDomainPattern(v);
  }));
  CERTPLANE_RETURN_IF_ERROR(each(s.ip_ranges, "ipRanges", CheckCidr));
  CERTPLANE_RETURN_IF_ERROR(each(s.email_addresses, "emailAddresses", CheckEmailPattern));
  CERTPLANE_RETURN_IF_ERROR(each(s.uri_domains, "uriDomains", CheckDomainPattern));
  return Status::Ok();
}

}  // namespace

Status ParseCidr(std::string_view cidr, std::string* address_and_mask) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("\"" + std::string(cidr) + "\": " + std::string(why));
  };
  size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return bad("not a CIDR block (address/prefix)");
  std::string address(cidr.substr(0, slash));
  std::string_view prefix_text = cidr.substr(slash + 1);
  unsigned char addr[16] = {};
  size_t len = 0;
  if (address.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, address.c_str(), addr) != 1) return bad("not an IPv4 address");
    len = 4;
  } else {
    if (inet_pton(AF_INET6, address.c_str(), addr) != 1) return bad("not an IPv6 address");
    len = 16;
  }
  unsigned prefix = 0;
  auto [end, ec] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  if (ec != std::errc() || end != prefix_text.data() + prefix_text.size() || prefix_text.empty() || prefix > len * 8) {
    return bad("prefix length out of range");
  }
  unsigned char mask[16] = {};
  for (unsigned bit = 0; bit < prefix; ++bit) mask[bit / 8] |= static_cast<unsigned char>(0x80 >> (bit % 8));
  for (size_t i = 0; i < len; ++i) {
    if ((addr[i] & ~mask[i]) != 0) return bad("host bits set (write the network address)");
  }
  address_and_mask->assign(reinterpret_cast<const char*>(addr), len);
  address_and_mask->append(reinterpret_cast<const char*>(mask), len);
  return Status::Ok();
}

Status ValidateNameConstraints(const NameConstraints& constraints) {
  CERTPLANE_RETURN_IF_ERROR(CheckSubtrees(constraints.permitted, "permitted"));
  CERTPLANE_RETURN_IF_ERROR(CheckSubtrees(constraints.excluded, "excluded"));
  return Status::Ok();
}

}  // namespace certplane::pki

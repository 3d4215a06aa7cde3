// name.h: the subject and issuer distinguished names of certificates and CSRs.
//
//   DistinguishedName subject;
//   subject.common_name = "frontend.shop.svc";
//   subject.organizations = {"Acme Inc."};
//   subject.country = "DE";
//
// Attributes are encoded in the conventional order C, ST, L, O, OU, CN, serialNumber;
// countryName and serialNumber as PrintableString, the rest as UTF8String (RFC 5280
// 4.1.2.4). Values are checked against the upper bounds of RFC 5280 Appendix A (CN, O,
// OU, serialNumber: 64; L, ST: 128) when a certificate or CSR is built.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace certplane::pki {

struct DistinguishedName {
  std::string common_name;                        // CN
  std::vector<std::string> organizations;         // O
  std::vector<std::string> organizational_units;  // OU
  std::string country;                            // C: two letters, ISO 3166
  std::string province;                           // ST
  std::string locality;                           // L
  std::string serial_number;                      // serialNumber (the subject's, not the certificate's)

  bool empty() const {
    return common_name.empty() && organizations.empty() && organizational_units.empty() && country.empty() &&
           province.empty() && locality.empty() && serial_number.empty();
  }
  friend bool operator==(const DistinguishedName&, const DistinguishedName&) = default;
};

// OK, or InvalidArgument naming the attribute: an empty list element, a value over its
// upper bound, a country that is not two letters, a serialNumber outside the
// PrintableString alphabet, or invalid UTF-8.
Status ValidateDistinguishedName(const DistinguishedName& name);

}  // namespace certplane::pki

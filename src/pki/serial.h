// serial.h: certificate serial numbers (RFC 5280 4.1.2.2).
//
//   Result<SerialNumber> serial = SerialNumber::Random();
//   status.serial = serial->ToHex();                 // "5f0c...", 32 hex digits
//   Result<SerialNumber> back = SerialNumber::FromHex(status.serial);
//
// Random() draws 126 bits from OpenSSL's DRBG into 16 octets whose top bit is clear
// (so the DER INTEGER is positive without a padding octet) and whose next bit is set
// (so every serial is exactly 16 octets). That is well above RFC 5280's 20-octet limit
// and the CA/Browser Forum's 64 bits of entropy, and needs no coordination between
// controller replicas.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "base/result.h"
#include "pki/types.h"

namespace certplane::pki {

class SerialNumber {
 public:
  // A fresh random serial; Internal only if the DRBG fails.
  static Result<SerialNumber> Random();
  // From a non-negative big-endian magnitude; leading zero octets are dropped.
  // InvalidArgument when empty or longer than 20 octets.
  static Result<SerialNumber> FromBytes(ByteView big_endian);
  // From hex digits, optionally separated by ':' (as openssl prints them); case does not
  // matter. InvalidArgument for other characters or more than 20 octets.
  static Result<SerialNumber> FromHex(std::string_view hex);

  // Big-endian magnitude without leading zero octets ({0} for zero).
  const Bytes& bytes() const { return bytes_; }
  // Lowercase hex of bytes(), e.g. "5f0c1a"; the form certplane writes in status.
  std::string ToHex() const;

  friend bool operator==(const SerialNumber&, const SerialNumber&) = default;
  // Numeric order.
  friend std::strong_ordering operator<=>(const SerialNumber& a, const SerialNumber& b);

 private:
  explicit SerialNumber(Bytes bytes) : bytes_(std::move(bytes)) {}
  Bytes bytes_;
};

}  // namespace certplane::pki

// types.h: the vocabulary types shared by the PKI engine's headers.
//
//   Bytes der = cert.ToDer();                 // owned binary data
//   Result<Certificate> again = ParseCertificateDer(der);  // ByteView accepts it
//   TimePoint now = std::chrono::system_clock::now();      // the clock seam
//
// Every function that depends on the current time takes a TimePoint argument instead
// of reading the clock, so tests pin time and the operator passes its injected clock's
// Now(). X.509 times have whole seconds: sub-second parts are truncated when encoded.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace certplane::pki {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using TimePoint = std::chrono::system_clock::time_point;

}  // namespace certplane::pki

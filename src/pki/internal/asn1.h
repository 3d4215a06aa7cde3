// internal/asn1.h: small conversions between OpenSSL's ASN.1 and BIO types and ours,
// shared by the PKI engine's .cpp files. Not part of the public API.
#pragma once

#include <algorithm>
#include <climits>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "pki/errors.h"
#include "pki/handles.h"
#include "pki/types.h"

namespace certplane::pki::internal {

// A read-only memory BIO over `data`, which must outlive it.
Result<BioPtr> ReadOnlyBio(ByteView data);
Result<BioPtr> ReadOnlyBio(std::string_view data);

// A fresh writable memory BIO; SecureMemoryBio() cleanses its buffer on free, for
// private key text.
Result<BioPtr> MemoryBio();
Result<BioPtr> SecureMemoryBio();

// What a memory BIO holds.
std::string BioContents(BIO* bio);
SensitiveString SensitiveBioContents(BIO* bio);

// Encodes a time as RFC 5280 4.1.2.5 requires: UTCTime for 1950 through 2049,
// GeneralizedTime otherwise, always in whole seconds with 'Z'. Fails for times before
// year 1950 or after 9999.
Result<Asn1TimePtr> ToAsn1Time(TimePoint t);
// The instant an ASN.1 time names; InvalidArgument if it is malformed.
Result<TimePoint> FromAsn1Time(const ASN1_TIME* t);

// The bytes of an ASN.1 string as a std::string (may contain NUL for hostile input).
std::string Asn1StringText(const ASN1_STRING* s);
// A new IA5String holding `text`; InvalidArgument unless `text` is 7-bit ASCII.
Result<Asn1Ia5StringPtr> MakeIa5String(std::string_view text, std::string_view field);

// DER-encodes `obj` with an i2d function.
template <typename T, typename I2d>
Result<Bytes> EncodeDer(T* obj, I2d i2d, std::string_view what) {
  int len = i2d(obj, nullptr);
  if (len <= 0) return OpenSslError(StatusCode::kInternal, std::string("encoding ") + std::string(what));
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d(obj, &p) != len) return OpenSslError(StatusCode::kInternal, std::string("encoding ") + std::string(what));
  return out;
}

// Whether decoding insists on DER: kDer refuses any input that does not re-encode to the
// same bytes (BER indefinite lengths, non-minimal lengths, unsorted SETs), so a signed
// object (certificate, CSR, CRL) that is accepted is exactly what gets re-published.
// kBer is for unsigned containers whose producers vary: keys (tools differ in optional
// fields) and PKCS#12 (Java and Windows write BER).
enum class Encoding { kDer, kBer };

// Decodes exactly one object with a d2i function into an owning pointer Ptr, re-encoding
// it with `i2d` to check the encoding is DER (unless `encoding` is kBer).
// InvalidArgument (with OpenSSL's reason) if the bytes are not one well-formed object,
// if anything follows it, or if it is not DER.
template <typename Ptr, typename D2i, typename I2d>
Result<Ptr> DecodeDer(ByteView der, D2i d2i, I2d i2d, std::string_view what, Encoding encoding = Encoding::kDer) {
  ClearOpenSslErrors();
  if (der.empty()) return InvalidArgument(std::string(what) + ": input is empty");
  if (der.size() > static_cast<size_t>(LONG_MAX)) return InvalidArgument(std::string(what) + ": input too large");
  const unsigned char* p = der.data();
  Ptr obj(d2i(nullptr, &p, static_cast<long>(der.size())));
  if (!obj) return OpenSslError(StatusCode::kInvalidArgument, std::string("malformed DER in ") + std::string(what));
  size_t used = static_cast<size_t>(p - der.data());
  if (used != der.size()) {
    return InvalidArgument(std::string(what) + ": " + std::to_string(der.size() - used) +
                           " unexpected bytes after the DER object");
  }
  if (encoding == Encoding::kDer) {
    Result<Bytes> again = EncodeDer(obj.get(), i2d, what);
    if (!again.ok()) return again.status();
    if (!std::equal(again->begin(), again->end(), der.begin(), der.end())) {
      return InvalidArgument(std::string(what) + ": not DER (BER or a non-canonical encoding)");
    }
  }
  return obj;
}

}  // namespace certplane::pki::internal

#include "pki/internal/asn1.h"

#include <chrono>
#include <ctime>

namespace certplane::pki::internal {

Result<BioPtr> ReadOnlyBio(ByteView data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return InvalidArgument("input larger than 2 GiB");
  // An empty span may have no buffer at all; BIO_new_mem_buf refuses a null pointer.
  static constexpr std::uint8_t kEmpty[1] = {0};
  BioPtr bio(BIO_new_mem_buf(data.empty() ? kEmpty : data.data(), static_cast<int>(data.size())));
  if (!bio) return OpenSslError(StatusCode::kInternal, "allocating a memory BIO");
  return bio;
}

Result<BioPtr> ReadOnlyBio(std::string_view data) {
  return ReadOnlyBio(ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Result<BioPtr> MemoryBio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpenSslError(StatusCode::kInternal, "allocating a memory BIO");
  return bio;
}

Result<BioPtr> SecureMemoryBio() {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return OpenSslError(StatusCode::kInternal, "allocating a secure memory BIO");
  return bio;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

SensitiveString SensitiveBioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return SensitiveString(std::string_view(data, static_cast<size_t>(len)));
}

Result<Asn1TimePtr> ToAsn1Time(TimePoint t) {
  using namespace std::chrono;
  auto secs = time_point_cast<seconds>(t);
  if (t < secs) secs -= seconds(1);  // floor for times before the epoch
  const auto days = floor<std::chrono::days>(secs);
  const year_month_day ymd(days);
  if (ymd.year() < year(1950) || ymd.year() > year(9999)) {
    return InvalidArgument("time outside the years 1950..9999 that X.509 can encode");
  }
  // ASN1_TIME_set picks UTCTime for 1950..2049 and GeneralizedTime otherwise, which is
  // exactly RFC 5280's rule.
  Asn1TimePtr out(ASN1_TIME_set(nullptr, static_cast<time_t>(secs.time_since_epoch().count())));
  if (!out) return OpenSslError(StatusCode::kInternal, "encoding a time");
  return out;
}

Result<TimePoint> FromAsn1Time(const ASN1_TIME* t) {
  using namespace std::chrono;
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "malformed time");
  }
  const year_month_day ymd{year(tm.tm_year + 1900), month(static_cast<unsigned>(tm.tm_mon + 1)),
                           day(static_cast<unsigned>(tm.tm_mday))};
  if (!ymd.ok()) return InvalidArgument("malformed time: no such date");
  return TimePoint(sys_days(ymd)) + hours(tm.tm_hour) + minutes(tm.tm_min) + seconds(tm.tm_sec);
}

std::string Asn1StringText(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  const unsigned char* data = ASN1_STRING_get0_data(s);
  int len = ASN1_STRING_length(s);
  if (data == nullptr || len <= 0) return {};
  return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
}

Result<Asn1Ia5StringPtr> MakeIa5String(std::string_view text, std::string_view field) {
  for (unsigned char c : text) {
    if (c >= 0x80 || c == 0) {
      return InvalidArgument(std::string(field) + " \"" + std::string(text) +
                             "\" is not 7-bit ASCII (IA5String); encode it first (punycode, percent-encoding)");
    }
  }
  Asn1Ia5StringPtr s(ASN1_IA5STRING_new());
  if (!s || ASN1_STRING_set(s.get(), text.data(), static_cast<int>(text.size())) != 1) {
    return OpenSslError(StatusCode::kInternal, "allocating an IA5String");
  }
  return s;
}

}  // namespace certplane::pki::internal

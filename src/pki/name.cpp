#include "pki/name.h"

#include "base/result.h"

#include <cctype>
#include <cstdint>
#include <cstring>

#include <openssl/objects.h>

#include "pki/errors.h"
#include "pki/internal/asn1.h"
#include "pki/internal/name.h"

namespace certplane::pki {
namespace {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;  // overlong, surrogate
    if (cp == 0) return false;  // an embedded NUL is never meant
    i += extra + 1;
  }
  return true;
}

// Characters of the PrintableString alphabet (X.680 41.4).
bool IsPrintableString(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          std::strchr(" '()+,-./:=?", c) != nullptr) ||
        c == '\0') {
      return false;
    }
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

Status CheckValue(std::string_view attribute, std::string_view value, size_t max_chars) {
  if (value.empty()) return InvalidArgument("subject " + std::string(attribute) + " is empty");
  if (!IsValidUtf8(value)) return InvalidArgument("subject " + std::string(attribute) + " is not valid UTF-8");
  if (Utf8Length(value) > max_chars) {
    return InvalidArgument("subject " + std::string(attribute) + " is longer than " + std::to_string(max_chars) +
                           " characters (RFC 5280 upper bound)");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateDistinguishedName(const DistinguishedName& name) {
  if (!name.country.empty()) {
    const std::string& c = name.country;
    if (c.size() != 2 || !std::isupper(static_cast<unsigned char>(c[0])) ||
        !std::isupper(static_cast<unsigned char>(c[1]))) {
      return InvalidArgument("subject country \"" + c + "\" is not a two-letter ISO 3166 code (e.g. DE)");
    }
  }
  if (!name.province.empty()) CERTPLANE_RETURN_IF_ERROR(CheckValue("province (ST)", name.province, 128));
  if (!name.locality.empty()) CERTPLANE_RETURN_IF_ERROR(CheckValue("locality (L)", name.locality, 128));
  for (const std::string& o : name.organizations) CERTPLANE_RETURN_IF_ERROR(CheckValue("organization (O)", o, 64));
  for (const std::string& ou : name.organizational_units) {
    CERTPLANE_RETURN_IF_ERROR(CheckValue("organizational unit (OU)", ou, 64));
  }
  if (!name.common_name.empty()) CERTPLANE_RETURN_IF_ERROR(CheckValue("common name (CN)", name.common_name, 64));
  if (!name.serial_number.empty()) {
    CERTPLANE_RETURN_IF_ERROR(CheckValue("serialNumber", name.serial_number, 64));
    if (!IsPrintableString(name.serial_number)) {
      return InvalidArgument("subject serialNumber has characters outside the PrintableString alphabet");
    }
  }
  return Status::Ok();
}

namespace internal {

Result<X509NamePtr> BuildX509Name(const DistinguishedName& name) {
  X509NamePtr out(X509_NAME_new());
  if (!out) return OpenSslError(StatusCode::kInternal, "allocating a name");
  CERTPLANE_RETURN_IF_ERROR(FillX509Name(name, out.get()));
  return out;
}

Status FillX509Name(const DistinguishedName& name, X509_NAME* out) {
  CERTPLANE_RETURN_IF_ERROR(ValidateDistinguishedName(name));
  ClearOpenSslErrors();
  auto add = [&](int nid, const std::string& value) -> Status {
    // MBSTRING_UTF8 input; OpenSSL's string table picks PrintableString for C and
    // serialNumber and UTF8String (the default mask "utf8only") for the others.
    if (X509_NAME_add_entry_by_NID(out, nid, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      return OpenSslError(StatusCode::kInvalidArgument, std::string("encoding subject ") + OBJ_nid2sn(nid));
    }
    return Status::Ok();
  };
  if (!name.country.empty()) CERTPLANE_RETURN_IF_ERROR(add(NID_countryName, name.country));
  if (!name.province.empty()) CERTPLANE_RETURN_IF_ERROR(add(NID_stateOrProvinceName, name.province));
  if (!name.locality.empty()) CERTPLANE_RETURN_IF_ERROR(add(NID_localityName, name.locality));
  for (const std::string& o : name.organizations) CERTPLANE_RETURN_IF_ERROR(add(NID_organizationName, o));
  for (const std::string& ou : name.organizational_units)
    CERTPLANE_RETURN_IF_ERROR(add(NID_organizationalUnitName, ou));
  if (!name.common_name.empty()) CERTPLANE_RETURN_IF_ERROR(add(NID_commonName, name.common_name));
  if (!name.serial_number.empty()) CERTPLANE_RETURN_IF_ERROR(add(NID_serialNumber, name.serial_number));
  return Status::Ok();
}

DistinguishedName ReadX509Name(const X509_NAME* name) {
  DistinguishedName out;
  if (name == nullptr) return out;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    std::string value;
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0) {
      OpenSslBuffer<unsigned char> owned(utf8);  // ASN1_STRING_to_UTF8 allocated it
      value.assign(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    } else {
      ClearOpenSslErrors();
      value = Asn1StringText(data);
    }
    switch (nid) {
      case NID_commonName: out.common_name = value; break;
      case NID_organizationName: out.organizations.push_back(value); break;
      case NID_organizationalUnitName: out.organizational_units.push_back(value); break;
      case NID_countryName: out.country = value; break;
      case NID_stateOrProvinceName: out.province = value; break;
      case NID_localityName: out.locality = value; break;
      case NID_serialNumber: out.serial_number = value; break;
      default: break;
    }
  }
  return out;
}

std::string X509NameText(const X509_NAME* name) {
  Result<BioPtr> bio = MemoryBio();
  if (!bio.ok() || name == nullptr) return {};
  if (X509_NAME_print_ex(bio->get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    ClearOpenSslErrors();
    return {};
  }
  return BioContents(bio->get());
}

}  // namespace internal
}  // namespace certplane::pki

#include "pki/internal/x509v3.h"

#include <arpa/inet.h>

#include <algorithm>
#include <bit>

#include <openssl/objects.h>

#include "pki/errors.h"
#include "pki/internal/asn1.h"
#include "pki/internal/hex.h"

namespace certplane::pki::internal {
namespace {

// Hands the built structure over to an ExtensionValue, freed by its NID's method.
template <typename Ptr>
Result<ExtensionValue> Value(int nid, bool critical, Ptr value, std::string_view what) {
  const X509V3_EXT_METHOD* method = X509V3_EXT_get_nid(nid);
  if (method == nullptr) return Internal("no OpenSSL method for the " + std::string(what) + " extension");
  // The ExtensionValue owns the structure now.
  return ExtensionValue{nid, critical, X509v3ExtValuePtr(value.release(), X509v3ExtValueFree{method}), what};
}

Status AllocationFailed(std::string_view what) {
  return OpenSslError(StatusCode::kInternal, "allocating " + std::string(what));
}

// Puts a value into an empty GENERAL_NAME (one that GENERAL_NAME_new or an enclosing
// structure's *_new allocated, whose type is still unset). For GEN_IPADD, `value`
// holds the raw octets.
Status FillGeneralName(GENERAL_NAME* gn, int type, std::string_view value, std::string_view field) {
  if (type == GEN_IPADD) {
    Asn1OctetStringPtr octets(ASN1_OCTET_STRING_new());
    if (!octets || ASN1_OCTET_STRING_set(octets.get(), reinterpret_cast<const unsigned char*>(value.data()),
                                         static_cast<int>(value.size())) != 1) {
      return AllocationFailed("an iPAddress");
    }
    GENERAL_NAME_set0_value(gn, type, octets.release());  // the GENERAL_NAME owns the octets now
    return Status::Ok();
  }
  Result<Asn1Ia5StringPtr> ia5 = MakeIa5String(value, field);
  if (!ia5.ok()) return ia5.status();
  GENERAL_NAME_set0_value(gn, type, ia5->release());  // the GENERAL_NAME owns the string now
  return Status::Ok();
}

Status PushGeneralName(GENERAL_NAMES* names, int type, std::string_view value, std::string_view field) {
  GeneralNamePtr gn(GENERAL_NAME_new());
  if (!gn) return AllocationFailed("a GeneralName");
  CERTPLANE_RETURN_IF_ERROR(FillGeneralName(gn.get(), type, value, field));
  if (sk_GENERAL_NAME_push(names, gn.get()) <= 0) return AllocationFailed("a GeneralName");
  (void)gn.release();  // the GENERAL_NAMES stack owns it now
  return Status::Ok();
}

Result<std::string> IpOctets(std::string_view text) {
  std::string s(text);
  unsigned char buf[16];
  if (s.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, s.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  } else if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    return std::string(reinterpret_cast<char*>(buf), 16);
  }
  return InvalidArgument("\"" + s + "\": not an IPv4 or IPv6 address");
}

Result<GeneralNamesPtr> MakeUriNames(const std::vector<std::string>& uris, std::string_view field) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return AllocationFailed("GeneralNames");
  for (size_t i = 0; i < uris.size(); ++i) {
    std::string f = std::string(field) + "[" + std::to_string(i) + "]";
    if (Status s = ValidateUri(uris[i]); !s.ok()) return s.WithContext(f);
    CERTPLANE_RETURN_IF_ERROR(PushGeneralName(names.get(), GEN_URI, uris[i], f));
  }
  return names;
}

Result<DistPointNamePtr> MakeFullName(const std::vector<std::string>& uris, std::string_view field) {
  Result<GeneralNamesPtr> names = MakeUriNames(uris, field);
  if (!names.ok()) return names.status();
  DistPointNamePtr name(DIST_POINT_NAME_new());
  if (!name) return AllocationFailed("a DistributionPointName");
  name->type = 0;                          // fullName
  name->name.fullname = names->release();  // the DIST_POINT_NAME owns the names now
  return name;
}

std::string IpText(const ASN1_OCTET_STRING* octets) {
  const unsigned char* data = ASN1_STRING_get0_data(octets);
  int len = ASN1_STRING_length(octets);
  char buf[INET6_ADDRSTRLEN] = {};
  if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof(buf)) != nullptr) return buf;
  if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof(buf)) != nullptr) return buf;
  return {};
}

std::string CidrText(const ASN1_OCTET_STRING* octets) {
  const unsigned char* data = ASN1_STRING_get0_data(octets);
  int len = ASN1_STRING_length(octets);
  if (len != 8 && len != 32)
    return "<malformed iPAddress constraint " + LowerHex(ByteView(data, static_cast<size_t>(len))) + ">";
  int half = len / 2;
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(half == 4 ? AF_INET : AF_INET6, data, buf, sizeof(buf));
  int prefix = 0;
  for (int i = half; i < len; ++i) prefix += std::popcount(static_cast<unsigned>(data[i]));
  return std::string(buf) + "/" + std::to_string(prefix);
}

Status AddSubtrees(STACK_OF(GENERAL_SUBTREE) * *out, const NameSubtrees& subtrees) {
  if (subtrees.empty()) return Status::Ok();
  *out = sk_GENERAL_SUBTREE_new_null();  // the NAME_CONSTRAINTS owns the stack from here
  if (*out == nullptr) return AllocationFailed("GeneralSubtrees");
  auto add = [&](int type, std::string_view value, std::string_view field) -> Status {
    GeneralSubtreePtr subtree(GENERAL_SUBTREE_new());
    if (!subtree) return AllocationFailed("a GeneralSubtree");
    CERTPLANE_RETURN_IF_ERROR(FillGeneralName(subtree->base, type, value, field));
    if (sk_GENERAL_SUBTREE_push(*out, subtree.get()) <= 0) return AllocationFailed("a GeneralSubtree");
    (void)subtree.release();  // the GeneralSubtrees stack owns it now
    return Status::Ok();
  };
  for (const std::string& d : subtrees.dns_domains) CERTPLANE_RETURN_IF_ERROR(add(GEN_DNS, d, "dnsDomains"));
  for (const std::string& cidr : subtrees.ip_ranges) {
    std::string octets;
    CERTPLANE_RETURN_IF_ERROR(ParseCidr(cidr, &octets));
    CERTPLANE_RETURN_IF_ERROR(add(GEN_IPADD, octets, "ipRanges"));
  }
  for (const std::string& e : subtrees.email_addresses) CERTPLANE_RETURN_IF_ERROR(add(GEN_EMAIL, e, "emailAddresses"));
  for (const std::string& u : subtrees.uri_domains) CERTPLANE_RETURN_IF_ERROR(add(GEN_URI, u, "uriDomains"));
  return Status::Ok();
}

NameSubtrees ReadSubtrees(const STACK_OF(GENERAL_SUBTREE) * subtrees) {
  NameSubtrees out;
  for (int i = 0; i < sk_GENERAL_SUBTREE_num(subtrees); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_SUBTREE_value(subtrees, i)->base;
    switch (gn->type) {
      case GEN_DNS: out.dns_domains.push_back(Asn1StringText(gn->d.dNSName)); break;
      case GEN_IPADD: out.ip_ranges.push_back(CidrText(gn->d.iPAddress)); break;
      case GEN_EMAIL: out.email_addresses.push_back(Asn1StringText(gn->d.rfc822Name)); break;
      case GEN_URI: out.uri_domains.push_back(Asn1StringText(gn->d.uniformResourceIdentifier)); break;
      default: break;
    }
  }
  return out;
}

int EkuNid(ExtendedKeyUsage usage) {
  switch (usage) {
    case ExtendedKeyUsage::kServerAuth: return NID_server_auth;
    case ExtendedKeyUsage::kClientAuth: return NID_client_auth;
    case ExtendedKeyUsage::kCodeSigning: return NID_code_sign;
    case ExtendedKeyUsage::kEmailProtection: return NID_email_protect;
    case ExtendedKeyUsage::kTimeStamping: return NID_time_stamp;
    case ExtendedKeyUsage::kOcspSigning: return NID_OCSP_sign;
  }
  return NID_undef;
}

}  // namespace

Result<ExtensionValue> MakeBasicConstraints(bool is_ca, std::optional<int> path_len) {
  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) return AllocationFailed("BasicConstraints");
  bc->ca = is_ca ? 0xff : 0;  // DER BOOLEAN TRUE; FALSE is the DEFAULT and so omitted
  if (path_len.has_value()) {
    Asn1IntegerPtr n(ASN1_INTEGER_new());
    if (!n || ASN1_INTEGER_set_int64(n.get(), *path_len) != 1) return AllocationFailed("pathLenConstraint");
    bc->pathlen = n.release();  // the BASIC_CONSTRAINTS owns it now
  }
  return Value(NID_basic_constraints, /*critical=*/true, std::move(bc), "BasicConstraints");
}

Result<ExtensionValue> MakeKeyUsage(const std::vector<KeyUsage>& usages) {
  Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits) return AllocationFailed("KeyUsage");
  for (KeyUsage u : usages) {
    // set_bit keeps the string minimal, and i2d computes the unused-bits count from
    // the last set bit, so the encoding is DER (no trailing zero bits).
    if (ASN1_BIT_STRING_set_bit(bits.get(), static_cast<int>(u), 1) != 1) return AllocationFailed("KeyUsage");
  }
  return Value(NID_key_usage, /*critical=*/true, std::move(bits), "KeyUsage");
}

Result<ExtensionValue> MakeExtendedKeyUsage(const std::vector<ExtendedKeyUsage>& usages) {
  ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  if (!eku) return AllocationFailed("ExtendedKeyUsage");
  std::vector<ExtendedKeyUsage> seen;
  for (ExtendedKeyUsage u : usages) {
    if (std::find(seen.begin(), seen.end(), u) != seen.end()) continue;
    seen.push_back(u);
    // OBJ_nid2obj returns OpenSSL's static object; freeing the stack leaves it alone.
    if (sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(EkuNid(u))) <= 0) return AllocationFailed("ExtendedKeyUsage");
  }
  return Value(NID_ext_key_usage, /*critical=*/false, std::move(eku), "ExtendedKeyUsage");
}

Result<ExtensionValue> MakeSubjectAltName(const SubjectAltNames& names, bool critical) {
  CERTPLANE_RETURN_IF_ERROR(ValidateSubjectAltNames(names));
  GeneralNamesPtr gens(sk_GENERAL_NAME_new_null());
  if (!gens) return AllocationFailed("GeneralNames");
  for (const std::string& d : names.dns_names)
    CERTPLANE_RETURN_IF_ERROR(PushGeneralName(gens.get(), GEN_DNS, d, "dnsNames"));
  for (const std::string& ip : names.ip_addresses) {
    Result<std::string> octets = IpOctets(ip);
    if (!octets.ok()) return octets.status();
    CERTPLANE_RETURN_IF_ERROR(PushGeneralName(gens.get(), GEN_IPADD, *octets, "ipAddresses"));
  }
  for (const std::string& u : names.uris) CERTPLANE_RETURN_IF_ERROR(PushGeneralName(gens.get(), GEN_URI, u, "uris"));
  for (const std::string& e : names.email_addresses) {
    CERTPLANE_RETURN_IF_ERROR(PushGeneralName(gens.get(), GEN_EMAIL, e, "emailAddresses"));
  }
  return Value(NID_subject_alt_name, critical, std::move(gens), "SubjectAltName");
}

Result<ExtensionValue> MakeSubjectKeyId(ByteView key_id) {
  Asn1OctetStringPtr octets(ASN1_OCTET_STRING_new());
  if (!octets || ASN1_OCTET_STRING_set(octets.get(), key_id.data(), static_cast<int>(key_id.size())) != 1) {
    return AllocationFailed("SubjectKeyIdentifier");
  }
  return Value(NID_subject_key_identifier, /*critical=*/false, std::move(octets), "SubjectKeyIdentifier");
}

Result<ExtensionValue> MakeAuthorityKeyId(ByteView key_id) {
  AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
  Asn1OctetStringPtr octets(ASN1_OCTET_STRING_new());
  if (!akid || !octets || ASN1_OCTET_STRING_set(octets.get(), key_id.data(), static_cast<int>(key_id.size())) != 1) {
    return AllocationFailed("AuthorityKeyIdentifier");
  }
  akid->keyid = octets.release();  // the AUTHORITY_KEYID owns it now
  return Value(NID_authority_key_identifier, /*critical=*/false, std::move(akid), "AuthorityKeyIdentifier");
}

namespace {
Result<ExtensionValue> MakeDistributionPoints(int nid, const std::vector<std::string>& uris, const char* what) {
  // One DistributionPoint whose fullName lists every URI: they are alternative
  // locations of the same CRL (RFC 5280 4.2.1.13).
  Result<DistPointNamePtr> name = MakeFullName(uris, what);
  if (!name.ok()) return name.status();
  CrlDistPointsPtr points(sk_DIST_POINT_new_null());
  DistPointPtr point(DIST_POINT_new());
  if (!points || !point) return AllocationFailed("CRLDistributionPoints");
  point->distpoint = name->release();  // the DIST_POINT owns the name now
  if (sk_DIST_POINT_push(points.get(), point.get()) <= 0) return AllocationFailed("CRLDistributionPoints");
  (void)point.release();  // the CRL_DIST_POINTS stack owns it now
  return Value(nid, /*critical=*/false, std::move(points), what);
}
}  // namespace

Result<ExtensionValue> MakeCrlDistributionPoints(const std::vector<std::string>& uris) {
  return MakeDistributionPoints(NID_crl_distribution_points, uris, "crlDistributionPoints");
}

Result<ExtensionValue> MakeFreshestCrl(const std::vector<std::string>& uris) {
  return MakeDistributionPoints(NID_freshest_crl, uris, "freshestCRL");
}

Result<ExtensionValue> MakeDeltaCrlIndicator(std::uint64_t base_number) {
  Asn1IntegerPtr n(ASN1_INTEGER_new());
  if (!n || ASN1_INTEGER_set_uint64(n.get(), base_number) != 1) return AllocationFailed("Delta CRL Indicator");
  return Value(NID_delta_crl, /*critical=*/true, std::move(n), "Delta CRL Indicator");
}

Result<ExtensionValue> MakeAuthorityInfoAccess(const std::vector<std::string>& ocsp,
                                               const std::vector<std::string>& ca_issuers) {
  AuthorityInfoAccessPtr aia(sk_ACCESS_DESCRIPTION_new_null());
  if (!aia) return AllocationFailed("AuthorityInfoAccess");
  auto add = [&](int method_nid, const std::vector<std::string>& urls, std::string_view field) -> Status {
    for (size_t i = 0; i < urls.size(); ++i) {
      std::string f = std::string(field) + "[" + std::to_string(i) + "]";
      if (Status s = ValidateUri(urls[i]); !s.ok()) return s.WithContext(f);
      AccessDescriptionPtr ad(ACCESS_DESCRIPTION_new());
      if (!ad) return AllocationFailed("an AccessDescription");
      // The method is OpenSSL's static object (nothing to free); the location is the
      // empty GENERAL_NAME that ACCESS_DESCRIPTION_new allocated.
      ad->method = OBJ_nid2obj(method_nid);
      CERTPLANE_RETURN_IF_ERROR(FillGeneralName(ad->location, GEN_URI, urls[i], f));
      if (sk_ACCESS_DESCRIPTION_push(aia.get(), ad.get()) <= 0) return AllocationFailed("an AccessDescription");
      (void)ad.release();  // the AUTHORITY_INFO_ACCESS stack owns it now
    }
    return Status::Ok();
  };
  CERTPLANE_RETURN_IF_ERROR(add(NID_ad_OCSP, ocsp, "ocspUrls"));
  CERTPLANE_RETURN_IF_ERROR(add(NID_ad_ca_issuers, ca_issuers, "caIssuersUrls"));
  return Value(NID_info_access, /*critical=*/false, std::move(aia), "AuthorityInfoAccess");
}

Result<ExtensionValue> MakeNameConstraints(const NameConstraints& constraints) {
  CERTPLANE_RETURN_IF_ERROR(ValidateNameConstraints(constraints));
  NameConstraintsPtr nc(NAME_CONSTRAINTS_new());
  if (!nc) return AllocationFailed("NameConstraints");
  CERTPLANE_RETURN_IF_ERROR(AddSubtrees(&nc->permittedSubtrees, constraints.permitted));
  CERTPLANE_RETURN_IF_ERROR(AddSubtrees(&nc->excludedSubtrees, constraints.excluded));
  return Value(NID_name_constraints, /*critical=*/true, std::move(nc), "NameConstraints");
}

Result<ExtensionValue> MakeIssuingDistributionPoint(const IssuingDistributionPoint& idp) {
  if (idp.only_user_certs && idp.only_ca_certs) {
    return InvalidArgument("an IssuingDistributionPoint cannot be both onlyContainsUserCerts and onlyContainsCACerts");
  }
  if (idp.uris.empty() && !idp.only_user_certs && !idp.only_ca_certs) {
    return InvalidArgument("an IssuingDistributionPoint needs a URI or a scope (RFC 5280 5.2.5: not all defaults)");
  }
  IssuingDistPointPtr out(ISSUING_DIST_POINT_new());
  if (!out) return AllocationFailed("IssuingDistributionPoint");
  if (!idp.uris.empty()) {
    Result<DistPointNamePtr> name = MakeFullName(idp.uris, "distributionPoint");
    if (!name.ok()) return name.status();
    out->distpoint = name->release();  // the ISSUING_DIST_POINT owns the name now
  }
  out->onlyuser = idp.only_user_certs ? 0xff : 0;
  out->onlyCA = idp.only_ca_certs ? 0xff : 0;
  return Value(NID_issuing_distribution_point, /*critical=*/true, std::move(out), "IssuingDistributionPoint");
}

Result<ExtensionValue> MakeCrlNumber(std::uint64_t number) {
  Asn1IntegerPtr n(ASN1_INTEGER_new());
  if (!n || ASN1_INTEGER_set_uint64(n.get(), number) != 1) return AllocationFailed("CRLNumber");
  return Value(NID_crl_number, /*critical=*/false, std::move(n), "CRLNumber");
}

Result<ExtensionValue> MakeOcspNoCheck() {
  Asn1NullPtr null(ASN1_NULL_new());
  if (!null) return AllocationFailed("OCSP No Check");
  return Value(NID_id_pkix_OCSP_noCheck, /*critical=*/false, std::move(null), "OCSP No Check");
}

Result<X509ExtensionPtr> EncodeExtension(const ExtensionValue& ext) {
  X509ExtensionPtr out(X509V3_EXT_i2d(ext.nid, ext.critical ? 1 : 0, ext.value.get()));
  if (!out) return OpenSslError(StatusCode::kInternal, "encoding the " + std::string(ext.what) + " extension");
  return out;
}

Status AppendExtension(X509* x509, const ExtensionValue& ext) {
  // Encodes the value into a new X509_EXTENSION that the certificate owns, with no
  // check for an existing one (the builders add each extension once).
  if (X509_add1_ext_i2d(x509, ext.nid, ext.value.get(), ext.critical ? 1 : 0, X509V3_ADD_APPEND) != 1) {
    return OpenSslError(StatusCode::kInternal, "adding the " + std::string(ext.what) + " extension");
  }
  return Status::Ok();
}

Status AppendExtension(X509_CRL* crl, const ExtensionValue& ext) {
  if (X509_CRL_add1_ext_i2d(crl, ext.nid, ext.value.get(), ext.critical ? 1 : 0, X509V3_ADD_APPEND) != 1) {
    return OpenSslError(StatusCode::kInternal, "adding the " + std::string(ext.what) + " extension");
  }
  return Status::Ok();
}

SubjectAltNames ReadGeneralNames(const GENERAL_NAMES* names) {
  SubjectAltNames out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    switch (gn->type) {
      case GEN_DNS: out.dns_names.push_back(Asn1StringText(gn->d.dNSName)); break;
      case GEN_URI: out.uris.push_back(Asn1StringText(gn->d.uniformResourceIdentifier)); break;
      case GEN_EMAIL: out.email_addresses.push_back(Asn1StringText(gn->d.rfc822Name)); break;
      case GEN_IPADD:
        if (std::string ip = IpText(gn->d.iPAddress); !ip.empty()) out.ip_addresses.push_back(ip);
        break;
      default: break;
    }
  }
  return out;
}

std::vector<std::string> ReadFullNameUris(const DIST_POINT_NAME* name) {
  std::vector<std::string> out;
  if (name == nullptr || name->type != 0) return out;
  SubjectAltNames names = ReadGeneralNames(name->name.fullname);
  return names.uris;
}

std::vector<std::string> ReadDistributionPointUris(const CRL_DIST_POINTS* points) {
  std::vector<std::string> out;
  for (int i = 0; i < sk_DIST_POINT_num(points); ++i) {
    for (std::string& uri : ReadFullNameUris(sk_DIST_POINT_value(points, i)->distpoint)) out.push_back(std::move(uri));
  }
  return out;
}

IssuingDistributionPoint ReadIssuingDistributionPoint(const ISSUING_DIST_POINT* idp) {
  IssuingDistributionPoint out;
  out.uris = ReadFullNameUris(idp->distpoint);
  out.only_user_certs = idp->onlyuser > 0;
  out.only_ca_certs = idp->onlyCA > 0;
  return out;
}

NameConstraints ReadNameConstraints(const NAME_CONSTRAINTS* nc) {
  NameConstraints out;
  if (nc == nullptr) return out;
  out.permitted = ReadSubtrees(nc->permittedSubtrees);
  out.excluded = ReadSubtrees(nc->excludedSubtrees);
  return out;
}

std::vector<KeyUsage> KeyUsagesFromBits(std::uint32_t bits) {
  static constexpr std::pair<std::uint32_t, KeyUsage> kMap[] = {
      {KU_DIGITAL_SIGNATURE, KeyUsage::kDigitalSignature},
      {KU_NON_REPUDIATION, KeyUsage::kContentCommitment},
      {KU_KEY_ENCIPHERMENT, KeyUsage::kKeyEncipherment},
      {KU_DATA_ENCIPHERMENT, KeyUsage::kDataEncipherment},
      {KU_KEY_AGREEMENT, KeyUsage::kKeyAgreement},
      {KU_KEY_CERT_SIGN, KeyUsage::kKeyCertSign},
      {KU_CRL_SIGN, KeyUsage::kCrlSign},
      {KU_ENCIPHER_ONLY, KeyUsage::kEncipherOnly},
      {KU_DECIPHER_ONLY, KeyUsage::kDecipherOnly},
  };
  std::vector<KeyUsage> out;
  for (const auto& [bit, usage] : kMap) {
    if ((bits & bit) != 0) out.push_back(usage);
  }
  return out;
}

Result<Asn1IntegerPtr> ToAsn1Integer(const SerialNumber& serial) {
  Asn1IntegerPtr out(ASN1_INTEGER_new());
  // An ASN1_INTEGER holds the big-endian magnitude, which is what SerialNumber keeps.
  if (!out || ASN1_STRING_set(out.get(), serial.bytes().data(), static_cast<int>(serial.bytes().size())) != 1) {
    return AllocationFailed("a serial number");
  }
  return out;
}

Result<SerialNumber> FromAsn1Integer(const ASN1_INTEGER* value) {
  if (value == nullptr) return InvalidArgument("serial number missing");
  if (ASN1_STRING_type(value) == V_ASN1_NEG_INTEGER) {
    return InvalidArgument("serial number is negative (RFC 5280 4.1.2.2 requires a positive integer)");
  }
  int len = ASN1_STRING_length(value);
  if (len <= 0) return InvalidArgument("serial number is empty");
  return SerialNumber::FromBytes(ByteView(ASN1_STRING_get0_data(value), static_cast<size_t>(len)));
}

Result<Bytes> KeyIdentifier(const X509_PUBKEY* key) {
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  if (key == nullptr || X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, nullptr, key) != 1) {
    return OpenSslError(StatusCode::kInternal, "reading the subjectPublicKey");
  }
  // Fetched once: EVP_sha1() makes EVP_Digest look the implementation up on every call.
  // Kept for the life of the process; EVP_MD objects may be shared between threads.
  static const EVP_MD* const sha1 = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    return fetched != nullptr ? fetched : EVP_sha1();
  }();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(bits, static_cast<size_t>(bits_len), md, &md_len, sha1, nullptr) != 1) {
    return OpenSslError(StatusCode::kInternal, "hashing the subjectPublicKey");
  }
  return Bytes(md, md + md_len);
}

}  // namespace certplane::pki::internal

// internal/x509v3.h: builds X.509v3 extensions from certplane's types and reads them
// back. Extensions are built as OpenSSL structures and DER-encoded with
// X509V3_EXT_i2d, never through OpenSSL's text configuration language, so that no
// user-supplied value (a URI with a comma, say) can be read as configuration.
// Not part of the public API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pki/crl.h"
#include "pki/handles.h"
#include "pki/name_constraints.h"
#include "pki/san.h"
#include "pki/serial.h"
#include "pki/usage.h"

namespace certplane::pki::internal {

// An extension built but not yet encoded: the structure X509V3_EXT_i2d takes for
// `nid`, owned. AppendExtension adds it to a certificate or CRL (encoding it once, where
// X509_add_ext would copy an encoded X509_EXTENSION through a DER round trip);
// EncodeExtension makes a standalone X509_EXTENSION of it.
struct ExtensionValue {
  int nid = 0;
  bool critical = false;
  X509v3ExtValuePtr value;
  std::string_view what;  // for messages, e.g. "KeyUsage"; a string literal
};
// Internal when OpenSSL fails to encode or allocate.
Result<X509ExtensionPtr> EncodeExtension(const ExtensionValue& ext);
Status AppendExtension(X509* x509, const ExtensionValue& ext);
Status AppendExtension(X509_CRL* crl, const ExtensionValue& ext);

// Builders. Each returns InvalidArgument for a malformed value and Internal when
// OpenSSL fails to allocate.
Result<ExtensionValue> MakeBasicConstraints(bool is_ca, std::optional<int> path_len);
Result<ExtensionValue> MakeKeyUsage(const std::vector<KeyUsage>& usages);
Result<ExtensionValue> MakeExtendedKeyUsage(const std::vector<ExtendedKeyUsage>& usages);
Result<ExtensionValue> MakeSubjectAltName(const SubjectAltNames& names, bool critical);
Result<ExtensionValue> MakeSubjectKeyId(ByteView key_id);
Result<ExtensionValue> MakeAuthorityKeyId(ByteView key_id);
Result<ExtensionValue> MakeCrlDistributionPoints(const std::vector<std::string>& uris);
Result<ExtensionValue> MakeAuthorityInfoAccess(const std::vector<std::string>& ocsp,
                                               const std::vector<std::string>& ca_issuers);
Result<ExtensionValue> MakeNameConstraints(const NameConstraints& constraints);
Result<ExtensionValue> MakeIssuingDistributionPoint(const IssuingDistributionPoint& idp);
Result<ExtensionValue> MakeCrlNumber(std::uint64_t number);
// Delta CRL Indicator (critical): the base CRL Number. Freshest CRL: like CRL
// Distribution Points, one point with every URI.
Result<ExtensionValue> MakeDeltaCrlIndicator(std::uint64_t base_number);
Result<ExtensionValue> MakeFreshestCrl(const std::vector<std::string>& uris);
// id-pkix-ocsp-nocheck: an ASN.1 NULL, not critical.
Result<ExtensionValue> MakeOcspNoCheck();

// Readers.
SubjectAltNames ReadGeneralNames(const GENERAL_NAMES* names);  // other name types skipped
std::vector<std::string> ReadDistributionPointUris(const CRL_DIST_POINTS* points);
std::vector<std::string> ReadFullNameUris(const DIST_POINT_NAME* name);
IssuingDistributionPoint ReadIssuingDistributionPoint(const ISSUING_DIST_POINT* idp);
NameConstraints ReadNameConstraints(const NAME_CONSTRAINTS* nc);
std::vector<KeyUsage> KeyUsagesFromBits(std::uint32_t bits);

// Serial numbers as ASN.1 INTEGERs.
Result<Asn1IntegerPtr> ToAsn1Integer(const SerialNumber& serial);
// InvalidArgument for a negative or over-long serial.
Result<SerialNumber> FromAsn1Integer(const ASN1_INTEGER* value);

// SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 4.2.1.2 method 1).
Result<Bytes> KeyIdentifier(const X509_PUBKEY* key);

}  // namespace certplane::pki::internal

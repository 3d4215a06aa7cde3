// internal/x509v3.h: builds X.509v3 extensions from certplane's types and reads them
// back. Extensions are built as OpenSSL structures and DER-encoded with
// X509V3_EXT_i2d, never through OpenSSL's text configuration language, so that no
// user-supplied value (a URI with a comma, say) can be read as configuration.
// Not part of the public API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "pki/crl.h"
#include "pki/handles.h"
#include "pki/name_constraints.h"
#include "pki/san.h"
#include "pki/serial.h"
#include "pki/usage.h"

namespace certplane::pki::internal {

// Builders. Each returns InvalidArgument for a malformed value and Internal when
// OpenSSL fails to allocate or encode.
Result<X509ExtensionPtr> MakeBasicConstraints(bool is_ca, std::optional<int> path_len);
Result<X509ExtensionPtr> MakeKeyUsage(const std::vector<KeyUsage>& usages);
Result<X509ExtensionPtr> MakeExtendedKeyUsage(const std::vector<ExtendedKeyUsage>& usages);
Result<X509ExtensionPtr> MakeSubjectAltName(const SubjectAltNames& names, bool critical);
Result<X509ExtensionPtr> MakeSubjectKeyId(ByteView key_id);
Result<X509ExtensionPtr> MakeAuthorityKeyId(ByteView key_id);
Result<X509ExtensionPtr> MakeCrlDistributionPoints(const std::vector<std::string>& uris);
Result<X509ExtensionPtr> MakeAuthorityInfoAccess(const std::vector<std::string>& ocsp,
                                                 const std::vector<std::string>& ca_issuers);
Result<X509ExtensionPtr> MakeNameConstraints(const NameConstraints& constraints);
Result<X509ExtensionPtr> MakeIssuingDistributionPoint(const IssuingDistributionPoint& idp);
Result<X509ExtensionPtr> MakeCrlNumber(std::uint64_t number);
// Delta CRL Indicator (critical): the base CRL Number. Freshest CRL: like CRL
// Distribution Points, one point with every URI.
Result<X509ExtensionPtr> MakeDeltaCrlIndicator(std::uint64_t base_number);
Result<X509ExtensionPtr> MakeFreshestCrl(const std::vector<std::string>& uris);
// id-pkix-ocsp-nocheck: an ASN.1 NULL, not critical.
Result<X509ExtensionPtr> MakeOcspNoCheck();

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

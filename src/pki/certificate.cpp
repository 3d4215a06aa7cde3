#include "pki/certificate.h"

#include <openssl/objects.h>

#include "pki/errors.h"
#include "pki/internal/asn1.h"
#include "pki/internal/hex.h"
#include "pki/internal/name.h"
#include "pki/internal/x509v3.h"
#include "pki/pem.h"

namespace certplane::pki {
namespace {

// X509_get_ext_d2i for an extension Adopt() has already checked decodes; an owning
// pointer, null when the extension is absent.
template <typename Ptr>
Ptr GetExtension(X509* x509, int nid) {
  Ptr value(static_cast<typename Ptr::pointer>(X509_get_ext_d2i(x509, nid, nullptr, nullptr)));
  ClearOpenSslErrors();
  return value;
}

// "subjectAltName (2.5.29.17)", or just the OID for extensions OpenSSL has no name for.
std::string ExtensionName(const ASN1_OBJECT* obj) {
  char oid[80];
  OBJ_obj2txt(oid, sizeof(oid), obj, /*no_name=*/1);
  int nid = OBJ_obj2nid(obj);
  if (nid == NID_undef) return oid;
  return std::string(OBJ_nid2sn(nid)) + " (" + oid + ")";
}

// Every extension whose structure OpenSSL knows must decode, and none may repeat.
Status CheckExtensions(X509* x509) {
  const STACK_OF(X509_EXTENSION)* exts = X509_get0_extensions(x509);
  // Real certificates carry a dozen; the cap bounds the quadratic duplicate check below
  // for hostile input.
  if (sk_X509_EXTENSION_num(exts) > 100) return InvalidArgument("certificate has more than 100 extensions");
  for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, i);
    const ASN1_OBJECT* obj = X509_EXTENSION_get_object(ext);
    for (int j = i + 1; j < sk_X509_EXTENSION_num(exts); ++j) {
      if (OBJ_cmp(obj, X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, j))) == 0) {
        return InvalidArgument("extension " + ExtensionName(obj) + " appears more than once (RFC 5280 4.2)");
      }
    }
    const X509V3_EXT_METHOD* method = X509V3_EXT_get(ext);
    if (method == nullptr) continue;  // unknown to OpenSSL: nothing to decode
    X509v3ExtValuePtr value(X509V3_EXT_d2i(ext), X509v3ExtValueFree{method});
    if (!value) return OpenSslError(StatusCode::kInvalidArgument, "malformed extension " + ExtensionName(obj));
  }
  return Status::Ok();
}

}  // namespace

Result<Certificate> Certificate::Adopt(X509Ptr x509) { return Make(std::move(x509), /*check_extensions=*/true); }

Result<Certificate> Certificate::Make(X509Ptr x509, bool check_extensions) {
  if (!x509) return InvalidArgument("no certificate");
  ClearOpenSslErrors();
  Result<SerialNumber> serial = internal::FromAsn1Integer(X509_get0_serialNumber(x509.get()));
  if (!serial.ok()) return serial.status();
  Result<TimePoint> not_before = internal::FromAsn1Time(X509_get0_notBefore(x509.get()));
  if (!not_before.ok()) return not_before.status().WithContext("notBefore");
  Result<TimePoint> not_after = internal::FromAsn1Time(X509_get0_notAfter(x509.get()));
  if (!not_after.ok()) return not_after.status().WithContext("notAfter");
  if (check_extensions) {
    CERTPLANE_RETURN_IF_ERROR(CheckExtensions(x509.get()));
    // Computes OpenSSL's cached view of the extensions; EXFLAG_INVALID flags what the
    // per-extension check above cannot see (e.g. an inconsistent BasicConstraints).
    if ((X509_get_extension_flags(x509.get()) & EXFLAG_INVALID) != 0) {
      return OpenSslError(StatusCode::kInvalidArgument, "certificate has invalid extensions");
    }
  }
  ClearOpenSslErrors();
  return Certificate(std::move(x509), std::move(*serial), *not_before, *not_after);
}

std::string Certificate::ToPem() const { return EncodePem("CERTIFICATE", ToDer()); }

Bytes Certificate::ToDer() const {
  Result<Bytes> der = internal::EncodeDer(x509_.get(), i2d_X509, "a certificate");
  return der.ok() ? std::move(*der) : Bytes{};  // fails only when memory runs out
}

DistinguishedName Certificate::subject() const { return internal::ReadX509Name(X509_get_subject_name(x509_.get())); }
std::string Certificate::subject_text() const { return internal::X509NameText(X509_get_subject_name(x509_.get())); }
DistinguishedName Certificate::issuer() const { return internal::ReadX509Name(X509_get_issuer_name(x509_.get())); }
std::string Certificate::issuer_text() const { return internal::X509NameText(X509_get_issuer_name(x509_.get())); }

SubjectAltNames Certificate::subject_alt_names() const {
  GeneralNamesPtr names = GetExtension<GeneralNamesPtr>(x509_.get(), NID_subject_alt_name);
  return names ? internal::ReadGeneralNames(names.get()) : SubjectAltNames{};
}

Result<PublicKey> Certificate::public_key() const {
  EvpPkeyPtr key = ShareEvpPkey(X509_get0_pubkey(x509_.get()));
  if (!key) return OpenSslError(StatusCode::kInvalidArgument, "decoding the certificate's public key");
  return PublicKey::FromEvp(std::move(key));
}

// BasicConstraints with cA TRUE; OpenSSL's other heuristics (v1 roots, Netscape types)
// do not count.
bool Certificate::is_ca() const { return (X509_get_extension_flags(x509_.get()) & EXFLAG_CA) != 0; }

std::optional<int> Certificate::path_len() const {
  long len = X509_get_pathlen(x509_.get());
  if (len < 0) return std::nullopt;
  return static_cast<int>(len);
}

std::vector<KeyUsage> Certificate::key_usages() const {
  if (!has_key_usage_extension()) return {};
  return internal::KeyUsagesFromBits(X509_get_key_usage(x509_.get()));
}

bool Certificate::has_key_usage_extension() const {
  return (X509_get_extension_flags(x509_.get()) & EXFLAG_KUSAGE) != 0;
}

std::vector<ExtendedKeyUsage> Certificate::extended_key_usages() const {
  std::vector<ExtendedKeyUsage> out;
  ExtendedKeyUsagePtr eku = GetExtension<ExtendedKeyUsagePtr>(x509_.get(), NID_ext_key_usage);
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    switch (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i))) {
      case NID_server_auth: out.push_back(ExtendedKeyUsage::kServerAuth); break;
      case NID_client_auth: out.push_back(ExtendedKeyUsage::kClientAuth); break;
      case NID_code_sign: out.push_back(ExtendedKeyUsage::kCodeSigning); break;
      case NID_email_protect: out.push_back(ExtendedKeyUsage::kEmailProtection); break;
      case NID_time_stamp: out.push_back(ExtendedKeyUsage::kTimeStamping); break;
      case NID_OCSP_sign: out.push_back(ExtendedKeyUsage::kOcspSigning); break;
      default: break;
    }
  }
  return out;
}

Bytes Certificate::subject_key_id() const {
  const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(x509_.get());
  if (id == nullptr) return {};
  return Bytes(ASN1_STRING_get0_data(id), ASN1_STRING_get0_data(id) + ASN1_STRING_length(id));
}

Bytes Certificate::authority_key_id() const {
  const ASN1_OCTET_STRING* id = X509_get0_authority_key_id(x509_.get());
  if (id == nullptr) return {};
  return Bytes(ASN1_STRING_get0_data(id), ASN1_STRING_get0_data(id) + ASN1_STRING_length(id));
}

std::vector<std::string> Certificate::crl_distribution_points() const {
  CrlDistPointsPtr points = GetExtension<CrlDistPointsPtr>(x509_.get(), NID_crl_distribution_points);
  return points ? internal::ReadDistributionPointUris(points.get()) : std::vector<std::string>{};
}

namespace {
std::vector<std::string> AccessUrls(X509* x509, int method_nid) {
  std::vector<std::string> out;
  AuthorityInfoAccessPtr aia = GetExtension<AuthorityInfoAccessPtr>(x509, NID_info_access);
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
    const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
    if (OBJ_obj2nid(ad->method) == method_nid && ad->location->type == GEN_URI) {
      out.push_back(internal::Asn1StringText(ad->location->d.uniformResourceIdentifier));
    }
  }
  return out;
}
}  // namespace

std::vector<std::string> Certificate::ocsp_urls() const { return AccessUrls(x509_.get(), NID_ad_OCSP); }
std::vector<std::string> Certificate::ca_issuers_urls() const { return AccessUrls(x509_.get(), NID_ad_ca_issuers); }

NameConstraints Certificate::name_constraints() const {
  NameConstraintsPtr nc = GetExtension<NameConstraintsPtr>(x509_.get(), NID_name_constraints);
  return internal::ReadNameConstraints(nc.get());
}

bool Certificate::IsExtensionCritical(std::string_view oid) const {
  Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
  ClearOpenSslErrors();
  if (!obj) return false;
  int index = X509_get_ext_by_OBJ(x509_.get(), obj.get(), -1);
  if (index < 0) return false;
  return X509_EXTENSION_get_critical(X509_get_ext(x509_.get(), index)) == 1;
}

std::string Certificate::sha256_fingerprint() const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(x509_.get(), EVP_sha256(), md, &len) != 1) {
    ClearOpenSslErrors();
    return {};
  }
  return internal::LowerHex(ByteView(md, len));
}

std::string Certificate::signature_algorithm() const {
  int nid = X509_get_signature_nid(x509_.get());
  const char* name = OBJ_nid2ln(nid);
  return name != nullptr ? name : "unknown";
}

bool Certificate::IsSelfSigned() const {
  bool self = X509_self_signed(x509_.get(), /*verify_signature=*/1) == 1;
  ClearOpenSslErrors();
  return self;
}

Status Certificate::VerifySignedBy(const Certificate& issuer) const {
  ClearOpenSslErrors();
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  if (key == nullptr) return OpenSslError(StatusCode::kInvalidArgument, "decoding the issuer's public key");
  if (X509_verify(x509_.get(), key) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "the signature of " + subject_text() +
                                                          " does not verify with the key of " + issuer.subject_text());
  }
  return Status::Ok();
}

bool operator==(const Certificate& a, const Certificate& b) {
  return X509_cmp(a.get(), b.get()) == 0 && a.ToDer() == b.ToDer();
}

Result<Certificate> ParseCertificateDer(ByteView der) {
  Result<X509Ptr> x509 = internal::DecodeDer<X509Ptr>(der, d2i_X509, i2d_X509, "certificate");
  if (!x509.ok()) return x509.status().WithContext("parsing a certificate");
  Result<Certificate> cert = Certificate::Adopt(std::move(*x509));
  if (!cert.ok()) return cert.status().WithContext("parsing a certificate");
  return cert;
}

Result<Certificate> ParseCertificatePem(std::string_view pem) {
  Result<PemBlock> block = DecodeSinglePem(pem, "CERTIFICATE");
  if (!block.ok()) return block.status().WithContext("parsing a certificate");
  return ParseCertificateDer(block->der);
}

Result<std::vector<Certificate>> ParseCertificateChainPem(std::string_view pem) {
  return ParseCertificateChainPem(pem, [](ByteView der, size_t) { return ParseCertificateDer(der); });
}

Result<std::vector<Certificate>> ParseCertificateChainPem(
    std::string_view pem, const std::function<Result<Certificate>(ByteView der, size_t index)>& parse_der) {
  Result<std::vector<PemBlock>> blocks = DecodePem(pem);
  if (!blocks.ok()) return blocks.status().WithContext("parsing a certificate chain");
  std::vector<Certificate> chain;
  chain.reserve(blocks->size());
  for (size_t i = 0; i < blocks->size(); ++i) {
    const PemBlock& block = (*blocks)[i];
    std::string where = "parsing a certificate chain: block " + std::to_string(i + 1);
    if (block.label != "CERTIFICATE") return InvalidArgument(where + ": expected CERTIFICATE, found " + block.label);
    Result<Certificate> cert = parse_der(block.der, i);
    if (!cert.ok()) return cert.status().WithContext(where);
    chain.push_back(std::move(*cert));
  }
  return chain;
}

std::string EncodeCertificateChainPem(const std::vector<Certificate>& chain) {
  std::string out;
  for (const Certificate& cert : chain) out += cert.ToPem();
  return out;
}

Status CheckKeyMatchesCertificate(const PrivateKey& key, const Certificate& certificate) {
  ClearOpenSslErrors();
  EVP_PKEY* cert_key = X509_get0_pubkey(certificate.get());
  if (cert_key == nullptr) return OpenSslError(StatusCode::kInvalidArgument, "decoding the certificate's public key");
  if (EVP_PKEY_eq(key.get(), cert_key) != 1) {
    ClearOpenSslErrors();
    return FailedPrecondition("the private key does not match the certificate " + certificate.subject_text() +
                              " (serial " + certificate.serial().ToHex() + ")");
  }
  return Status::Ok();
}

}  // namespace certplane::pki

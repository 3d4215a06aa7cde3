#include "pki/issue.h"

#include <algorithm>

#include "pki/errors.h"
#include "pki/internal/asn1.h"
#include "pki/internal/name.h"
#include "pki/internal/signing.h"
#include "pki/internal/spki.h"
#include "pki/internal/x509v3.h"

namespace certplane::pki {
namespace {

bool Has(const std::vector<KeyUsage>& usages, KeyUsage u) {
  return std::find(usages.begin(), usages.end(), u) != usages.end();
}

std::string FormatTime(TimePoint t) {
  Result<Asn1TimePtr> asn1 = internal::ToAsn1Time(t);
  if (!asn1.ok()) return "?";
  Result<BioPtr> bio = internal::MemoryBio();
  if (!bio.ok() || ASN1_TIME_print_ex(bio->get(), asn1->get(), ASN1_DTFLGS_ISO8601) != 1) return "?";
  return internal::BioContents(bio->get());
}

Status AddExtension(X509* x509, Result<internal::ExtensionValue> ext) {
  if (!ext.ok()) return ext.status();
  return internal::AppendExtension(x509, *ext);
}

// What differs between a self-signed and an issued certificate.
struct Signer {
  const X509_NAME* issuer_name;  // nullptr: the subject's own name
  Bytes issuer_key_id;           // empty: the subject's own key identifier
  const PrivateKey& key;
  const internal::PreparedSigner* prepared;  // the issuer's; nullptr when self-signed
};

// The signed certificate, for Certificate::Make.
Result<X509Ptr> Build(const CertificateSpec& spec, const PublicKey& subject_key, const Signer& signer,
                      TimePoint not_before, TimePoint not_after) {
  ClearOpenSslErrors();
  X509Ptr x509(X509_new());
  if (!x509 || X509_set_version(x509.get(), X509_VERSION_3) != 1) {
    return OpenSslError(StatusCode::kInternal, "allocating a certificate");
  }

  Result<SerialNumber> serial = spec.serial.has_value() ? Result<SerialNumber>(*spec.serial) : SerialNumber::Random();
  if (!serial.ok()) return serial.status();
  Result<Asn1IntegerPtr> serial_asn1 = internal::ToAsn1Integer(*serial);
  if (!serial_asn1.ok()) return serial_asn1.status();
  if (X509_set_serialNumber(x509.get(), serial_asn1->get()) != 1) {  // copies
    return OpenSslError(StatusCode::kInternal, "setting the serial number");
  }

  // The subject is written in place; the issuer name is a copy of the CA's subject (or
  // of the subject just written, when self-signed).
  X509_NAME* subject = X509_get_subject_name(x509.get());
  if (Status s = internal::FillX509Name(spec.subject, subject); !s.ok()) return s.WithContext("subject");
  const X509_NAME* issuer_name = signer.issuer_name != nullptr ? signer.issuer_name : subject;
  if (X509_set_issuer_name(x509.get(), issuer_name) != 1) {  // copies
    return OpenSslError(StatusCode::kInternal, "setting the issuer name");
  }

  Result<Asn1TimePtr> nb = internal::ToAsn1Time(not_before);
  if (!nb.ok()) return nb.status().WithContext("notBefore");
  Result<Asn1TimePtr> na = internal::ToAsn1Time(not_after);
  if (!na.ok()) return na.status().WithContext("notAfter");
  if (X509_set1_notBefore(x509.get(), nb->get()) != 1 || X509_set1_notAfter(x509.get(), na->get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "setting the validity");
  }
  // Without X509_set_pubkey's encoder/decoder round trip where it can (spki.h); the SKI
  // comes from the SubjectPublicKeyInfo just set.
  Bytes key_id;
  CERTPLANE_RETURN_IF_ERROR(internal::SetSubjectPublicKey(x509.get(), subject_key, &key_id));
  const Bytes& authority_key_id = signer.issuer_key_id.empty() ? key_id : signer.issuer_key_id;

  X509* x = x509.get();
  CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeBasicConstraints(spec.is_ca, spec.path_len)));
  if (!spec.key_usages.empty()) CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeKeyUsage(spec.key_usages)));
  if (!spec.extended_key_usages.empty()) {
    CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeExtendedKeyUsage(spec.extended_key_usages)));
  }
  CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeSubjectKeyId(key_id)));
  CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeAuthorityKeyId(authority_key_id)));
  if (!spec.subject_alt_names.empty()) {
    // RFC 5280 4.2.1.6: with an empty subject the SANs identify the subject, and the
    // extension must be critical.
    CERTPLANE_RETURN_IF_ERROR(
        AddExtension(x, internal::MakeSubjectAltName(spec.subject_alt_names, /*critical=*/spec.subject.empty())));
  }
  if (!spec.crl_distribution_points.empty()) {
    CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeCrlDistributionPoints(spec.crl_distribution_points)));
  }
  if (!spec.freshest_crl.empty())
    CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeFreshestCrl(spec.freshest_crl)));
  if (!spec.ocsp_urls.empty() || !spec.ca_issuers_urls.empty()) {
    CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeAuthorityInfoAccess(spec.ocsp_urls, spec.ca_issuers_urls)));
  }
  if (!spec.name_constraints.empty()) {
    CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeNameConstraints(spec.name_constraints)));
  }
  if (spec.ocsp_no_check) CERTPLANE_RETURN_IF_ERROR(AddExtension(x, internal::MakeOcspNoCheck()));

  CERTPLANE_RETURN_IF_ERROR(signer.prepared != nullptr ? signer.prepared->SignCertificate(x)
                                                       : internal::SignCertificate(x, signer.key));
  return x509;
}

}  // namespace

Status ValidateCertificateSpec(const CertificateSpec& spec, KeyAlgorithm subject_key) {
  if (spec.validity <= std::chrono::seconds::zero()) return InvalidArgument("validity must be positive");
  if (spec.backdate < std::chrono::seconds::zero()) return InvalidArgument("backdate must not be negative");
  if (Status s = ValidateDistinguishedName(spec.subject); !s.ok()) return s;
  if (Status s = ValidateSubjectAltNames(spec.subject_alt_names); !s.ok()) return s.WithContext("subjectAltNames");
  if (spec.is_ca) {
    if (spec.subject.empty()) return InvalidArgument("a CA certificate needs a non-empty subject (RFC 5280 4.1.2.6)");
    if (!Has(spec.key_usages, KeyUsage::kKeyCertSign)) {
      return InvalidArgument("a CA certificate needs the key usage \"cert sign\" (RFC 5280 4.2.1.3)");
    }
    if (spec.path_len.has_value() && *spec.path_len < 0) return InvalidArgument("pathLen must not be negative");
  } else {
    if (spec.subject.empty() && spec.subject_alt_names.empty()) {
      return InvalidArgument("a certificate needs a subject or at least one subject alternative name");
    }
    if (Has(spec.key_usages, KeyUsage::kKeyCertSign)) {
      return InvalidArgument("key usage \"cert sign\" is only for CA certificates (RFC 5280 4.2.1.3)");
    }
    if (spec.path_len.has_value()) return InvalidArgument("pathLen is only for CA certificates");
    if (!spec.name_constraints.empty()) return InvalidArgument("name constraints are only for CA certificates");
  }
  if (Status s = CheckKeyUsagesFitKey(spec.key_usages, subject_key); !s.ok()) return s;
  if (Status s = ValidateNameConstraints(spec.name_constraints); !s.ok()) return s.WithContext("nameConstraints");
  auto check_uris = [](const std::vector<std::string>& uris, std::string_view field) {
    for (size_t i = 0; i < uris.size(); ++i) {
      if (Status s = ValidateUri(uris[i]); !s.ok())
        return s.WithContext(std::string(field) + "[" + std::to_string(i) + "]");
    }
    return Status::Ok();
  };
  CERTPLANE_RETURN_IF_ERROR(check_uris(spec.crl_distribution_points, "crlDistributionPoints"));
  CERTPLANE_RETURN_IF_ERROR(check_uris(spec.ocsp_urls, "ocspUrls"));
  CERTPLANE_RETURN_IF_ERROR(check_uris(spec.ca_issuers_urls, "caIssuersUrls"));
  return Status::Ok();
}

Result<Certificate> IssueCertificate(const CertificateSpec& spec, const PublicKey& subject_key, const Issuer& issuer,
                                     TimePoint now) {
  if (Status s = ValidateCertificateSpec(spec, subject_key.algorithm()); !s.ok()) return s;
  const Certificate& ca = issuer.certificate();
  auto issuer_text = [&ca] { return "issuer " + ca.subject_text(); };  // for errors only
  if (now < ca.not_before())
    return FailedPrecondition(issuer_text() + " is not valid before " + FormatTime(ca.not_before()));
  if (now >= ca.not_after()) return FailedPrecondition(issuer_text() + " expired at " + FormatTime(ca.not_after()));
  if (spec.is_ca && ca.path_len() == 0) {
    return FailedPrecondition(issuer_text() + " has pathLenConstraint 0 and may not issue CA certificates");
  }
  TimePoint not_before = std::max(now - spec.backdate, ca.not_before());
  TimePoint not_after = now + spec.validity;
  if (not_after > ca.not_after()) {
    if (!spec.truncate_to_issuer) {
      return FailedPrecondition("the certificate would be valid until " + FormatTime(not_after) + ", after " +
                                issuer_text() + " expires at " + FormatTime(ca.not_after()));
    }
    not_after = ca.not_after();
  }
  Bytes issuer_key_id = ca.subject_key_id();
  if (issuer_key_id.empty()) {
    Result<Bytes> computed = internal::KeyIdentifier(X509_get_X509_PUBKEY(ca.get()));
    if (!computed.ok()) return computed.status().WithContext(issuer_text());
    issuer_key_id = std::move(*computed);
  }
  Signer signer{X509_get_subject_name(ca.get()), std::move(issuer_key_id), issuer.key(), &issuer.signer()};
  Result<X509Ptr> x509 = Build(spec, subject_key, signer, not_before, not_after);
  if (!x509.ok()) return x509.status();
  // Not decoded again: the unit tests parse issued certificates back with every check.
  Result<Certificate> cert = Certificate::Make(std::move(*x509), /*check_extensions=*/false);
  if (!cert.ok()) return Internal("the certificate just built is not valid: " + cert.status().message());
  return cert;
}

Result<Certificate> SelfSignCertificate(const CertificateSpec& spec, const PrivateKey& key, TimePoint now) {
  if (Status s = ValidateCertificateSpec(spec, key.algorithm()); !s.ok()) return s;
  Signer signer{nullptr, {}, key, nullptr};
  Result<X509Ptr> x509 = Build(spec, key.public_key(), signer, now - spec.backdate, now + spec.validity);
  if (!x509.ok()) return x509.status();
  // Not decoded again: the unit tests parse issued certificates back with every check.
  Result<Certificate> cert = Certificate::Make(std::move(*x509), /*check_extensions=*/false);
  if (!cert.ok()) return Internal("the certificate just built is not valid: " + cert.status().message());
  return cert;
}

}  // namespace certplane::pki

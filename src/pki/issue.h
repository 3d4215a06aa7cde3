// issue.h: building and signing certificates: self-signed roots, intermediates signed
// by another CA, and leaf certificates for workloads.
//
//   // A root CA.
//   CertificateSpec root;
//   root.subject.common_name = "Acme Root CA";
//   root.is_ca = true;
//   root.key_usages = DefaultCaKeyUsages();
//   root.validity = std::chrono::years(10);
//   Result<Certificate> root_cert = SelfSignCertificate(root, *root_key, now);
//
//   // A leaf, from a Certificate resource.
//   CertificateSpec leaf;
//   leaf.subject_alt_names.dns_names = {"frontend.shop.svc"};
//   leaf.key_usages = DefaultLeafKeyUsages(workload_key.algorithm());
//   leaf.extended_key_usages = {ExtendedKeyUsage::kServerAuth};
//   leaf.validity = std::chrono::days(90);
//   leaf.crl_distribution_points = {"http://certplane.certplane.svc/crl/acme/0"};
//   Result<Certificate> cert = IssueCertificate(leaf, workload_key.public_key(), *issuer, now);
//
// Every certificate is X.509 v3 with a fresh random serial (serial.h), validity from
// now - backdate to now + validity, and these extensions:
//   BasicConstraints   critical; cA and pathLenConstraint for CAs, cA FALSE for leaves
//   KeyUsage           critical, when key_usages is not empty (a CA must have cert sign)
//   ExtendedKeyUsage   when given
//   SubjectAltName     when given; critical if the subject is empty (RFC 5280 4.2.1.6)
//   SubjectKeyIdentifier   SHA-1 of the subjectPublicKey (RFC 5280 4.2.1.2 method 1)
//   AuthorityKeyIdentifier keyIdentifier = the issuer's SKI (its own SKI when self-signed)
//   CRLDistributionPoints, AuthorityInfoAccess (OCSP, caIssuers) when given
//   NameConstraints    critical, CAs only, when given
//   FreshestCRL        when given (where delta CRLs are published)
//   OCSP No Check      when ocsp_no_check (a delegated OCSP responder)
// The signature algorithm follows the issuer's key: ECDSA P-256 with SHA-256, P-384
// with SHA-384, RSA PKCS#1 v1.5 with SHA-256, Ed25519 (pure).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/issuer.h"
#include "pki/key.h"
#include "pki/name.h"
#include "pki/name_constraints.h"
#include "pki/san.h"
#include "pki/serial.h"
#include "pki/types.h"
#include "pki/usage.h"

namespace certplane::pki {

struct CertificateSpec {
  DistinguishedName subject;
  SubjectAltNames subject_alt_names;

  // notAfter = now + validity; notBefore = now - backdate, so that relying parties
  // whose clocks run a little behind accept a fresh certificate.
  std::chrono::seconds validity{0};
  std::chrono::seconds backdate{std::chrono::minutes(5)};
  // When notAfter would fall after the issuer's notAfter: false refuses to issue
  // (FailedPrecondition), true shortens the certificate to end with its issuer.
  bool truncate_to_issuer = false;

  std::vector<KeyUsage> key_usages;
  std::vector<ExtendedKeyUsage> extended_key_usages;

  bool is_ca = false;
  std::optional<int> path_len;       // CAs only; >= 0
  NameConstraints name_constraints;  // CAs only

  std::vector<std::string> crl_distribution_points;  // URIs
  std::vector<std::string> freshest_crl;             // Freshest CRL (delta CRL) URIs
  std::vector<std::string> ocsp_urls;                // AIA id-ad-ocsp
  std::vector<std::string> ca_issuers_urls;          // AIA id-ad-caIssuers

  // id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1): a delegated OCSP responder's certificate,
  // which relying parties trust for its (short) lifetime without checking it.
  bool ocsp_no_check = false;

  // Normally empty: a random serial is drawn. Tests and imports may fix it.
  std::optional<SerialNumber> serial;
};

// OK, or InvalidArgument naming the first field of `spec` that cannot make an RFC 5280
// certificate for a key of `subject_key` algorithm: no validity, a negative backdate;
// an invalid subject or SAN; a leaf with neither subject nor SANs; a CA with an empty
// subject, without cert sign, or with SANs only; cert sign, crl sign, pathLen or name
// constraints on a leaf; key usages the key cannot do; a malformed URI.
Status ValidateCertificateSpec(const CertificateSpec& spec, KeyAlgorithm subject_key);

// Issues a certificate for `subject_key`, signed by `issuer`, valid from `now`.
// InvalidArgument for a bad spec (ValidateCertificateSpec); FailedPrecondition when the
// issuer cannot sign it: the issuer is not valid at `now`, its pathLenConstraint
// forbids another CA below it, or notAfter would outlive it (unless
// truncate_to_issuer); Internal when OpenSSL fails.
Result<Certificate> IssueCertificate(const CertificateSpec& spec, const PublicKey& subject_key, const Issuer& issuer,
                                     TimePoint now);

// Issues a certificate signed by its own key (a root CA, or a self-signed leaf).
// Errors as IssueCertificate, without the issuer checks.
Result<Certificate> SelfSignCertificate(const CertificateSpec& spec, const PrivateKey& key, TimePoint now);

}  // namespace certplane::pki

// Effective values: what a field means when the object leaves it to a default that
// depends on another object (a Certificate's duration on its template, its autoRenew on
// its profile) or on the object's own type (a CA's validity). The CRD's plain defaults
// are applied by the API server and mirrored by the structs' member initializers; the
// ones here are those the schema cannot express.
//
//   Duration d = EffectiveDuration(cert.spec, tmpl.spec);       // spec, else template, else 2160h
//   bool renew = EffectiveAutoRenew(cert.spec, profile.spec);   // spec, else profile
#pragma once

#include <optional>
#include <vector>

#include "api/certificate.h"
#include "api/certificate_authority.h"
#include "api/certificate_profile.h"
#include "api/certificate_template.h"
#include "api/duration.h"

namespace certplane::api {

// 90 days, as cert-manager: the validity when neither the certificate nor its template says.
inline constexpr Duration kDefaultCertificateDuration = std::chrono::hours(2160);
inline constexpr Duration kDefaultRootDuration = std::chrono::hours(87600);          // ten years
inline constexpr Duration kDefaultIntermediateDuration = std::chrono::hours(43800);  // five years
inline constexpr KeyAlgorithm kDefaultCaKeyAlgorithm = KeyAlgorithm::kEcdsaP256;

// --- Certificate ---------------------------------------------------------------------

// The template's default validity: defaultDuration, else 2160h capped at maxDuration.
Duration TemplateDefaultDuration(const CertificateTemplateSpec& tmpl);

// spec.duration, else the template's default validity.
Duration EffectiveDuration(const CertificateSpec& spec, const CertificateTemplateSpec& tmpl);

// spec.autoRenew, else the profile's renewal.autoRenewByDefault; always false with
// spec.csr (the controller cannot renew a key it does not hold).
bool EffectiveAutoRenew(const CertificateSpec& spec, const CertificateProfileSpec& profile);

// How long before notAfter to renew: spec.renewBefore, spec.renewBeforeDays, the profile's
// renewBefore, the profile's renewBeforeDays, in that order; nullopt when none is set (the
// renewal then happens at two thirds of the lifetime, policy/renewal.h).
std::optional<Duration> EffectiveRenewBefore(const CertificateSpec& spec, const CertificateProfileSpec& profile);

// Whether a key of this algorithm can carry the usage: an Ed25519 key only signs
// (RFC 8410), an EC key never enciphers (RFC 8813), an RSA key never agrees on keys.
bool KeyCanDo(KeyAlgorithm algorithm, KeyUsage usage);

// spec.keyUsages, else every key usage the template allows that the requested key
// algorithm can do (encipherOnly and decipherOnly only together with keyAgreement).
std::vector<KeyUsage> EffectiveKeyUsages(const CertificateSpec& spec, const CertificateTemplateSpec& tmpl);

// spec.extendedKeyUsages, else every extended key usage the template allows.
std::vector<ExtendedKeyUsage> EffectiveExtendedKeyUsages(const CertificateSpec& spec,
                                                         const CertificateTemplateSpec& tmpl);

// spec.additionalOutputFormats when set (even empty), else the profile's defaults.
std::vector<OutputFormat> EffectiveOutputFormats(const CertificateSpec& spec, const CertificateProfileSpec& profile);

// Labels and annotations for the Secret: the profile's, overridden by the certificate's
// secretTemplate (certplane's own certplane.io/* keys are the reconciler's to add).
SecretTemplate EffectiveSecretTemplate(const CertificateSpec& spec, const CertificateProfileSpec& profile);

// --- CertificateAuthority ------------------------------------------------------------

KeyAlgorithm EffectiveKeyAlgorithm(const CertificateAuthoritySpec& spec);

// spec.duration, else ten years for a Root and five for an Intermediate or Imported CA.
Duration EffectiveDuration(const CertificateAuthoritySpec& spec);

// spec.renewBefore, else a third of the duration.
Duration EffectiveRenewBefore(const CertificateAuthoritySpec& spec);

// crl.refreshBefore, else a third of crl.validity.
Duration EffectiveRefreshBefore(const CrlSpec& crl);

}  // namespace certplane::api

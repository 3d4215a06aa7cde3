#include "api/defaults.h"

#include <algorithm>

namespace certplane::api {
namespace {

Duration Days(std::int32_t days) { return std::chrono::hours(24) * days; }

}  // namespace

Duration TemplateDefaultDuration(const CertificateTemplateSpec& tmpl) {
  if (tmpl.default_duration) return *tmpl.default_duration;
  if (tmpl.max_duration) return std::min(kDefaultCertificateDuration, *tmpl.max_duration);
  return kDefaultCertificateDuration;
}

Duration EffectiveDuration(const CertificateSpec& spec, const CertificateTemplateSpec& tmpl) {
  return spec.duration ? *spec.duration : TemplateDefaultDuration(tmpl);
}

bool EffectiveAutoRenew(const CertificateSpec& spec, const CertificateProfileSpec& profile) {
  if (!spec.csr.empty()) return false;  // the requester holds the key: it renews with a new CSR
  return spec.auto_renew.value_or(profile.renewal.auto_renew_by_default);
}

std::optional<Duration> EffectiveRenewBefore(const CertificateSpec& spec, const CertificateProfileSpec& profile) {
  if (spec.renew_before) return *spec.renew_before;
  if (spec.renew_before_days) return Days(*spec.renew_before_days);
  if (profile.renewal.renew_before) return *profile.renewal.renew_before;
  if (profile.renewal.renew_before_days) return Days(*profile.renewal.renew_before_days);
  return std::nullopt;
}

bool KeyCanDo(KeyAlgorithm algorithm, KeyUsage usage) {
  switch (algorithm) {
    case KeyAlgorithm::kEd25519:
      // RFC 8410: an Ed25519 key only signs.
      return usage == KeyUsage::kDigitalSignature || usage == KeyUsage::kContentCommitment;
    case KeyAlgorithm::kEcdsaP256:
    case KeyAlgorithm::kEcdsaP384:
      // RFC 8813: an EC key signs or agrees on keys; it never enciphers.
      return usage != KeyUsage::kKeyEncipherment && usage != KeyUsage::kDataEncipherment;
    case KeyAlgorithm::kRsa2048:
    case KeyAlgorithm::kRsa3072:
    case KeyAlgorithm::kRsa4096:
      return usage != KeyUsage::kKeyAgreement && usage != KeyUsage::kEncipherOnly && usage != KeyUsage::kDecipherOnly;
  }
  return false;
}

std::vector<KeyUsage> EffectiveKeyUsages(const CertificateSpec& spec, const CertificateTemplateSpec& tmpl) {
  if (!spec.key_usages.empty()) return spec.key_usages;
  // The template lists what any key may carry; a certificate that asks for nothing in
  // particular gets those its own key can do (the example template's keyEncipherment
  // serves RSA keys and is dropped for ECDSA), so defaulting never makes a certificate
  // that cannot be issued.
  std::vector<KeyUsage> usages;
  bool key_agreement = false;
  for (KeyUsage u : tmpl.key_usages)
    key_agreement |= u == KeyUsage::kKeyAgreement && KeyCanDo(spec.private_key.algorithm, u);
  for (KeyUsage u : tmpl.key_usages) {
    if (!KeyCanDo(spec.private_key.algorithm, u)) continue;
    if ((u == KeyUsage::kEncipherOnly || u == KeyUsage::kDecipherOnly) && !key_agreement) continue;
    usages.push_back(u);
  }
  return usages;
}

std::vector<ExtendedKeyUsage> EffectiveExtendedKeyUsages(const CertificateSpec& spec,
                                                         const CertificateTemplateSpec& tmpl) {
  return spec.extended_key_usages.empty() ? tmpl.extended_key_usages : spec.extended_key_usages;
}

std::vector<OutputFormat> EffectiveOutputFormats(const CertificateSpec& spec, const CertificateProfileSpec& profile) {
  return spec.additional_output_formats ? *spec.additional_output_formats : profile.output.additional_output_formats;
}

SecretTemplate EffectiveSecretTemplate(const CertificateSpec& spec, const CertificateProfileSpec& profile) {
  SecretTemplate out{profile.output.secret_labels, profile.output.secret_annotations};
  for (const auto& [k, v] : spec.secret_template.labels) out.labels.Set(k, v);
  for (const auto& [k, v] : spec.secret_template.annotations) out.annotations.Set(k, v);
  return out;
}

KeyAlgorithm EffectiveKeyAlgorithm(const CertificateAuthoritySpec& spec) {
  return spec.key_algorithm.value_or(kDefaultCaKeyAlgorithm);
}

Duration EffectiveDuration(const CertificateAuthoritySpec& spec) {
  if (spec.duration) return *spec.duration;
  return spec.type == CaType::kRoot ? kDefaultRootDuration : kDefaultIntermediateDuration;
}

Duration EffectiveRenewBefore(const CertificateAuthoritySpec& spec) {
  return spec.renew_before ? *spec.renew_before : EffectiveDuration(spec) / 3;
}

Duration EffectiveRefreshBefore(const CrlSpec& crl) {
  return crl.refresh_before ? *crl.refresh_before : crl.validity / 3;
}

}  // namespace certplane::api

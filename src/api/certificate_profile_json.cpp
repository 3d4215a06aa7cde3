#include "api/certificate_profile_json.h"

#include "api/fields_json.h"
#include "api/well_known.h"

namespace certplane::api {

void DecodeFields(ObjectReader& r, ExternalAccountBinding& out) {
  r.Required("keyID", out.key_id).Required("secretRef", out.secret_ref);
}

void EncodeFields(ObjectWriter& w, const ExternalAccountBinding& in) {
  w.Set("keyID", in.key_id).Set("secretRef", in.secret_ref);
}

void DecodeFields(ObjectReader& r, AcmeValidation& out) { r.Optional("allowedCIDRs", out.allowed_cidrs); }

void EncodeFields(ObjectWriter& w, const AcmeValidation& in) { w.SetIfNotEmpty("allowedCIDRs", in.allowed_cidrs); }

void DecodeFields(ObjectReader& r, AcmeEnrollment& out) {
  r.Optional("challenges", out.challenges)
      .Optional("externalAccountBinding", out.external_account_binding)
      .Optional("allowedAddresses", out.allowed_addresses)
      .Optional("termsOfServiceURL", out.terms_of_service_url)
      .Optional("validation", out.validation);
}

void EncodeFields(ObjectWriter& w, const AcmeEnrollment& in) {
  w.Set("challenges", in.challenges)
      .Set("externalAccountBinding", in.external_account_binding)
      .SetIfNotEmpty("allowedAddresses", in.allowed_addresses)
      .SetIfNotEmpty("termsOfServiceURL", in.terms_of_service_url)
      .SetObjectIfNotEmpty("validation", json_io::EncodeValue(in.validation));
}

// `api: {}` takes no settings; its presence is what counts.
void DecodeFields(ObjectReader& r, Enrollment& out) {
  if (r.Has("api")) {
    const nlohmann::json& api = r.object().at("api");
    if (!api.is_object()) {
      StringMap ignored;  // reports "spec.enrollment.api: want an object ..., got <type>"
      r.Optional("api", ignored);
      return;
    }
    out.api = true;
  }
  r.Optional("acme", out.acme);
}

void EncodeFields(ObjectWriter& w, const Enrollment& in) {
  if (in.api) w.Set("api", StringMap{});
  w.Set("acme", in.acme);
}

void DecodeFields(ObjectReader& r, RenewalDefaults& out) {
  r.Optional("autoRenewByDefault", out.auto_renew_by_default)
      .Optional("renewBeforeDays", out.renew_before_days)
      .Optional("renewBefore", out.renew_before);
}

void EncodeFields(ObjectWriter& w, const RenewalDefaults& in) {
  w.Set("autoRenewByDefault", in.auto_renew_by_default)
      .Set("renewBeforeDays", in.renew_before_days)
      .Set("renewBefore", in.renew_before);
}

void DecodeFields(ObjectReader& r, RevocationOptions& out) {
  r.Optional("revokeSupersededOnRenewal", out.revoke_superseded_on_renewal)
      .Optional("revokeOnDelete", out.revoke_on_delete)
      .Optional("includeOCSPURL", out.include_ocsp_url);
}

void EncodeFields(ObjectWriter& w, const RevocationOptions& in) {
  w.Set("revokeSupersededOnRenewal", in.revoke_superseded_on_renewal)
      .Set("revokeOnDelete", in.revoke_on_delete)
      .Set("includeOCSPURL", in.include_ocsp_url);
}

void DecodeFields(ObjectReader& r, OutputDefaults& out) {
  r.Optional("additionalOutputFormats", out.additional_output_formats)
      .Optional("secretLabels", out.secret_labels)
      .Optional("secretAnnotations", out.secret_annotations);
}

void EncodeFields(ObjectWriter& w, const OutputDefaults& in) {
  w.SetIfNotEmpty("additionalOutputFormats", in.additional_output_formats)
      .SetIfNotEmpty("secretLabels", in.secret_labels)
      .SetIfNotEmpty("secretAnnotations", in.secret_annotations);
}

void DecodeFields(ObjectReader& r, CertificateProfileSpec& out) {
  r.Required("caRef", out.ca_ref)
      .Required("templateRef", out.template_ref)
      .Required("enrollment", out.enrollment)
      .Optional("renewal", out.renewal)
      .Optional("namespaceSelector", out.namespace_selector)
      .Optional("revocation", out.revocation)
      .Optional("output", out.output);
}

void EncodeFields(ObjectWriter& w, const CertificateProfileSpec& in) {
  w.Set("caRef", in.ca_ref)
      .Set("templateRef", in.template_ref)
      .Set("enrollment", in.enrollment)
      .Set("renewal", in.renewal)
      .Set("namespaceSelector", in.namespace_selector)
      .Set("revocation", in.revocation)
      .SetObjectIfNotEmpty("output", json_io::EncodeValue(in.output));
}

void DecodeFields(ObjectReader& r, CertificateReference& out) {
  r.Optional("namespace", out.namespace_)
      .Optional("name", out.name)
      .Optional("serialNumber", out.serial_number)
      .Optional("notAfter", out.not_after);
}

void EncodeFields(ObjectWriter& w, const CertificateReference& in) {
  w.SetIfNotEmpty("namespace", in.namespace_)
      .SetIfNotEmpty("name", in.name)
      .SetIfNotEmpty("serialNumber", in.serial_number)
      .Set("notAfter", in.not_after);
}

void DecodeFields(ObjectReader& r, CertificateProfileStatus& out) {
  r.Optional("conditions", out.conditions)
      .Optional("certificates", out.certificates)
      .Optional("readyCertificates", out.ready_certificates)
      .Optional("latestActiveCertificate", out.latest_active_certificate)
      .Optional("observedGeneration", out.observed_generation);
}

void EncodeFields(ObjectWriter& w, const CertificateProfileStatus& in) {
  w.SetIfNotEmpty("conditions", in.conditions)
      .Set("certificates", in.certificates)
      .Set("readyCertificates", in.ready_certificates)
      .Set("latestActiveCertificate", in.latest_active_certificate)
      .SetIfNotEmpty("observedGeneration", in.observed_generation);
}

void DecodeFields(ObjectReader& r, CertificateProfile& out) {
  r.Required("metadata", out.metadata).Required("spec", out.spec).Optional("status", out.status);
}

void EncodeFields(ObjectWriter& w, const CertificateProfile& in) {
  w.Set("apiVersion", std::string(kApiVersion))
      .Set("kind", std::string(kCertificateProfileKind))
      .Set("metadata", in.metadata)
      .Set("spec", in.spec);
  if (!(in.status == CertificateProfileStatus{})) w.Set("status", in.status);
}

Result<CertificateProfile> DecodeCertificateProfile(const nlohmann::json& object) {
  CertificateProfile out;
  CERTPLANE_RETURN_IF_ERROR(json_io::DecodeRoot(object, kCertificateProfileKind, out));
  return out;
}

nlohmann::json EncodeCertificateProfile(const CertificateProfile& profile) { return json_io::EncodeValue(profile); }
nlohmann::json EncodeCertificateProfileStatus(const CertificateProfileStatus& status) {
  return json_io::EncodeValue(status);
}

}  // namespace certplane::api

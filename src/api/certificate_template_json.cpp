#include "api/certificate_template_json.h"

#include "api/fields_json.h"
#include "api/well_known.h"

namespace certplane::api {

void DecodeFields(ObjectReader& r, PatternRule& out) { r.Optional("allowed", out.allowed); }
// `allowed: []` is written out: it says "none" explicitly, as the example templates do.
void EncodeFields(ObjectWriter& w, const PatternRule& in) { w.Set("allowed", in.allowed); }

void DecodeFields(ObjectReader& r, CommonNameRule& out) {
  r.Optional("allowed", out.allowed).Optional("required", out.required);
}

void EncodeFields(ObjectWriter& w, const CommonNameRule& in) {
  w.Set("allowed", in.allowed).Set("required", in.required);
}

void DecodeFields(ObjectReader& r, SubjectRules& out) {
  r.Optional("commonName", out.common_name)
      .Optional("organization", out.organization)
      .Optional("organizationalUnit", out.organizational_unit)
      .Optional("country", out.country)
      .Optional("locality", out.locality)
      .Optional("province", out.province)
      .Optional("serialNumber", out.serial_number);
}

// Rules that allow nothing are left out; absent and empty mean the same.
void EncodeFields(ObjectWriter& w, const SubjectRules& in) {
  if (!in.common_name.allowed.empty() || in.common_name.required) w.Set("commonName", in.common_name);
  auto rule = [&](std::string_view key, const PatternRule& r) {
    if (!r.allowed.empty()) w.Set(key, r);
  };
  rule("organization", in.organization);
  rule("organizationalUnit", in.organizational_unit);
  rule("country", in.country);
  rule("locality", in.locality);
  rule("province", in.province);
  rule("serialNumber", in.serial_number);
}

void DecodeFields(ObjectReader& r, SubjectAltNameRules& out) {
  r.Optional("dnsNames", out.dns_names)
      .Optional("ipAddresses", out.ip_addresses)
      .Optional("uris", out.uris)
      .Optional("emailAddresses", out.email_addresses);
}

void EncodeFields(ObjectWriter& w, const SubjectAltNameRules& in) {
  auto rule = [&](std::string_view key, const PatternRule& r) {
    if (!r.allowed.empty()) w.Set(key, r);
  };
  rule("dnsNames", in.dns_names);
  rule("ipAddresses", in.ip_addresses);
  rule("uris", in.uris);
  rule("emailAddresses", in.email_addresses);
}

void DecodeFields(ObjectReader& r, CertificateTemplateSpec& out) {
  r.Optional("subject", out.subject)
      .Optional("subjectAltNames", out.subject_alt_names)
      .Optional("keyAlgorithms", out.key_algorithms)
      .Optional("keyUsages", out.key_usages)
      .Optional("extendedKeyUsages", out.extended_key_usages)
      .Optional("defaultDuration", out.default_duration)
      .Optional("maxDuration", out.max_duration)
      .Optional("minDuration", out.min_duration);
}

void EncodeFields(ObjectWriter& w, const CertificateTemplateSpec& in) {
  w.SetObjectIfNotEmpty("subject", json_io::EncodeValue(in.subject))
      .SetObjectIfNotEmpty("subjectAltNames", json_io::EncodeValue(in.subject_alt_names))
      .Set("keyAlgorithms", in.key_algorithms)
      .Set("keyUsages", in.key_usages)
      .Set("extendedKeyUsages", in.extended_key_usages)
      .Set("defaultDuration", in.default_duration)
      .Set("maxDuration", in.max_duration)
      .Set("minDuration", in.min_duration);
}

void DecodeFields(ObjectReader& r, CertificateTemplateStatus& out) {
  r.Optional("conditions", out.conditions).Optional("observedGeneration", out.observed_generation);
}

void EncodeFields(ObjectWriter& w, const CertificateTemplateStatus& in) {
  w.SetIfNotEmpty("conditions", in.conditions).SetIfNotEmpty("observedGeneration", in.observed_generation);
}

void DecodeFields(ObjectReader& r, CertificateTemplate& out) {
  r.Required("metadata", out.metadata).Required("spec", out.spec).Optional("status", out.status);
}

void EncodeFields(ObjectWriter& w, const CertificateTemplate& in) {
  w.Set("apiVersion", std::string(kApiVersion))
      .Set("kind", std::string(kCertificateTemplateKind))
      .Set("metadata", in.metadata)
      .Set("spec", in.spec);
  if (!(in.status == CertificateTemplateStatus{})) w.Set("status", in.status);
}

Result<CertificateTemplate> DecodeCertificateTemplate(const nlohmann::json& object) {
  CertificateTemplate out;
  CERTPLANE_RETURN_IF_ERROR(json_io::DecodeRoot(object, kCertificateTemplateKind, out));
  return out;
}

nlohmann::json EncodeCertificateTemplate(const CertificateTemplate& tmpl) { return json_io::EncodeValue(tmpl); }
nlohmann::json EncodeCertificateTemplateStatus(const CertificateTemplateStatus& status) {
  return json_io::EncodeValue(status);
}

}  // namespace certplane::api

#include "api/certificate_json.h"

#include "api/fields_json.h"
#include "api/well_known.h"

namespace certplane::api {

void DecodeFields(ObjectReader& r, CertificateSubject& out) {
  r.Optional("organizations", out.organizations)
      .Optional("organizationalUnits", out.organizational_units)
      .Optional("countries", out.countries)
      .Optional("localities", out.localities)
      .Optional("provinces", out.provinces)
      .Optional("serialNumber", out.serial_number);
}

void EncodeFields(ObjectWriter& w, const CertificateSubject& in) {
  w.SetIfNotEmpty("organizations", in.organizations)
      .SetIfNotEmpty("organizationalUnits", in.organizational_units)
      .SetIfNotEmpty("countries", in.countries)
      .SetIfNotEmpty("localities", in.localities)
      .SetIfNotEmpty("provinces", in.provinces)
      .SetIfNotEmpty("serialNumber", in.serial_number);
}

void DecodeFields(ObjectReader& r, PrivateKeySpec& out) {
  r.Optional("algorithm", out.algorithm)
      .Optional("encoding", out.encoding)
      .Optional("rotationPolicy", out.rotation_policy);
}

void EncodeFields(ObjectWriter& w, const PrivateKeySpec& in) {
  w.Set("algorithm", in.algorithm).Set("encoding", in.encoding).Set("rotationPolicy", in.rotation_policy);
}

void DecodeFields(ObjectReader& r, SecretTemplate& out) {
  r.Optional("labels", out.labels).Optional("annotations", out.annotations);
}

void EncodeFields(ObjectWriter& w, const SecretTemplate& in) {
  w.SetIfNotEmpty("labels", in.labels).SetIfNotEmpty("annotations", in.annotations);
}

void DecodeFields(ObjectReader& r, OutputFormat& out) {
  r.Required("type", out.type)
      .Optional("passwordSecretRef", out.password_secret_ref)
      .Optional("truststore", out.truststore)
      .Optional("profile", out.profile);
}

void EncodeFields(ObjectWriter& w, const OutputFormat& in) {
  w.Set("type", in.type).Set("passwordSecretRef", in.password_secret_ref);
  if (in.type == OutputFormatType::kPkcs12) {
    w.SetIfNotEmpty("truststore", in.truststore).Set("profile", in.profile);
  }
}

void DecodeFields(ObjectReader& r, RevocationSpec& out) { r.Required("reason", out.reason); }
void EncodeFields(ObjectWriter& w, const RevocationSpec& in) { w.Set("reason", in.reason); }

void DecodeFields(ObjectReader& r, AcmeOrderReference& out) {
  r.Optional("account", out.account).Optional("order", out.order);
}

void EncodeFields(ObjectWriter& w, const AcmeOrderReference& in) {
  w.SetIfNotEmpty("account", in.account).SetIfNotEmpty("order", in.order);
}

void DecodeFields(ObjectReader& r, CertificateSpec& out) {
  // secretName is required unless a CSR stands in for it (the CRD allows exactly one).
  if (r.Has("csr")) {
    r.Optional("secretName", out.secret_name);
  } else {
    r.Required("secretName", out.secret_name);
  }
  r.Required("profileRef", out.profile_ref)
      .Optional("csr", out.csr)
      .Optional("acme", out.acme)
      .Optional("commonName", out.common_name)
      .Optional("subject", out.subject)
      .Optional("dnsNames", out.dns_names)
      .Optional("ipAddresses", out.ip_addresses)
      .Optional("uris", out.uris)
      .Optional("emailAddresses", out.email_addresses)
      .Optional("duration", out.duration)
      .Optional("renewBefore", out.renew_before)
      .Optional("renewBeforeDays", out.renew_before_days)
      .Optional("autoRenew", out.auto_renew)
      .Optional("privateKey", out.private_key)
      .Optional("keyUsages", out.key_usages)
      .Optional("extendedKeyUsages", out.extended_key_usages)
      .Optional("secretTemplate", out.secret_template)
      .Optional("additionalOutputFormats", out.additional_output_formats)
      .Optional("revocation", out.revocation);
}

void EncodeFields(ObjectWriter& w, const CertificateSpec& in) {
  w.Set("profileRef", in.profile_ref)
      .SetIfNotEmpty("secretName", in.secret_name)
      .SetIfNotEmpty("csr", in.csr)
      .Set("acme", in.acme)
      .SetIfNotEmpty("commonName", in.common_name)
      .SetObjectIfNotEmpty("subject", json_io::EncodeValue(in.subject))
      .SetIfNotEmpty("dnsNames", in.dns_names)
      .SetIfNotEmpty("ipAddresses", in.ip_addresses)
      .SetIfNotEmpty("uris", in.uris)
      .SetIfNotEmpty("emailAddresses", in.email_addresses)
      .Set("duration", in.duration)
      .Set("renewBefore", in.renew_before)
      .Set("renewBeforeDays", in.renew_before_days)
      .Set("autoRenew", in.auto_renew)
      .Set("privateKey", in.private_key)
      .SetIfNotEmpty("keyUsages", in.key_usages)
      .SetIfNotEmpty("extendedKeyUsages", in.extended_key_usages)
      .SetObjectIfNotEmpty("secretTemplate", json_io::EncodeValue(in.secret_template))
      .Set("additionalOutputFormats", in.additional_output_formats)
      .Set("revocation", in.revocation);
}

void DecodeFields(ObjectReader& r, CertificateHistoryEntry& out) {
  r.Optional("revision", out.revision)
      .Required("serialNumber", out.serial_number)
      .Optional("notBefore", out.not_before)
      .Optional("notAfter", out.not_after)
      .Optional("revokedAt", out.revoked_at)
      .Optional("revocationReason", out.revocation_reason)
      .Optional("caName", out.ca_name)
      .Optional("crlShard", out.crl_shard);
}

void EncodeFields(ObjectWriter& w, const CertificateHistoryEntry& in) {
  w.SetIfNotEmpty("revision", in.revision)
      .Set("serialNumber", in.serial_number)
      .Set("notBefore", in.not_before)
      .Set("notAfter", in.not_after)
      .Set("revokedAt", in.revoked_at)
      .Set("revocationReason", in.revocation_reason)
      .SetIfNotEmpty("caName", in.ca_name)
      .Set("crlShard", in.crl_shard);
}

void DecodeFields(ObjectReader& r, CertificateStatus& out) {
  r.Optional("conditions", out.conditions)
      .Optional("serialNumber", out.serial_number)
      .Optional("notBefore", out.not_before)
      .Optional("notAfter", out.not_after)
      .Optional("renewalTime", out.renewal_time)
      .Optional("lastIssuanceTime", out.last_issuance_time)
      .Optional("revision", out.revision)
      .Optional("history", out.history)
      .Optional("revokedAt", out.revoked_at)
      .Optional("revocationReason", out.revocation_reason)
      .Optional("caName", out.ca_name)
      .Optional("crlShard", out.crl_shard)
      .Optional("lastFailureTime", out.last_failure_time)
      .Optional("failedIssuanceAttempts", out.failed_issuance_attempts)
      .Optional("unplannedReissues", out.unplanned_reissues)
      .Optional("observedGeneration", out.observed_generation)
      .Optional("certificate", out.certificate);
}

void EncodeFields(ObjectWriter& w, const CertificateStatus& in) {
  w.SetIfNotEmpty("conditions", in.conditions)
      .SetIfNotEmpty("serialNumber", in.serial_number)
      .Set("notBefore", in.not_before)
      .Set("notAfter", in.not_after)
      .Set("renewalTime", in.renewal_time)
      .Set("lastIssuanceTime", in.last_issuance_time)
      .SetIfNotEmpty("revision", in.revision)
      .SetIfNotEmpty("history", in.history)
      .Set("revokedAt", in.revoked_at)
      .Set("revocationReason", in.revocation_reason)
      .SetIfNotEmpty("caName", in.ca_name)
      .Set("crlShard", in.crl_shard)
      .Set("lastFailureTime", in.last_failure_time)
      .SetIfNotEmpty("failedIssuanceAttempts", in.failed_issuance_attempts)
      .SetIfNotEmpty("unplannedReissues", in.unplanned_reissues)
      .SetIfNotEmpty("observedGeneration", in.observed_generation)
      .SetIfNotEmpty("certificate", in.certificate);
}

void DecodeFields(ObjectReader& r, Certificate& out) {
  r.Required("metadata", out.metadata).Required("spec", out.spec).Optional("status", out.status);
}

void EncodeFields(ObjectWriter& w, const Certificate& in) {
  w.Set("apiVersion", std::string(kApiVersion))
      .Set("kind", std::string(kCertificateKind))
      .Set("metadata", in.metadata)
      .Set("spec", in.spec);
  if (!(in.status == CertificateStatus{})) w.Set("status", in.status);
}

Result<Certificate> DecodeCertificate(const nlohmann::json& object) {
  Certificate out;
  CERTPLANE_RETURN_IF_ERROR(json_io::DecodeRoot(object, kCertificateKind, out));
  return out;
}

nlohmann::json EncodeCertificate(const Certificate& certificate) { return json_io::EncodeValue(certificate); }
nlohmann::json EncodeCertificateSpec(const CertificateSpec& spec) { return json_io::EncodeValue(spec); }
nlohmann::json EncodeCertificateStatus(const CertificateStatus& status) { return json_io::EncodeValue(status); }

}  // namespace certplane::api

#include "api/certificate_authority_json.h"

#include "api/fields_json.h"
#include "api/well_known.h"

namespace certplane::api {

void DecodeFields(ObjectReader& r, CaSubject& out) {
  r.Optional("commonName", out.common_name)
      .Optional("organization", out.organization)
      .Optional("organizationalUnit", out.organizational_unit)
      .Optional("country", out.country)
      .Optional("locality", out.locality)
      .Optional("province", out.province);
}

void EncodeFields(ObjectWriter& w, const CaSubject& in) {
  w.SetIfNotEmpty("commonName", in.common_name)
      .SetIfNotEmpty("organization", in.organization)
      .SetIfNotEmpty("organizationalUnit", in.organizational_unit)
      .SetIfNotEmpty("country", in.country)
      .SetIfNotEmpty("locality", in.locality)
      .SetIfNotEmpty("province", in.province);
}

void DecodeFields(ObjectReader& r, SecretReference& out) {
  r.Required("name", out.name).Optional("namespace", out.namespace_);
}

void EncodeFields(ObjectWriter& w, const SecretReference& in) {
  w.Set("name", in.name).SetIfNotEmpty("namespace", in.namespace_);
}

void DecodeFields(ObjectReader& r, NameConstraintSet& out) {
  r.Optional("dnsDomains", out.dns_domains)
      .Optional("ipRanges", out.ip_ranges)
      .Optional("emailAddresses", out.email_addresses)
      .Optional("uriDomains", out.uri_domains);
}

void EncodeFields(ObjectWriter& w, const NameConstraintSet& in) {
  w.SetIfNotEmpty("dnsDomains", in.dns_domains)
      .SetIfNotEmpty("ipRanges", in.ip_ranges)
      .SetIfNotEmpty("emailAddresses", in.email_addresses)
      .SetIfNotEmpty("uriDomains", in.uri_domains);
}

void DecodeFields(ObjectReader& r, NameConstraints& out) {
  r.Optional("critical", out.critical).Optional("permitted", out.permitted).Optional("excluded", out.excluded);
}

void EncodeFields(ObjectWriter& w, const NameConstraints& in) {
  w.Set("critical", in.critical)
      .SetObjectIfNotEmpty("permitted", json_io::EncodeValue(in.permitted))
      .SetObjectIfNotEmpty("excluded", json_io::EncodeValue(in.excluded));
}

void DecodeFields(ObjectReader& r, CrlDeltaSpec& out) {
  r.Optional("validity", out.validity).Optional("distributionPointURLs", out.distribution_point_urls);
}

void EncodeFields(ObjectWriter& w, const CrlDeltaSpec& in) {
  w.Set("validity", in.validity).SetIfNotEmpty("distributionPointURLs", in.distribution_point_urls);
}

void DecodeFields(ObjectReader& r, CrlSpec& out) {
  r.Optional("validity", out.validity)
      .Optional("refreshBefore", out.refresh_before)
      .Optional("distributionPointURLs", out.distribution_point_urls)
      .Optional("shards", out.shards)
      .Optional("maxEntriesPerShard", out.max_entries_per_shard)
      .Optional("delta", out.delta);
}

void EncodeFields(ObjectWriter& w, const CrlSpec& in) {
  w.Set("validity", in.validity)
      .Set("refreshBefore", in.refresh_before)
      .SetIfNotEmpty("distributionPointURLs", in.distribution_point_urls)
      .Set("shards", in.shards)
      .Set("maxEntriesPerShard", in.max_entries_per_shard)
      .Set("delta", in.delta);
}

void DecodeFields(ObjectReader& r, CertificateAuthoritySpec& out) {
  r.Required("type", out.type)
      .Optional("parentRef", out.parent_ref)
      .Optional("secretRef", out.secret_ref)
      .Optional("subject", out.subject)
      .Optional("keyAlgorithm", out.key_algorithm)
      .Optional("duration", out.duration)
      .Optional("renewBefore", out.renew_before)
      .Optional("maxPathLength", out.max_path_length)
      .Optional("nameConstraints", out.name_constraints)
      .Optional("crl", out.crl)
      .Optional("issuerURLs", out.issuer_urls);
}

void EncodeFields(ObjectWriter& w, const CertificateAuthoritySpec& in) {
  w.Set("type", in.type)
      .Set("parentRef", in.parent_ref)
      .Set("secretRef", in.secret_ref)
      .SetObjectIfNotEmpty("subject", json_io::EncodeValue(in.subject))
      .Set("keyAlgorithm", in.key_algorithm)
      .Set("duration", in.duration)
      .Set("renewBefore", in.renew_before)
      .Set("maxPathLength", in.max_path_length)
      .Set("nameConstraints", in.name_constraints)
      .Set("crl", in.crl)
      .SetIfNotEmpty("issuerURLs", in.issuer_urls);
}

void DecodeFields(ObjectReader& r, CrlStatus& out) {
  r.Optional("number", out.number)
      .Optional("thisUpdate", out.this_update)
      .Optional("nextUpdate", out.next_update)
      .Optional("entries", out.entries)
      .Optional("shards", out.shards)
      .Optional("configMapName", out.config_map_name)
      .Optional("deltaNumber", out.delta_number)
      .Optional("deltaNextUpdate", out.delta_next_update);
}

void EncodeFields(ObjectWriter& w, const CrlStatus& in) {
  // number and entries are written even when 0: "CRL 0, no entries" is a fact.
  w.Set("number", in.number)
      .Set("thisUpdate", in.this_update)
      .Set("nextUpdate", in.next_update)
      .Set("entries", in.entries)
      .SetIfNotEmpty("shards", in.shards)
      .SetIfNotEmpty("configMapName", in.config_map_name)
      .SetIfNotEmpty("deltaNumber", in.delta_number)
      .Set("deltaNextUpdate", in.delta_next_update);
}

void DecodeFields(ObjectReader& r, OcspSignerStatus& out) {
  r.Optional("keyID", out.key_id).Optional("serialNumber", out.serial_number).Optional("notAfter", out.not_after);
}

void EncodeFields(ObjectWriter& w, const OcspSignerStatus& in) {
  w.SetIfNotEmpty("keyID", in.key_id).SetIfNotEmpty("serialNumber", in.serial_number).Set("notAfter", in.not_after);
}

void DecodeFields(ObjectReader& r, OcspStatus& out) {
  r.Optional("url", out.url)
      .Optional("secretName", out.secret_name)
      .Optional("signers", out.signers)
      .Optional("issuedSerials", out.issued_serials);
}

void EncodeFields(ObjectWriter& w, const OcspStatus& in) {
  w.SetIfNotEmpty("url", in.url)
      .SetIfNotEmpty("secretName", in.secret_name)
      .SetIfNotEmpty("signers", in.signers)
      .Set("issuedSerials", in.issued_serials);
}

void DecodeFields(ObjectReader& r, CertificateAuthorityStatus& out) {
  r.Optional("conditions", out.conditions)
      .Optional("serialNumber", out.serial_number)
      .Optional("notBefore", out.not_before)
      .Optional("notAfter", out.not_after)
      .Optional("renewalTime", out.renewal_time)
      .Optional("fingerprintSHA256", out.fingerprint_sha256)
      .Optional("certificate", out.certificate)
      .Optional("chain", out.chain)
      .Optional("secretName", out.secret_name)
      .Optional("revision", out.revision)
      .Optional("crl", out.crl)
      .Optional("ocsp", out.ocsp)
      .Optional("observedGeneration", out.observed_generation);
}

void EncodeFields(ObjectWriter& w, const CertificateAuthorityStatus& in) {
  w.SetIfNotEmpty("conditions", in.conditions)
      .SetIfNotEmpty("serialNumber", in.serial_number)
      .Set("notBefore", in.not_before)
      .Set("notAfter", in.not_after)
      .Set("renewalTime", in.renewal_time)
      .SetIfNotEmpty("fingerprintSHA256", in.fingerprint_sha256)
      .SetIfNotEmpty("certificate", in.certificate)
      .SetIfNotEmpty("chain", in.chain)
      .SetIfNotEmpty("secretName", in.secret_name)
      .SetIfNotEmpty("revision", in.revision)
      .Set("crl", in.crl)
      .Set("ocsp", in.ocsp)
      .SetIfNotEmpty("observedGeneration", in.observed_generation);
}

void DecodeFields(ObjectReader& r, CertificateAuthority& out) {
  r.Required("metadata", out.metadata).Required("spec", out.spec).Optional("status", out.status);
}

void EncodeFields(ObjectWriter& w, const CertificateAuthority& in) {
  w.Set("apiVersion", std::string(kApiVersion))
      .Set("kind", std::string(kCertificateAuthorityKind))
      .Set("metadata", in.metadata)
      .Set("spec", in.spec);
  if (!(in.status == CertificateAuthorityStatus{})) w.Set("status", in.status);
}

Result<CertificateAuthority> DecodeCertificateAuthority(const nlohmann::json& object) {
  CertificateAuthority out;
  CERTPLANE_RETURN_IF_ERROR(json_io::DecodeRoot(object, kCertificateAuthorityKind, out));
  return out;
}

nlohmann::json EncodeCertificateAuthority(const CertificateAuthority& ca) { return json_io::EncodeValue(ca); }
nlohmann::json EncodeCertificateAuthorityStatus(const CertificateAuthorityStatus& status) {
  return json_io::EncodeValue(status);
}

}  // namespace certplane::api

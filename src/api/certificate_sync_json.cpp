#include "api/certificate_sync_json.h"

#include "api/fields_json.h"
#include "api/well_known.h"

namespace certplane::api {

void DecodeFields(ObjectReader& r, CertificateSelection& out) {
  r.Optional("names", out.names).Optional("selector", out.selector);
}

void EncodeFields(ObjectWriter& w, const CertificateSelection& in) {
  w.SetIfNotEmpty("names", in.names).Set("selector", in.selector);
}

void DecodeFields(ObjectReader& r, AwsWebIdentity& out) {
  r.Required("roleARN", out.role_arn).Required("serviceAccountName", out.service_account_name);
}

void EncodeFields(ObjectWriter& w, const AwsWebIdentity& in) {
  w.Set("roleARN", in.role_arn).Set("serviceAccountName", in.service_account_name);
}

void DecodeFields(ObjectReader& r, AwsAuth& out) {
  if (r.Has("secretRef")) {
    LocalObjectReference ref;
    r.Optional("secretRef", ref);
    out.secret_name = ref.name;
  }
  r.Optional("webIdentity", out.web_identity);
}

void EncodeFields(ObjectWriter& w, const AwsAuth& in) {
  if (!in.secret_name.empty()) w.Set("secretRef", LocalObjectReference{in.secret_name});
  w.Set("webIdentity", in.web_identity);
}

void DecodeFields(ObjectReader& r, AwsCertificateManagerDestination& out) {
  r.Required("region", out.region)
      .Optional("endpoint", out.endpoint)
      .Optional("preserveARN", out.preserve_arn)
      .Optional("tags", out.tags)
      .Required("auth", out.auth);
}

void EncodeFields(ObjectWriter& w, const AwsCertificateManagerDestination& in) {
  w.Set("region", in.region)
      .SetIfNotEmpty("endpoint", in.endpoint)
      .Set("preserveARN", in.preserve_arn)
      .SetIfNotEmpty("tags", in.tags)
      .Set("auth", in.auth);
}

void DecodeFields(ObjectReader& r, AwsSecretsManagerDestination& out) {
  r.Required("region", out.region)
      .Optional("endpoint", out.endpoint)
      .Optional("nameTemplate", out.name_template)
      .Optional("kmsKeyID", out.kms_key_id)
      .Optional("fields", out.fields)
      .Optional("tags", out.tags)
      .Required("auth", out.auth);
}

void EncodeFields(ObjectWriter& w, const AwsSecretsManagerDestination& in) {
  w.Set("region", in.region)
      .SetIfNotEmpty("endpoint", in.endpoint)
      .Set("nameTemplate", in.name_template)
      .SetIfNotEmpty("kmsKeyID", in.kms_key_id)
      .Set("fields", in.fields)
      .SetIfNotEmpty("tags", in.tags)
      .Set("auth", in.auth);
}

void DecodeFields(ObjectReader& r, AzureWorkloadIdentity& out) {
  r.Required("tenantID", out.tenant_id)
      .Required("clientID", out.client_id)
      .Required("serviceAccountName", out.service_account_name);
}

void EncodeFields(ObjectWriter& w, const AzureWorkloadIdentity& in) {
  w.Set("tenantID", in.tenant_id).Set("clientID", in.client_id).Set("serviceAccountName", in.service_account_name);
}

void DecodeFields(ObjectReader& r, AzureAuth& out) {
  if (r.Has("secretRef")) {
    LocalObjectReference ref;
    r.Optional("secretRef", ref);
    out.secret_name = ref.name;
  }
  r.Optional("workloadIdentity", out.workload_identity).Optional("authorityHost", out.authority_host);
}

void EncodeFields(ObjectWriter& w, const AzureAuth& in) {
  if (!in.secret_name.empty()) w.Set("secretRef", LocalObjectReference{in.secret_name});
  w.Set("workloadIdentity", in.workload_identity).SetIfNotEmpty("authorityHost", in.authority_host);
}

void DecodeFields(ObjectReader& r, AzureKeyVaultDestination& out) {
  r.Required("vaultURL", out.vault_url)
      .Optional("nameTemplate", out.name_template)
      .Optional("format", out.format)
      .Optional("tags", out.tags)
      .Required("auth", out.auth);
}

void EncodeFields(ObjectWriter& w, const AzureKeyVaultDestination& in) {
  w.Set("vaultURL", in.vault_url)
      .Set("nameTemplate", in.name_template)
      .Set("format", in.format)
      .SetIfNotEmpty("tags", in.tags)
      .Set("auth", in.auth);
}

void DecodeFields(ObjectReader& r, CertificateSyncSpec& out) {
  r.Required("certificates", out.certificates)
      .Optional("awsCertificateManager", out.aws_certificate_manager)
      .Optional("awsSecretsManager", out.aws_secrets_manager)
      .Optional("azureKeyVault", out.azure_key_vault)
      .Optional("includeRoot", out.include_root)
      .Optional("deletionPolicy", out.deletion_policy)
      .Optional("caBundle", out.ca_bundle);
}

void EncodeFields(ObjectWriter& w, const CertificateSyncSpec& in) {
  w.Set("certificates", in.certificates)
      .Set("awsCertificateManager", in.aws_certificate_manager)
      .Set("awsSecretsManager", in.aws_secrets_manager)
      .Set("azureKeyVault", in.azure_key_vault)
      .Set("includeRoot", in.include_root)
      .Set("deletionPolicy", in.deletion_policy)
      .SetIfNotEmpty("caBundle", in.ca_bundle);
}

void DecodeFields(ObjectReader& r, SyncedCertificate& out) {
  r.Required("name", out.name)
      .Optional("uid", out.uid)
      .Optional("destinationID", out.destination_id)
      .Optional("version", out.version)
      .Optional("serialNumber", out.serial_number)
      .Optional("syncedAt", out.synced_at)
      .Optional("synced", out.synced)
      .Optional("reason", out.reason)
      .Optional("message", out.message)
      .Optional("failedAttempts", out.failed_attempts)
      .Optional("nextAttemptTime", out.next_attempt_time);
}

void EncodeFields(ObjectWriter& w, const SyncedCertificate& in) {
  w.Set("name", in.name)
      .SetIfNotEmpty("uid", in.uid)
      .SetIfNotEmpty("destinationID", in.destination_id)
      .SetIfNotEmpty("version", in.version)
      .SetIfNotEmpty("serialNumber", in.serial_number)
      .Set("syncedAt", in.synced_at)
      .Set("synced", in.synced)
      .SetIfNotEmpty("reason", in.reason)
      .SetIfNotEmpty("message", in.message)
      .SetIfNotEmpty("failedAttempts", in.failed_attempts)
      .Set("nextAttemptTime", in.next_attempt_time);
}

void DecodeFields(ObjectReader& r, CertificateSyncStatus& out) {
  r.Optional("conditions", out.conditions)
      .Optional("certificates", out.certificates)
      .Optional("syncedCertificates", out.synced_certificates)
      .Optional("observedGeneration", out.observed_generation);
}

void EncodeFields(ObjectWriter& w, const CertificateSyncStatus& in) {
  w.SetIfNotEmpty("conditions", in.conditions)
      .Set("certificates", in.certificates)
      .Set("syncedCertificates", in.synced_certificates)
      .SetIfNotEmpty("observedGeneration", in.observed_generation);
}

void DecodeFields(ObjectReader& r, CertificateSync& out) {
  r.Required("metadata", out.metadata).Required("spec", out.spec).Optional("status", out.status);
}

void EncodeFields(ObjectWriter& w, const CertificateSync& in) {
  w.Set("apiVersion", std::string(kApiVersion))
      .Set("kind", std::string(kCertificateSyncKind))
      .Set("metadata", in.metadata)
      .Set("spec", in.spec);
  if (!(in.status == CertificateSyncStatus{})) w.Set("status", in.status);
}

Result<CertificateSync> DecodeCertificateSync(const nlohmann::json& object) {
  CertificateSync out;
  CERTPLANE_RETURN_IF_ERROR(json_io::DecodeRoot(object, kCertificateSyncKind, out));
  return out;
}

nlohmann::json EncodeCertificateSync(const CertificateSync& sync) { return json_io::EncodeValue(sync); }
nlohmann::json EncodeCertificateSyncStatus(const CertificateSyncStatus& status) { return json_io::EncodeValue(status); }

}  // namespace certplane::api

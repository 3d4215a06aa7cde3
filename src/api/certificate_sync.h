// CertificateSync (certplane.io/v1alpha1, namespaced): pushes Certificates of its
// namespace to one external key store (AWS Certificate Manager, AWS Secrets Manager or
// Azure Key Vault), and pushes again after every renewal.
//
// Plain structs mirroring crds/certplane.io_certificatesyncs.yaml; see the CRD (or
// `kubectl explain certificatesync.spec`) for what each field means. The CRD's CEL rules
// guarantee exactly one destination and one way of selecting certificates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/meta.h"
#include "api/time.h"

namespace certplane::api {

// Which Certificates of the namespace: by name, or by label selector.
struct CertificateSelection {
  std::vector<std::string> names;
  std::optional<LabelSelector> selector;

  bool operator==(const CertificateSelection&) const = default;
};

struct AwsWebIdentity {
  std::string role_arn;
  // The ServiceAccount of the sync's namespace whose token (audience sts.amazonaws.com)
  // is exchanged for the role's credentials.
  std::string service_account_name;

  bool operator==(const AwsWebIdentity&) const = default;
};

// AWS credentials: a Secret of the namespace (accessKeyId, secretAccessKey, optional
// sessionToken), or web identity.
struct AwsAuth {
  std::string secret_name;
  std::optional<AwsWebIdentity> web_identity;

  bool operator==(const AwsAuth&) const = default;
};

struct AwsCertificateManagerDestination {
  std::string region;
  std::string endpoint;  // empty: https://acm.<region>.amazonaws.com
  bool preserve_arn = true;
  StringMap tags;
  AwsAuth auth;

  bool operator==(const AwsCertificateManagerDestination&) const = default;
};

struct AwsSecretsManagerDestination {
  std::string region;
  std::string endpoint;  // empty: https://secretsmanager.<region>.amazonaws.com
  std::string name_template = "certplane/{namespace}/{name}";
  std::string kms_key_id;
  // Which members the secret's JSON value holds: certificate, privateKey, chain, ca.
  std::vector<std::string> fields{"certificate", "privateKey", "chain", "ca"};
  StringMap tags;
  AwsAuth auth;

  bool operator==(const AwsSecretsManagerDestination&) const = default;
};

// Azure credentials: a Secret of the namespace (tenantId, clientId, clientSecret), or
// workload identity (a federated ServiceAccount token as the client assertion).
struct AzureWorkloadIdentity {
  std::string tenant_id;
  std::string client_id;
  std::string service_account_name;

  bool operator==(const AzureWorkloadIdentity&) const = default;
};

struct AzureAuth {
  std::string secret_name;
  std::optional<AzureWorkloadIdentity> workload_identity;
  std::string authority_host;  // empty: https://login.microsoftonline.com

  bool operator==(const AzureAuth&) const = default;
};

struct AzureKeyVaultDestination {
  std::string vault_url;
  std::string name_template = "{namespace}-{name}-{uid}";
  std::string format = "PKCS12";  // or "PEM"
  StringMap tags;
  AzureAuth auth;

  bool operator==(const AzureKeyVaultDestination&) const = default;
};

struct CertificateSyncSpec {
  CertificateSelection certificates;
  std::optional<AwsCertificateManagerDestination> aws_certificate_manager;
  std::optional<AwsSecretsManagerDestination> aws_secrets_manager;
  std::optional<AzureKeyVaultDestination> azure_key_vault;
  bool include_root = false;
  // Remove what was pushed when a Certificate is revoked, deleted or deselected, or the
  // sync is deleted ("Remove", the default), or leave it ("Retain").
  std::string deletion_policy = "Remove";
  // PEM CA certificates to trust for the destination's endpoints instead of the system
  // roots (a private endpoint's CA).
  std::string ca_bundle;

  bool operator==(const CertificateSyncSpec&) const = default;
};

// One Certificate's state at the destination.
struct SyncedCertificate {
  std::string name;
  std::string uid;
  std::string destination_id;  // ARN, secret ARN, Key Vault certificate id
  std::string version;         // Secrets Manager VersionId, Key Vault version
  std::string serial_number;   // the serial pushed
  std::optional<Time> synced_at;
  // The Synced condition of this certificate, flattened: "True"/"False", reason, message.
  std::string synced = "Unknown";
  std::string reason;
  std::string message;
  std::int32_t failed_attempts = 0;
  std::optional<Time> next_attempt_time;

  bool operator==(const SyncedCertificate&) const = default;
};

struct CertificateSyncStatus {
  std::vector<Condition> conditions;
  std::vector<SyncedCertificate> certificates;  // by name
  std::int32_t synced_certificates = 0;         // entries whose current serial is pushed
  std::int64_t observed_generation = 0;

  bool operator==(const CertificateSyncStatus&) const = default;
};

struct CertificateSync {
  ObjectMeta metadata;
  CertificateSyncSpec spec;
  CertificateSyncStatus status;

  bool operator==(const CertificateSync&) const = default;
};

}  // namespace certplane::api

// SecretsManagerDestination: writes a certificate, its key and its chain as one JSON
// secret in AWS Secrets Manager, for workloads outside the cluster that read secrets
// from there.
//
//   SecretsManagerDestination sm(transport, credentials,
//       {.region = "eu-west-1", .kms_key_id = "alias/certs", .tags = {{"team", "shop"}}});
//   SyncResult<PushResult> pushed = sm.Push({.certificate_uid = uid, .certificate = "shop/frontend",
//                                            .name = "prod/shop/frontend-tls", .known_id = status_arn},
//                                           material);
//   // pushed->id: the secret's ARN; pushed->version: its VersionId
//
// The value is {"certificate": leaf PEM, "privateKey": PKCS#8 PEM, "chain": PEM,
// "ca": PEM} by default; `fields` picks a subset or renames the keys. A secret of that
// name that certplane did not create for this Certificate (no certplane.io/certificate-uid
// tag with its uid) is never overwritten nor deleted: the push fails with
// kFailedPrecondition. A secret of ours that is scheduled for deletion is restored.
// The KMS key and tags are set when the secret is created; later pushes change only
// the value.
//
// IAM actions used: secretsmanager:DescribeSecret, CreateSecret, TagResource (tags on
// create), PutSecretValue, RestoreSecret, DeleteSecret; with kms_key_id, that key's
// kms:GenerateDataKey and kms:Decrypt.
#pragma once

#include <string>
#include <vector>

#include "sync/aws/credentials.h"
#include "sync/aws/json_call.h"
#include "sync/aws/secrets_manager_messages.h"
#include "sync/aws/tags.h"
#include "sync/destination.h"

namespace certplane::sync::aws {

struct SecretsManagerOptions {
  std::string region;
  std::string endpoint;    // empty: https://secretsmanager.<region>.amazonaws.com
  std::string kms_key_id;  // empty: the account's AWS managed key; used when creating
  std::vector<SecretField> fields = DefaultSecretFields();
  TagMap tags;  // the user's, added to certplane's when creating
  Clock clock;  // empty: the system clock (for signing)
};

class SecretsManagerDestination final : public Destination {
 public:
  // transport and credentials must outlive the destination. Safe to call from several
  // threads at once (it holds no state between calls).
  SecretsManagerDestination(HttpTransport& transport, AwsCredentialsProvider& credentials,
                            SecretsManagerOptions options);

  // target.name is the secret's name (required); target.known_id its ARN when known.
  SyncResult<PushResult> Push(const PushTarget& target, const CertificateMaterial& material) override;
  SyncStatus Remove(const PushTarget& target) override;

 private:
  // DescribeSecret of the known ARN, else (or when that is gone) of the name.
  SyncResult<SecretDescription> Describe(const PushTarget& target);
  SyncResult<PushResult> Create(const PushTarget& target, const SensitiveString& value, const std::string& token);
  SyncResult<PushResult> Update(const PushTarget& target, const SecretDescription& secret, const SensitiveString& value,
                                const std::string& token);

  SecretsManagerOptions options_;
  AwsJsonClient client_;
};

}  // namespace certplane::sync::aws

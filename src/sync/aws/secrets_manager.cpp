#include "sync/aws/secrets_manager.h"

#include <utility>

#include "sync/aws/encoding.h"
#include "sync/aws/errors.h"

namespace certplane::sync::aws {

using json = nlohmann::json;

namespace {
AwsServiceOptions SecretsManagerService(const SecretsManagerOptions& options) {
  return {.region = options.region,
          .endpoint = options.endpoint,
          .signing_name = "secretsmanager",
          .target_prefix = "secretsmanager",
          .clock = options.clock};
}

SyncError NotOurs(const PushTarget& target, const SecretDescription& secret) {
  const std::string& name = secret.name.empty() ? target.name : secret.name;
  return SyncError{Status(StatusCode::kFailedPrecondition,
                          "secret " + name + " exists and is not certplane's for " + target.certificate),
                   "", std::nullopt};
}
}  // namespace

SecretsManagerDestination::SecretsManagerDestination(HttpTransport& transport, AwsCredentialsProvider& credentials,
                                                     SecretsManagerOptions options)
    : options_(std::move(options)), client_(transport, credentials, SecretsManagerService(options_)) {}

SyncResult<SecretDescription> SecretsManagerDestination::Describe(const PushTarget& target) {
  const std::string& first = target.known_id.empty() ? target.name : target.known_id;
  SyncResult<json> answer = client_.Call("DescribeSecret", {{"SecretId", first}});
  if (!answer.ok() && IsNotFound(answer.error()) && !target.known_id.empty() && !target.name.empty() &&
      target.name != target.known_id) {
    answer = client_.Call("DescribeSecret", {{"SecretId", target.name}});
  }
  if (!answer.ok()) return answer.error();
  return ReadSecretDescription(*answer);
}

SyncResult<PushResult> SecretsManagerDestination::Create(const PushTarget& target, const SensitiveString& value,
                                                         const std::string& token) {
  json body = {{"Name", target.name},
               {"SecretString", value.view()},
               {"ClientRequestToken", token},
               {"Tags", TagList(CertplaneTags(target, options_.tags))}};
  if (!options_.kms_key_id.empty()) body["KmsKeyId"] = options_.kms_key_id;
  SyncResult<json> answer = client_.Call("CreateSecret", body, {value.view()});
  if (!answer.ok()) return answer.error();
  SyncResult<SecretVersion> version = ReadSecretVersion(*answer);
  if (!version.ok()) return version.error();
  return PushResult{.id = version->arn, .version = version->version_id};
}

SyncResult<PushResult> SecretsManagerDestination::Update(const PushTarget& target, const SecretDescription& secret,
                                                         const SensitiveString& value, const std::string& token) {
  if (!TaggedFor(secret.tags, target.certificate_uid)) return NotOurs(target, secret);
  if (secret.scheduled_for_deletion) {
    SyncResult<json> restored = client_.Call("RestoreSecret", {{"SecretId", secret.arn}});
    if (!restored.ok()) return restored.error();
  }
  SyncResult<json> answer = client_.Call(
      "PutSecretValue", {{"SecretId", secret.arn}, {"SecretString", value.view()}, {"ClientRequestToken", token}},
      {value.view()});
  if (!answer.ok()) return answer.error();
  SyncResult<SecretVersion> version = ReadSecretVersion(*answer);
  if (!version.ok()) return version.error();
  return PushResult{.id = version->arn, .version = version->version_id, .adopted = target.known_id != secret.arn};
}

SyncResult<PushResult> SecretsManagerDestination::Push(const PushTarget& target, const CertificateMaterial& material) {
  if (target.name.empty()) {
    return SyncError{Status(StatusCode::kInvalidArgument, "no secret name for " + target.certificate), "",
                     std::nullopt};
  }
  const SensitiveString value = SecretValue(material, options_.fields);
  // The same push retried gets the same token, so Secrets Manager does not add a second
  // version. The value's hash stands in for the value: a token is not secret.
  const std::string token = ClientRequestToken({target.certificate_uid, material.serial_hex, Sha256Hex(value.view())});

  SyncResult<SecretDescription> secret = Describe(target);
  if (secret.ok()) return Update(target, *secret, value, token);
  if (!IsNotFound(secret.error())) return secret.error();

  SyncResult<PushResult> created = Create(target, value, token);
  if (created.ok() || created.error().code != "ResourceExistsException") return created;
  // Created by someone else between our describe and create (another replica, a
  // person): judge it like any existing secret.
  secret = Describe(target);
  if (!secret.ok()) return secret.error();
  return Update(target, *secret, value, token);
}

SyncStatus SecretsManagerDestination::Remove(const PushTarget& target) {
  if (target.name.empty() && target.known_id.empty()) return std::monostate{};
  SyncResult<SecretDescription> secret = Describe(target);
  if (!secret.ok()) {
    if (IsNotFound(secret.error())) return std::monostate{};
    return secret.error();
  }
  if (!TaggedFor(secret->tags, target.certificate_uid)) return NotOurs(target, *secret);
  // Already on its way out: deleting again would be refused, and the outcome is the same.
  if (secret->scheduled_for_deletion) return std::monostate{};
  SyncResult<json> answer =
      client_.Call("DeleteSecret", {{"SecretId", secret->arn}, {"ForceDeleteWithoutRecovery", true}});
  if (!answer.ok() && !IsNotFound(answer.error())) return answer.error();
  return std::monostate{};
}

}  // namespace certplane::sync::aws

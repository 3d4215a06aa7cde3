// The Secrets Manager requests certplane sends and the answers it reads, as pure
// functions over JSON (secrets_manager.cpp sends them; unit tests and fuzzers call them).
//
//   SensitiveString value = SecretValue(material, DefaultSecretFields());
//   std::string token = ClientRequestToken(uid, serial);  // same inputs, same token
//   SyncResult<SecretDescription> d = ReadSecretDescription(answer);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/sensitive_string.h"
#include "sync/aws/tags.h"
#include "sync/destination.h"

namespace certplane::sync::aws {

// One member of the secret's JSON value: which part of the material, under which key.
struct SecretField {
  enum class Part { kCertificate, kPrivateKey, kChain, kCa };
  Part part;
  std::string key;
};

// certificate (leaf PEM), privateKey, chain (intermediates, then the root when the sync
// includes it), ca (the trust anchor).
std::vector<SecretField> DefaultSecretFields();

// The secret's value: a JSON object of the chosen fields, compact. Parts that are empty
// in the material are written as "" so readers always find the keys they configured.
SensitiveString SecretValue(const CertificateMaterial& material, const std::vector<SecretField>& fields);

// A UUID-shaped (8-4-4-4-12 lower-case hex, version 5 and RFC 4122 variant bits)
// token derived from SHA-256 of the parts: Secrets Manager treats a retried call with
// the same token as the same call, so a create or put retried after a lost answer does
// not make a second version.
std::string ClientRequestToken(const std::vector<std::string_view>& parts);

// What DescribeSecret says about a secret.
struct SecretDescription {
  std::string arn;
  std::string name;
  std::string kms_key_id;  // empty when the AWS managed key is used
  TagMap tags;
  bool scheduled_for_deletion = false;  // DeletedDate present
};

// kUnavailable when ARN is missing or a member has the wrong type.
SyncResult<SecretDescription> ReadSecretDescription(const nlohmann::json& answer);

// CreateSecret's and PutSecretValue's ARN and VersionId (VersionId may be absent when a
// retried call changed nothing; ARN may not).
struct SecretVersion {
  std::string arn;
  std::string version_id;
};
SyncResult<SecretVersion> ReadSecretVersion(const nlohmann::json& answer);

}  // namespace certplane::sync::aws

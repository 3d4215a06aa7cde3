#include "sync/aws/secrets_manager_messages.h"

#include <openssl/crypto.h>

#include "sync/aws/encoding.h"

namespace certplane::sync::aws {

using json = nlohmann::json;

namespace {
SyncError Malformed(std::string what) {
  return SyncError{Status(StatusCode::kUnavailable, "Secrets Manager answered " + std::move(what)), "", std::nullopt};
}

// The string member `key`, "" when absent or null; nullopt when it has another type.
std::optional<std::string> OptionalString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}
}  // namespace

std::vector<SecretField> DefaultSecretFields() {
  return {{SecretField::Part::kCertificate, "certificate"},
          {SecretField::Part::kPrivateKey, "privateKey"},
          {SecretField::Part::kChain, "chain"},
          {SecretField::Part::kCa, "ca"}};
}

SensitiveString SecretValue(const CertificateMaterial& material, const std::vector<SecretField>& fields) {
  json value = json::object();
  for (const SecretField& field : fields) {
    switch (field.part) {
      case SecretField::Part::kCertificate: value[field.key] = material.certificate_pem; break;
      case SecretField::Part::kPrivateKey: value[field.key] = std::string(material.private_key_pem.view()); break;
      case SecretField::Part::kChain: value[field.key] = material.chain_pem; break;
      case SecretField::Part::kCa: value[field.key] = material.ca_pem; break;
    }
  }
  std::string text = value.dump();
  SensitiveString out(text);
  OPENSSL_cleanse(text.data(), text.size());
  // The key's copy inside `value` is freed without cleansing: nlohmann::json offers no
  // hook for it. It lives only for this call.
  return out;
}

std::string ClientRequestToken(const std::vector<std::string_view>& parts) {
  std::string input;
  for (std::string_view part : parts) {
    input += std::to_string(part.size());  // length-prefixed, so ("ab","c") != ("a","bc")
    input += ':';
    input += part;
  }
  std::string hex = Sha256Hex(input).substr(0, 32);
  hex[12] = '5';  // version
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

SyncResult<SecretDescription> ReadSecretDescription(const json& answer) {
  if (!answer.is_object()) return Malformed("DescribeSecret with something that is not an object");
  SecretDescription out;
  std::optional<std::string> arn = OptionalString(answer, "ARN");
  if (!arn || arn->empty()) return Malformed("DescribeSecret without an ARN");
  out.arn = std::move(*arn);
  std::optional<std::string> name = OptionalString(answer, "Name");
  std::optional<std::string> kms = OptionalString(answer, "KmsKeyId");
  if (!name || !kms) return Malformed("DescribeSecret with a Name or KmsKeyId that is not a string");
  out.name = std::move(*name);
  out.kms_key_id = std::move(*kms);
  SyncResult<TagMap> tags = ReadTagList(answer, "Tags");
  if (!tags.ok()) return tags.error();
  out.tags = *tags;
  auto deleted = answer.find("DeletedDate");
  out.scheduled_for_deletion = deleted != answer.end() && !deleted->is_null();
  return out;
}

SyncResult<SecretVersion> ReadSecretVersion(const json& answer) {
  if (!answer.is_object()) return Malformed("with something that is not an object");
  std::optional<std::string> arn = OptionalString(answer, "ARN");
  std::optional<std::string> version = OptionalString(answer, "VersionId");
  if (!arn || arn->empty()) return Malformed("without an ARN");
  if (!version) return Malformed("with a VersionId that is not a string");
  return SecretVersion{std::move(*arn), std::move(*version)};
}

}  // namespace certplane::sync::aws

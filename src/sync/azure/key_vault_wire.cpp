#include "sync/azure/key_vault_wire.h"

#include <openssl/crypto.h>

#include <utility>

#include <nlohmann/json.hpp>

#include "base/text.h"
#include "sync/azure/challenge.h"
#include "sync/azure/errors.h"

namespace certplane::sync::azure {
namespace {

using json = nlohmann::json;

SyncError BadBundle(std::string what) {
  return SyncError{.status = InvalidArgument("Key Vault answered a certificate bundle " + std::move(what)),
                   .code = "InvalidCertificateBundle"};
}

std::string StringField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Status ValidateCertificateName(std::string_view name) {
  if (name.empty() || name.size() > 127) {
    return InvalidArgument("Key Vault certificate name \"" + std::string(name) +
                           "\" must be 1 to 127 characters, not " + std::to_string(name.size()));
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!ok) {
      return InvalidArgument("Key Vault certificate name \"" + std::string(name) + "\" has '" + std::string(1, c) +
                             "' at " + std::to_string(i) + "; only 0-9, a-z, A-Z and - are allowed");
    }
  }
  return Status::Ok();
}

KeyVaultRequests::KeyVaultRequests(std::string_view vault_url, std::string api_version)
    : api_version_(std::move(api_version)) {
  while (!vault_url.empty() && vault_url.back() == '/') vault_url.remove_suffix(1);
  vault_url_ = std::string(vault_url);
}

HttpRequest KeyVaultRequests::Make(std::string method, const std::string& path, const SensitiveString& token) const {
  HttpRequest request;
  request.method = std::move(method);
  request.url = vault_url_ + path + "?api-version=" + api_version_;
  request.headers.push_back({"Authorization", "Bearer " + std::string(token.view())});
  request.headers.push_back({"Accept", "application/json"});
  return request;
}

HttpRequest KeyVaultRequests::GetCertificate(std::string_view name, const SensitiveString& token) const {
  return Make("GET", "/certificates/" + std::string(name), token);
}

HttpRequest KeyVaultRequests::GetCertificateVersion(std::string_view name, std::string_view version,
                                                    const SensitiveString& token) const {
  return Make("GET", "/certificates/" + std::string(name) + "/" + std::string(version), token);
}

HttpRequest KeyVaultRequests::Import(std::string_view name, std::string_view body, const SensitiveString& token) const {
  HttpRequest request = Make("POST", "/certificates/" + std::string(name) + "/import", token);
  request.headers.push_back({"Content-Type", "application/json"});
  request.body = std::string(body);
  return request;
}

HttpRequest KeyVaultRequests::Delete(std::string_view name, const SensitiveString& token) const {
  return Make("DELETE", "/certificates/" + std::string(name), token);
}

HttpRequest KeyVaultRequests::GetDeleted(std::string_view name, const SensitiveString& token) const {
  return Make("GET", "/deletedcertificates/" + std::string(name), token);
}

HttpRequest KeyVaultRequests::Recover(std::string_view name, const SensitiveString& token) const {
  HttpRequest request = Make("POST", "/deletedcertificates/" + std::string(name) + "/recover", token);
  request.headers.push_back({"Content-Type", "application/json"});
  return request;
}

HttpRequest KeyVaultRequests::Purge(std::string_view name, const SensitiveString& token) const {
  return Make("DELETE", "/deletedcertificates/" + std::string(name), token);
}

SensitiveString BuildImportBody(const ImportValue& value, const std::map<std::string, std::string>& tags) {
  json key_props = {{"exportable", true}, {"kty", value.kty}, {"reuse_key", false}};
  if (value.key_size > 0) key_props["key_size"] = value.key_size;
  if (!value.crv.empty()) key_props["crv"] = value.crv;
  json body = {
      {"value", value.value_base64.view()},
      {"policy", {{"key_props", key_props}, {"secret_props", {{"contentType", value.content_type}}}}},
      {"tags", tags},
      {"attributes", {{"enabled", true}}},
  };
  if (!value.password.empty()) body["pwd"] = value.password.view();
  std::string text = body.dump();
  SensitiveString out(text);
  OPENSSL_cleanse(text.data(), text.size());
  // The json tree's own copies of value and pwd are freed without a wipe: nlohmann
  // offers no hook for it. They live only for this call.
  return out;
}

SyncResult<CertificateBundle> ParseCertificateBundle(std::string_view text) {
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return BadBundle("that is not a JSON object");
  CertificateBundle out;
  out.id = StringField(body, "id");
  // .../certificates/{name}/{version}: the last two segments.
  const std::size_t marker = out.id.find("/certificates/");
  if (marker == std::string::npos) return BadBundle("without an id of the form .../certificates/{name}/{version}");
  const std::string rest = out.id.substr(marker + std::string_view("/certificates/").size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size() ||
      rest.find('/', slash + 1) != std::string::npos) {
    return BadBundle("with id \"" + out.id + "\", not .../certificates/{name}/{version}");
  }
  out.name = rest.substr(0, slash);
  out.version = rest.substr(slash + 1);
  out.x5t = StringField(body, "x5t");
  out.cer = StringField(body, "cer");
  out.recovery_id = StringField(body, "recoveryId");
  if (auto tags = body.find("tags"); tags != body.end() && !tags->is_null()) {
    if (!tags->is_object()) return BadBundle("whose tags are not an object");
    for (const auto& [k, v] : tags->items()) {
      if (!v.is_string()) return BadBundle("whose tag \"" + k + "\" is not a string");
      out.tags[k] = v.get<std::string>();
    }
  }
  return out;
}

SyncError KeyVaultError(const HttpResponse& response, std::string_view our_tenant) {
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string code;
  std::string message;
  std::string inner;
  if (body.is_object()) {
    if (auto error = body.find("error"); error != body.end() && error->is_object()) {
      code = StringField(*error, "code");
      message = StringField(*error, "message");
      if (auto in = error->find("innererror"); in != error->end() && in->is_object()) inner = StringField(*in, "code");
    }
  }
  if (code.empty()) {
    code = "HTTP" + std::to_string(response.status);
    message = "Key Vault answered " + std::to_string(response.status) + " without an error object";
  }
  if (!inner.empty()) message += " (inner: " + inner + ")";
  if (response.status == 401) {
    std::optional<BearerChallenge> challenge = ParseBearerChallenge(response.Header("WWW-Authenticate"));
    if (challenge.has_value()) {
      const std::string wanted = !challenge->scope.empty() ? challenge->scope : challenge->resource;
      if (!challenge->tenant.empty() && AsciiLower(challenge->tenant) != AsciiLower(our_tenant)) {
        message += "; the vault trusts tenant " + challenge->tenant + " (authority " + challenge->authorization +
                   ") but the credential is for tenant " + std::string(our_tenant);
      } else {
        message += "; the vault asks for a token from " + challenge->authorization;
      }
      if (!wanted.empty()) message += " for " + wanted;
    }
  }
  return HttpError(response, std::move(code), message);
}

}  // namespace certplane::sync::azure

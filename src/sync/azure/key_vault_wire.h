// What certplane says to Key Vault and how it reads the answers (REST API 7.4,
// "Certificates"): the requests as values, the certificate bundle and error parsers, the
// import body. Pure, so every request and every error mapping is unit-tested and the
// parsers are fuzzed.
//
//   KeyVaultRequests kv("https://shop.vault.azure.net", "7.4");
//   HttpRequest get = kv.GetCertificate("web-tls", token);
//   SyncResult<CertificateBundle> bundle = ParseCertificateBundle(response.body);
//   SyncError error = KeyVaultError(response, "our-tenant");
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "sync/azure/import_value.h"
#include "sync/destination.h"
#include "sync/exchange.h"

namespace certplane::sync::azure {

// Key Vault object names: 1 to 127 of [0-9a-zA-Z-]. InvalidArgument naming the name and
// the first character that is not allowed.
Status ValidateCertificateName(std::string_view name);

// Builds each call's request: the vault URL (without a trailing slash), the path, the
// api-version query, the bearer token and, for bodies, the JSON content type.
class KeyVaultRequests {
 public:
  KeyVaultRequests(std::string_view vault_url, std::string api_version);

  const std::string& vault_url() const { return vault_url_; }

  HttpRequest GetCertificate(std::string_view name, const SensitiveString& token) const;
  HttpRequest GetCertificateVersion(std::string_view name, std::string_view version,
                                    const SensitiveString& token) const;
  HttpRequest Import(std::string_view name, std::string_view body, const SensitiveString& token) const;
  HttpRequest Delete(std::string_view name, const SensitiveString& token) const;
  HttpRequest GetDeleted(std::string_view name, const SensitiveString& token) const;
  HttpRequest Recover(std::string_view name, const SensitiveString& token) const;
  HttpRequest Purge(std::string_view name, const SensitiveString& token) const;

 private:
  HttpRequest Make(std::string method, const std::string& path, const SensitiveString& token) const;
  std::string vault_url_;
  std::string api_version_;
};

// The import body: value, pwd (PKCS#12), policy (key_props: exportable, kty, key_size or
// crv, reuse_key false; secret_props: contentType), tags, attributes.enabled. Sensitive:
// it holds the private key.
SensitiveString BuildImportBody(const ImportValue& value, const std::map<std::string, std::string>& tags);

// A CertificateBundle or DeletedCertificateBundle, the fields certplane reads.
struct CertificateBundle {
  std::string id;       // https://{vault}/certificates/{name}/{version}
  std::string name;     // from id
  std::string version;  // from id
  std::string x5t;      // base64url SHA-1 thumbprint; empty when absent
  std::string cer;      // base64 DER of the leaf; empty when absent
  std::map<std::string, std::string> tags;
  std::string recovery_id;  // deleted bundles only
};

// InvalidArgument (code "InvalidCertificateBundle") when the body is not a JSON object,
// has no string "id" of the form .../certificates/{name}/{version}, or has tags that are
// not an object of strings.
SyncResult<CertificateBundle> ParseCertificateBundle(std::string_view text);

// What a failed answer says: Key Vault's {"error":{"code","message","innererror"}}
// mapped by HTTP status (errors.h), the code as SyncError::code, the message as "code:
// message" (plus " (inner: code)"). On 401 the WWW-Authenticate challenge is read and
// the message says which tenant and resource the vault expects, and that it is another
// tenant when its authority's tenant is not `our_tenant`.
SyncError KeyVaultError(const HttpResponse& response, std::string_view our_tenant);

}  // namespace certplane::sync::azure

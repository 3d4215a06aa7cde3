// Access tokens for Azure Key Vault from Microsoft Entra ID, by the OAuth 2.0 client
// credentials grant: a client secret (an app registration's secret kept in a Secret),
// or a client assertion (workload identity federation: the pod's projected
// service-account token, audience api://AzureADTokenExchange, exchanged for a token).
//
//   AzureCredentialOptions opts{.tenant_id = "72f9...", .client_id = "5b1e...",
//                               .scope = KeyVaultScope("https://shop.vault.azure.net")};
//   ClientSecretCredential tokens(transport, opts, SensitiveString(secret));
//   ClientAssertionCredential federated(transport, opts, [] { return ReadFile(token_path); });
//   SyncResult<AccessToken> token = tokens.Get();  // cached until 5 minutes before expiry
//
// The request building and response parsing below are pure, so they are unit-tested and
// fuzzed without a network. No client secret, assertion or access token ever appears in
// a message: an error text that happens to contain one has it replaced by "[redacted]".
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "sync/destination.h"
#include "sync/exchange.h"

namespace certplane::sync::azure {

using Clock = std::function<std::chrono::system_clock::time_point()>;

inline constexpr const char* kDefaultAuthority = "https://login.microsoftonline.com";
inline constexpr const char* kJwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
// A cached token is used until this long before it expires.
inline constexpr std::chrono::minutes kTokenRefreshMargin{5};

struct AccessToken {
  SensitiveString token;
  std::chrono::system_clock::time_point expires_on;
};

struct AzureCredentialOptions {
  std::string tenant_id;  // a GUID or a verified domain
  std::string client_id;  // the application (client) id
  // Entra ID's endpoint; another for sovereign clouds (https://login.microsoftonline.us)
  // or the tests' server. No trailing slash needed.
  std::string authority = kDefaultAuthority;
  std::string scope = "https://vault.azure.net/.default";  // see KeyVaultScope()
};

// The scope of the resource a vault belongs to: "https://vault.azure.net/.default" for
// https://shop.vault.azure.net, "https://vault.azure.cn/.default" for a vault in Azure
// China, and so on (the host without its first label). A vault URL whose host is an
// address or a single label (a test server) gets the public cloud's scope.
// InvalidArgument when vault_url is not an https URL.
Result<std::string> KeyVaultScope(std::string_view vault_url);

// application/x-www-form-urlencoded: every byte but [A-Za-z0-9-._~] as %XX.
std::string FormEncode(std::string_view value);

// What the client proves itself with, for BuildTokenRequest.
struct TokenGrant {
  enum class Kind { kClientSecret, kClientAssertion } kind = Kind::kClientSecret;
  const SensitiveString* credential = nullptr;  // the secret or the assertion; not owned
};

// POST {authority}/{tenant}/oauth2/v2.0/token with the form body of the client
// credentials grant.
HttpRequest BuildTokenRequest(const AzureCredentialOptions& options, const TokenGrant& grant);

// The token of a 200 answer: access_token and expires_in (a number or a numeric string,
// as some authorities send), expiring at now + expires_in. Any other answer is the
// error it says: error / error_description (AADSTS codes) as the message, invalid_client,
// unauthorized_client and invalid_grant -> kUnauthenticated, invalid_scope and
// invalid_request -> kInvalidArgument; 429 -> kResourceExhausted with Retry-After;
// 5xx -> kUnavailable; a 200 without a usable token -> kUnavailable (a broken proxy).
// `redact` (the secret or assertion) is replaced by "[redacted]" wherever it appears.
SyncResult<AccessToken> ParseTokenResponse(const HttpResponse& response, std::chrono::system_clock::time_point now,
                                           std::string_view redact = {});

// Gives a bearer token for the one scope its credential was made for. Implementations
// are safe to call from several threads at once.
class AzureTokenProvider {
 public:
  virtual ~AzureTokenProvider() = default;
  virtual SyncResult<AccessToken> Get() = 0;
  // The tenant the tokens come from, to compare with the one a vault's 401 names.
  virtual std::string tenant_id() const = 0;
};

// The cache and the exchange shared by both credentials; they differ only in what they
// prove themselves with.
class CachingTokenProvider : public AzureTokenProvider {
 public:
  SyncResult<AccessToken> Get() final;
  std::string tenant_id() const final { return options_.tenant_id; }

 protected:
  CachingTokenProvider(HttpTransport& transport, AzureCredentialOptions options, Clock now);
  // The grant's credential as of now (an assertion file is re-read every time).
  virtual Result<SensitiveString> Credential() = 0;
  virtual TokenGrant::Kind kind() const = 0;

 private:
  SyncResult<AccessToken> Fetch();

  HttpTransport& transport_;
  const AzureCredentialOptions options_;
  const Clock now_;
  std::mutex mu_;                      // held across a fetch, so concurrent callers share one token
  std::optional<AccessToken> cached_;  // guarded by mu_
};

// An app registration's client secret.
class ClientSecretCredential final : public CachingTokenProvider {
 public:
  ClientSecretCredential(HttpTransport& transport, AzureCredentialOptions options, SensitiveString client_secret,
                         Clock now = std::chrono::system_clock::now);

 private:
  Result<SensitiveString> Credential() override { return client_secret_; }
  TokenGrant::Kind kind() const override { return TokenGrant::Kind::kClientSecret; }
  const SensitiveString client_secret_;
};

// Workload identity federation: a signed JWT (the projected service-account token) as
// client_assertion. `read_assertion` is called for every token fetch, because kubelet
// rotates the file; its error is reported as kUnauthenticated.
class ClientAssertionCredential final : public CachingTokenProvider {
 public:
  using AssertionSource = std::function<Result<SensitiveString>()>;
  ClientAssertionCredential(HttpTransport& transport, AzureCredentialOptions options, AssertionSource read_assertion,
                            Clock now = std::chrono::system_clock::now);

 private:
  Result<SensitiveString> Credential() override { return read_assertion_(); }
  TokenGrant::Kind kind() const override { return TokenGrant::Kind::kClientAssertion; }
  const AssertionSource read_assertion_;
};

}  // namespace certplane::sync::azure

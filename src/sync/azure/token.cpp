#include "sync/azure/token.h"

#include <cmath>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/text.h"
#include "sync/azure/errors.h"
#include "sync/percent_encoding.h"

namespace certplane::sync::azure {
namespace {

using json = nlohmann::json;

std::string TrimSlashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

bool IsAddressOrSingleLabel(std::string_view host) {
  if (host.find('.') == std::string_view::npos) return true;  // "localhost", "[::1]"
  return host.find_first_not_of("0123456789.") == std::string_view::npos;
}

// The answer's error and error_description, or a description of a body without them.
SyncError TokenError(const HttpResponse& response, std::string_view redact) {
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string code;
  std::string description;
  if (body.is_object()) {
    if (auto it = body.find("error"); it != body.end() && it->is_string()) code = it->get<std::string>();
    if (auto it = body.find("error_description"); it != body.end() && it->is_string()) {
      description = it->get<std::string>();
    }
  }
  if (code.empty()) {
    code = "HTTP" + std::to_string(response.status);
    description = "the token endpoint answered " + std::to_string(response.status) + " without an OAuth error";
  }
  SyncError error = HttpError(response, code, Redact(std::move(description), redact));
  // OAuth says which errors are about the client's credentials whatever the status
  // (Entra answers 400 or 401 for them); other 400s are requests it cannot serve.
  if (response.status < 500 && response.status != 429) {
    if (code == "invalid_client" || code == "unauthorized_client" || code == "invalid_grant") {
      error.status = Status(StatusCode::kUnauthenticated, error.status.message());
    } else if (code == "invalid_scope" || code == "invalid_request" || code == "unsupported_grant_type") {
      error.status = Status(StatusCode::kInvalidArgument, error.status.message());
    }
  }
  return error;
}

SyncError Broken(std::string what) {
  return SyncError{.status = Unavailable("the token endpoint answered 200 " + std::move(what)),
                   .code = "InvalidTokenResponse"};
}

}  // namespace

Result<std::string> KeyVaultScope(std::string_view vault_url) {
  constexpr std::string_view kHttps = "https://";
  if (!AsciiLower(vault_url).starts_with(kHttps))
    return InvalidArgument("vault URL " + std::string(vault_url) + " is not https");
  std::string_view rest = vault_url.substr(kHttps.size());
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.starts_with("[")) return std::string("https://vault.azure.net/.default");
  host = host.substr(0, host.find(':'));
  if (host.empty()) return InvalidArgument("vault URL " + std::string(vault_url) + " has no host");
  if (IsAddressOrSingleLabel(host)) return std::string("https://vault.azure.net/.default");
  return "https://" + AsciiLower(host.substr(host.find('.') + 1)) + "/.default";
}

std::string FormEncode(std::string_view value) { return PercentEncode(value); }

HttpRequest BuildTokenRequest(const AzureCredentialOptions& options, const TokenGrant& grant) {
  HttpRequest request;
  request.method = "POST";
  request.url = TrimSlashes(options.authority) + "/" + FormEncode(options.tenant_id) + "/oauth2/v2.0/token";
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  request.headers.push_back({"Accept", "application/json"});
  std::string body = "grant_type=client_credentials&client_id=" + FormEncode(options.client_id) +
                     "&scope=" + FormEncode(options.scope);
  const std::string_view credential = grant.credential != nullptr ? grant.credential->view() : std::string_view();
  if (grant.kind == TokenGrant::Kind::kClientSecret) {
    body += "&client_secret=" + FormEncode(credential);
  } else {
    body +=
        "&client_assertion_type=" + FormEncode(kJwtBearerAssertionType) + "&client_assertion=" + FormEncode(credential);
  }
  request.body = std::move(body);
  return request;
}

SyncResult<AccessToken> ParseTokenResponse(const HttpResponse& response, std::chrono::system_clock::time_point now,
                                           std::string_view redact) {
  if (response.status != 200) return TokenError(response, redact);
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return Broken("with a body that is not a JSON object");
  auto token = body.find("access_token");
  if (token == body.end() || !token->is_string() || token->get_ref<const std::string&>().empty()) {
    return Broken("without an access_token");
  }
  auto expires = body.find("expires_in");
  long long seconds = -1;
  if (expires != body.end() && expires->is_number()) {
    const double value = expires->get<double>();
    // Bounded so the time arithmetic below cannot overflow: ten years is more than any
    // token lives.
    if (std::isfinite(value) && value >= 0 && value <= 315360000) seconds = static_cast<long long>(value);
  } else if (expires != body.end() && expires->is_string()) {
    const std::string& text = expires->get_ref<const std::string&>();
    if (!text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos) {
      seconds = std::stoll(text);
    }
  }
  if (seconds < 0) return Broken("without a usable expires_in");
  AccessToken out;
  out.token = SensitiveString(token->get_ref<const std::string&>());
  out.expires_on = now + std::chrono::seconds(seconds);
  return out;
}

CachingTokenProvider::CachingTokenProvider(HttpTransport& transport, AzureCredentialOptions options, Clock now)
    : transport_(transport), options_(std::move(options)), now_(std::move(now)) {}

SyncResult<AccessToken> CachingTokenProvider::Get() {
  std::lock_guard lock(mu_);
  if (cached_.has_value() && now_() < cached_->expires_on - kTokenRefreshMargin) return *cached_;
  SyncResult<AccessToken> fetched = Fetch();
  if (fetched.ok()) cached_ = *fetched;
  return fetched;
}

SyncResult<AccessToken> CachingTokenProvider::Fetch() {
  const std::string context = "getting a token for client " + options_.client_id + " in tenant " + options_.tenant_id +
                              " from " + TrimSlashes(options_.authority);
  Result<SensitiveString> credential = Credential();
  if (!credential.ok()) {
    return SyncError{.status = Status(StatusCode::kUnauthenticated, credential.status().message()).WithContext(context),
                     .code = "CredentialUnavailable"};
  }
  const HttpRequest request = BuildTokenRequest(options_, TokenGrant{.kind = kind(), .credential = &*credential});
  Result<HttpResponse> response = transport_.Send(request);
  if (!response.ok()) {
    // The transport names the URL, never the body, so the credential stays out.
    return SyncError{.status = response.status().WithContext(context), .code = "TransportError"};
  }
  SyncResult<AccessToken> token = ParseTokenResponse(*response, now_(), credential->view());
  if (!token.ok()) {
    SyncError error = token.error();
    error.status = error.status.WithContext(context);
    return error;
  }
  return token;
}

ClientSecretCredential::ClientSecretCredential(HttpTransport& transport, AzureCredentialOptions options,
                                               SensitiveString client_secret, Clock now)
    : CachingTokenProvider(transport, std::move(options), std::move(now)), client_secret_(std::move(client_secret)) {}

ClientAssertionCredential::ClientAssertionCredential(HttpTransport& transport, AzureCredentialOptions options,
                                                     AssertionSource read_assertion, Clock now)
    : CachingTokenProvider(transport, std::move(options), std::move(now)), read_assertion_(std::move(read_assertion)) {}

}  // namespace certplane::sync::azure

#include "sync/aws/credentials.h"

#include <fstream>
#include <iterator>
#include <utility>

#include <openssl/crypto.h>

#include "sync/aws/json_call.h"
#include "sync/aws/sts.h"

namespace certplane::sync::aws {

WebIdentityAwsCredentials::WebIdentityAwsCredentials(HttpTransport& transport, WebIdentityOptions options)
    : transport_(transport), options_(std::move(options)) {}

SyncResult<AwsCredentials> WebIdentityAwsCredentials::Get() {
  // Held across the STS call on purpose: concurrent callers wait for one fetch instead
  // of each spending an STS call (and its rate limit) on the same credentials.
  std::lock_guard lock(mu_);
  const auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  if (cached_ && cached_->expiry && now + options_.refresh_before < *cached_->expiry) return *cached_;

  if (!options_.token) {
    return SyncError{Status(StatusCode::kFailedPrecondition, "no web identity token source configured"), "",
                     std::nullopt};
  }
  Result<SensitiveString> token = options_.token();
  if (!token.ok()) return SyncError{token.status(), "", std::nullopt};
  const std::string endpoint =
      options_.endpoint.empty() ? DefaultAwsEndpoint("sts", options_.region) : options_.endpoint;
  HttpRequest request =
      BuildAssumeRoleWithWebIdentityRequest(endpoint, options_.role_arn, options_.session_name, token->view());
  Result<HttpResponse> response = transport_.Send(request);
  OPENSSL_cleanse(request.body.data(), request.body.size());  // it holds the token
  if (!response.ok()) {
    return SyncError{response.status().WithContext("STS AssumeRoleWithWebIdentity"), "", std::nullopt};
  }
  SyncResult<AwsCredentials> fresh = ReadAssumeRoleWithWebIdentityResponse(*response, {token->view()});
  if (!fresh.ok()) return fresh;
  cached_ = *fresh;
  return fresh;
}

std::function<Result<SensitiveString>()> ReadTokenFile(std::string path) {
  return [path = std::move(path)]() -> Result<SensitiveString> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(StatusCode::kUnauthenticated, "cannot read the web identity token file " + path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t end = text.size();
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ')) --end;
    SensitiveString token(std::string_view(text).substr(0, end));
    OPENSSL_cleanse(text.data(), text.size());
    if (token.empty()) return Status(StatusCode::kUnauthenticated, "the web identity token file " + path + " is empty");
    return token;
  };
}

}  // namespace certplane::sync::aws

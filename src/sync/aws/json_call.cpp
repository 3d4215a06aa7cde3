#include "sync/aws/json_call.h"

#include <openssl/crypto.h>

#include <utility>

#include "base/text.h"
#include "sync/aws/errors.h"
#include "sync/aws/sigv4.h"
#include "sync/aws/sts.h"

namespace certplane::sync::aws {

using json = nlohmann::json;

std::string DefaultAwsEndpoint(std::string_view service, std::string_view region) {
  return "https://" + std::string(service) + "." + std::string(region) + ".amazonaws.com";
}

HttpRequest BuildJsonRequest(const AwsServiceOptions& options, std::string_view operation, const json& body) {
  HttpRequest request;
  request.method = "POST";
  std::string endpoint =
      options.endpoint.empty() ? DefaultAwsEndpoint(options.signing_name, options.region) : options.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  request.url = endpoint + "/";
  request.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  request.headers.emplace_back("X-Amz-Target", options.target_prefix + "." + std::string(operation));
  request.body = body.dump();
  return request;
}

SyncError MapJsonError(const HttpResponse& response, const std::vector<std::string_view>& secrets) {
  std::string code;
  std::string message;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    if (auto it = body.find("__type"); it != body.end() && it->is_string()) code = it->get<std::string>();
    for (const char* key : {"message", "Message"}) {
      if (auto it = body.find(key); it != body.end() && it->is_string()) {
        message = it->get<std::string>();
        break;
      }
    }
  } else if (response.body.find("<ErrorResponse") != std::string::npos) {
    // The query protocol's XML error: moto answers a refused signature or key this way
    // even to JSON-protocol calls; reading it costs nothing and keeps the code.
    code = XmlElementText(response.body, "Code").value_or("");
    message = XmlElementText(response.body, "Message").value_or("");
  }
  if (code.empty()) code = response.Header("x-amzn-ErrorType");
  // "com.amazonaws.acm#ResourceNotFoundException", "ThrottlingException:http://...".
  if (const std::size_t hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  if (const std::size_t colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  return MapAwsError(response.status, code, message, ParseRetryAfterSeconds(response.Header("Retry-After")), secrets);
}

SyncResult<json> ReadJsonResponse(const HttpResponse& response, const std::vector<std::string_view>& secrets) {
  if (response.status < 200 || response.status > 299) return MapJsonError(response, secrets);
  if (response.body.empty()) return json::object();
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return SyncError{Status(StatusCode::kUnavailable,
                            "HTTP " + std::to_string(response.status) + " with a body that is not a JSON object"),
                     "", std::nullopt};
  }
  return body;
}

AwsJsonClient::AwsJsonClient(HttpTransport& transport, AwsCredentialsProvider& credentials, AwsServiceOptions options)
    : transport_(transport), credentials_(credentials), options_(std::move(options)) {}

SyncResult<json> AwsJsonClient::Call(std::string_view operation, const json& body,
                                     const std::vector<std::string_view>& secrets) {
  SyncResult<AwsCredentials> credentials = credentials_.Get();
  if (!credentials.ok()) return credentials.error();
  HttpRequest request = BuildJsonRequest(options_, operation, body);
  const auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  Result<SigV4Signature> signature =
      SignV4(request, *credentials, {.region = options_.region, .service = options_.signing_name}, now);
  if (!signature.ok()) return SyncError{signature.status(), "", std::nullopt};
  Result<HttpResponse> response = transport_.Send(request);
  OPENSSL_cleanse(request.body.data(), request.body.size());
  if (!response.ok()) {
    return SyncError{response.status().WithContext(options_.target_prefix + "." + std::string(operation)), "",
                     std::nullopt};
  }
  std::vector<std::string_view> redacted = secrets;
  redacted.push_back(credentials->secret_access_key.view());
  redacted.push_back(credentials->session_token.view());
  // AWS's errors stay in AWS's words, led by their code (destination.h).
  return ReadJsonResponse(*response, redacted);
}

}  // namespace certplane::sync::aws

#include "sync/azure/errors.h"

#include <utility>

#include "base/text.h"

namespace certplane::sync::azure {

StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 408: return StatusCode::kDeadlineExceeded;
    case 409: return StatusCode::kFailedPrecondition;
    case 429: return StatusCode::kResourceExhausted;
    default: break;
  }
  if (status >= 500) return StatusCode::kUnavailable;
  if (status >= 400) return StatusCode::kInvalidArgument;
  return StatusCode::kUnavailable;  // a redirect or an informational answer: nothing we asked for
}

SyncError HttpError(const HttpResponse& response, std::string code, std::string_view message) {
  SyncError error;
  error.status = Status(CodeForHttpStatus(response.status), code + ": " + std::string(message));
  error.code = std::move(code);
  if (response.status == 429 || response.status == 503) {
    error.retry_after = ParseRetryAfterSeconds(response.Header("Retry-After"));
  }
  return error;
}

std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  static constexpr std::string_view kMark = "[redacted]";
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kMark.size())) {
    text.replace(at, secret.size(), kMark);
  }
  return text;
}

}  // namespace certplane::sync::azure

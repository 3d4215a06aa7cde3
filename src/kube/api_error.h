// ApiError: what the API server said when a call failed, kept as a value.
//
// Every REST call returns an ApiResult<T>, a Result<T> that on failure also carries
// the detail of the Kubernetes Status object: its reason ("NotFound", "Conflict",
// "Expired", "Invalid", ...), message, causes, and the Retry-After advice.
//
//   ApiResult<nlohmann::json> got = client.Get(kConfigMaps, "shop", "frontend");
//   if (got.status().code() == StatusCode::kNotFound) { ... }
//   if (const ApiError* e = got.api_error(); e && e->retry_after) { requeue after it }
//
// HTTP statuses map to StatusCodes with retry meaning (see base/status.h):
//   400 BadRequest, 405, 406, 415, 422 Invalid -> kInvalidArgument
//   401 -> kUnauthenticated, 403 -> kPermissionDenied, 404 -> kNotFound
//   409 AlreadyExists -> kAlreadyExists, other 409 -> kConflict
//   410 Gone/Expired -> kGone, 429 -> kResourceExhausted
//   504 and reasons Timeout/ServerTimeout -> kDeadlineExceeded, other 5xx -> kUnavailable
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "base/status.h"

namespace certplane::kube {

// One entry of Status.details.causes: which field was wrong and why.
struct StatusCause {
  std::string type;  // e.g. "FieldValueInvalid"
  std::string message;
  std::string field;  // e.g. "metadata.name"
};

struct ApiError {
  int http_status = 0;  // 0 when no HTTP response arrived (transport failure)
  std::string reason;   // Status.reason, e.g. "NotFound"; empty if none was sent
  std::string message;  // Status.message, or a description of the transport error
  std::vector<StatusCause> causes;
  std::optional<std::chrono::seconds> retry_after;  // Retry-After header or details
  int attempts = 1;                                 // how many times the request was sent

  // The Status this error maps to; the message reads "<reason>: <message>".
  Status ToStatus() const;
};

// Maps an HTTP status and Kubernetes reason to a StatusCode (table above).
StatusCode CodeForHttp(int http_status, std::string_view reason);

// Builds an ApiError from an HTTP error response. `body` is the response body (a
// Status object when the API server produced it, anything otherwise); `retry_after`
// the Retry-After header value, if any. Never fails: an unparsable body becomes the
// message.
ApiError ApiErrorFromResponse(int http_status, std::string_view body, std::string_view retry_after_header = {});

// An ApiError for a Status object delivered inside a watch stream (type ERROR).
ApiError ApiErrorFromStatusObject(const nlohmann::json& status);

// A Result<T> that, when it failed because of the API server, also says how.
template <typename T>
class [[nodiscard]] ApiResult : public Result<T> {
 public:
  ApiResult(T value) : Result<T>(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(Status status) : Result<T>(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error)                                   // NOLINT(google-explicit-constructor)
      : Result<T>(error.ToStatus()), error_(std::make_shared<const ApiError>(std::move(error))) {}

  // The detail of the failure, or nullptr when the call succeeded or failed before
  // anything was sent.
  const ApiError* api_error() const { return error_.get(); }

  // The server's advice on when to retry, if it gave one.
  std::optional<std::chrono::seconds> retry_after() const { return error_ ? error_->retry_after : std::nullopt; }

  // Keeps the error detail while changing the value type.
  template <typename U>
  ApiResult<U> ErrorAs() const {
    if (error_) return ApiResult<U>(*error_);
    return ApiResult<U>(this->status());
  }

 private:
  std::shared_ptr<const ApiError> error_;
};

}  // namespace certplane::kube

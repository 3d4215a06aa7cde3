#include "kube/api_error.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace certplane::kube {
namespace {

std::optional<std::chrono::seconds> ParseSeconds(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return std::nullopt;
  return std::chrono::seconds(value);
}

void FillFromStatusJson(const nlohmann::json& status, ApiError& error) {
  if (!status.is_object()) return;
  if (auto it = status.find("reason"); it != status.end() && it->is_string()) error.reason = *it;
  if (auto it = status.find("message"); it != status.end() && it->is_string()) error.message = *it;
  if (error.http_status == 0) {
    if (auto it = status.find("code"); it != status.end() && it->is_number_integer()) {
      error.http_status = it->get<int>();
    }
  }
  auto details = status.find("details");
  if (details == status.end() || !details->is_object()) return;
  if (auto it = details->find("retryAfterSeconds");
      it != details->end() && it->is_number_integer() && it->get<long long>() > 0 && !error.retry_after) {
    error.retry_after = std::chrono::seconds(it->get<long long>());
  }
  if (auto causes = details->find("causes"); causes != details->end() && causes->is_array()) {
    for (const auto& c : *causes) {
      if (!c.is_object()) continue;
      StatusCause cause;
      cause.type = c.value("reason", "");
      cause.message = c.value("message", "");
      cause.field = c.value("field", "");
      error.causes.push_back(std::move(cause));
    }
  }
}

}  // namespace

StatusCode CodeForHttp(int http_status, std::string_view reason) {
  if (reason == "Timeout" || reason == "ServerTimeout") return StatusCode::kDeadlineExceeded;
  switch (http_status) {
    case 400:
    case 405:
    case 406:
    case 413:
    case 415:
    case 422: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409: return reason == "AlreadyExists" ? StatusCode::kAlreadyExists : StatusCode::kConflict;
    case 410: return StatusCode::kGone;
    case 429: return StatusCode::kResourceExhausted;
    case 504: return StatusCode::kDeadlineExceeded;
    default: break;
  }
  if (http_status >= 500) return StatusCode::kUnavailable;
  if (http_status == 0) return StatusCode::kUnavailable;
  return StatusCode::kInternal;
}

Status ApiError::ToStatus() const {
  std::string text;
  if (!reason.empty()) {
    text = reason;
  } else if (http_status != 0) {
    text = "HTTP " + std::to_string(http_status);
  }
  if (!message.empty()) text += text.empty() ? message : ": " + message;
  if (text.empty()) text = "request failed";
  return Status(CodeForHttp(http_status, reason), std::move(text));
}

ApiError ApiErrorFromResponse(int http_status, std::string_view body, std::string_view retry_after_header) {
  ApiError error;
  error.http_status = http_status;
  if (!retry_after_header.empty()) error.retry_after = ParseSeconds(retry_after_header);
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.value("kind", "") == "Status") {
    FillFromStatusJson(parsed, error);
  } else {
    // Not a Status object (a proxy, a load balancer): keep the start of the body.
    constexpr size_t kMaxBody = 256;
    error.message = std::string(body.substr(0, kMaxBody));
  }
  return error;
}

ApiError ApiErrorFromStatusObject(const nlohmann::json& status) {
  ApiError error;
  FillFromStatusJson(status, error);
  if (error.message.empty() && error.reason.empty()) error.message = "malformed error event";
  return error;
}

}  // namespace certplane::kube

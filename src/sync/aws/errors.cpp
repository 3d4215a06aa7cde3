#include "sync/aws/errors.h"

namespace certplane::sync::aws {
namespace {

constexpr std::size_t kMaxMessage = 1024;
// AWS error codes are short identifiers ("ThrottlingException"); anything longer or with
// other characters is not one and is not worth repeating in a condition.
constexpr std::size_t kMaxCode = 128;

bool OneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  for (std::string_view c : codes) {
    if (code == c) return true;
  }
  return false;
}

// The code as AWS would spell one, or empty: the code leads the message and is matched
// against known codes, so it must be bounded and must not carry a secret into either.
std::string PlausibleCode(std::string_view code, const std::vector<std::string_view>& secrets) {
  if (code.size() > kMaxCode) return "";
  for (char c : code) {
    const bool plain =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!plain) return "";
  }
  std::string text(code);
  if (Redact(text, secrets) != text) return "";
  return text;
}

}  // namespace

StatusCode AwsErrorStatusCode(int http_status, std::string_view code) {
  if (http_status == 429 ||
      OneOf(code, {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"})) {
    return StatusCode::kResourceExhausted;
  }
  if (http_status >= 500) return StatusCode::kUnavailable;
  if (OneOf(code,
            {"UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredTokenException",
             "ExpiredToken", "IncompleteSignature", "InvalidIdentityToken", "MissingAuthenticationToken"})) {
    return StatusCode::kUnauthenticated;
  }
  if (OneOf(code, {"AccessDeniedException", "AccessDenied"})) return StatusCode::kPermissionDenied;
  if (code == "ResourceNotFoundException") return StatusCode::kNotFound;
  if (http_status == 401) return StatusCode::kUnauthenticated;
  if (http_status == 403) return StatusCode::kPermissionDenied;
  return StatusCode::kInvalidArgument;
}

std::string Redact(std::string text, const std::vector<std::string_view>& secrets) {
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
      at += 10;
    }
  }
  return text;
}

SyncError MapAwsError(int http_status, std::string_view raw_code, std::string_view message,
                      std::optional<std::chrono::seconds> retry_after, const std::vector<std::string_view>& secrets) {
  const std::string code = PlausibleCode(raw_code, secrets);
  std::string text = code.empty() ? "HTTP " + std::to_string(http_status) : code;
  // Redact the message on its own, before cutting: a secret cannot then span the code
  // and the message, and a cut cannot leave half a secret behind.
  if (!message.empty()) text += ": " + Redact(std::string(message), secrets);
  if (text.size() > kMaxMessage) {
    std::size_t cut = kMaxMessage;
    // Never cut inside a UTF-8 sequence: the message goes into JSON (events, status).
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  SyncError error{Status(AwsErrorStatusCode(http_status, code), std::move(text)), code, std::nullopt};
  error.retry_after = retry_after;
  return error;
}

}  // namespace certplane::sync::aws

// How an AWS error answer becomes a SyncError: the error code AWS names (JSON "__type",
// the x-amzn-ErrorType header, or STS's XML <Code>) and the HTTP status decide the
// Status code, whose meaning for retries destination.h documents.
//
//   SyncError e = MapAwsError(400, "ThrottlingException", "Rate exceeded", std::nullopt);
//   // e.status.code() == StatusCode::kResourceExhausted,
//   // e.status.message() == "ThrottlingException: Rate exceeded"
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/destination.h"

namespace certplane::sync::aws {

// The Status code for an AWS error code and HTTP status:
//   throttling codes or 429 -> kResourceExhausted; 5xx -> kUnavailable;
//   credential codes (UnrecognizedClientException, InvalidClientTokenId,
//   SignatureDoesNotMatch, ExpiredToken(Exception), IncompleteSignature,
//   InvalidIdentityToken, MissingAuthenticationToken) -> kUnauthenticated;
//   AccessDenied(Exception) -> kPermissionDenied; ResourceNotFoundException -> kNotFound;
//   any other 4xx -> kInvalidArgument.
StatusCode AwsErrorStatusCode(int http_status, std::string_view code);

// A SyncError whose message is "<code>: <message>" (or the HTTP status when AWS named
// no code, or named something that is no code: over 128 characters, characters other
// than letters, digits, '.', '_' and '-', or holding a secret), with every occurrence of each of `secrets` replaced by
// "[redacted]" and capped at 1 KiB: error messages end up in Kubernetes events and conditions.
SyncError MapAwsError(int http_status, std::string_view code, std::string_view message,
                      std::optional<std::chrono::seconds> retry_after,
                      const std::vector<std::string_view>& secrets = {});

// Whether the call failed because the object is not there (ResourceNotFoundException).
inline bool IsNotFound(const SyncError& error) { return error.status.code() == StatusCode::kNotFound; }

// Every occurrence of each non-empty secret in `text` replaced by "[redacted]".
std::string Redact(std::string text, const std::vector<std::string_view>& secrets);

}  // namespace certplane::sync::aws

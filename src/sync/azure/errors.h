// The HTTP status -> Status code mapping that Entra ID's and Key Vault's answers share,
// and the redaction that keeps credentials out of messages.
//
//   SyncError e = HttpError(response, "Forbidden", "The user ... lacks certificates/import");
//   std::string safe = Redact(description, client_secret.view());
#pragma once

#include <string>
#include <string_view>

#include "sync/destination.h"
#include "sync/exchange.h"

namespace certplane::sync::azure {

// 401 kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 409 kFailedPrecondition
// (a Key Vault conflict is a state the caller must change, not a lost race), 429
// kResourceExhausted, 5xx kUnavailable, 408 kDeadlineExceeded, other 4xx
// kInvalidArgument, anything else (1xx, 3xx) kUnavailable.
StatusCode CodeForHttpStatus(int status);

// A SyncError for an answer with that status: code "code", message "code: message",
// retry_after from a Retry-After header when the answer is 429 or 503.
SyncError HttpError(const HttpResponse& response, std::string code, std::string_view message);

// `text` with every occurrence of `secret` replaced by "[redacted]"; unchanged when
// secret is empty.
std::string Redact(std::string text, std::string_view secret);

}  // namespace certplane::sync::azure

// Status: the error model shared by every certplane layer.
//
// Expected failures (an API error, an invalid spec, malformed input) are values, not
// exceptions. A Status carries a code that says what a caller may do about it and a
// message that names the object and field involved. Library exceptions are caught at
// the boundary that calls the library and turned into a Status there.
//
//   Status s = ParseThing(input);
//   if (!s.ok()) return s.WithContext("parsing spec.dnsNames[2]");
//
// The codes follow absl::StatusCode in meaning; the comment on each says whether
// retrying can help.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace certplane {

enum class StatusCode {
  kOk = 0,
  // The input is wrong; retrying the same input fails the same way.
  kInvalidArgument,
  // The object does not exist. Retry only after something creates it.
  kNotFound,
  // Create found an object with that name already.
  kAlreadyExists,
  // A write lost an optimistic-concurrency race (HTTP 409 on update): re-read, retry.
  kConflict,
  // The requested version is too old (HTTP 410 on watch): relist, then resume.
  kGone,
  // The caller is not authenticated (HTTP 401). Retry after fixing credentials.
  kUnauthenticated,
  // The caller may not do this (HTTP 403). Retrying does not help.
  kPermissionDenied,
  // The server asked us to slow down (HTTP 429): retry after the advised delay.
  kResourceExhausted,
  // The server or the network failed transiently (HTTP 5xx, connection reset): retry.
  kUnavailable,
  // The call did not finish in time: retry.
  kDeadlineExceeded,
  // The system is not in a state where this can be done (a parent CA not yet Ready).
  kFailedPrecondition,
  // The operation was cancelled, usually by shutdown.
  kCancelled,
  // A bug or an invariant broken inside certplane. Not retried automatically.
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

// IsRetryable says whether retrying the same request later may succeed.
bool IsRetryable(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // WithContext returns a copy whose message is "context: message", so errors read
  // outside-in like a path: "reconciling shop/frontend: issuing: signing: ...".
  Status WithContext(std::string_view context) const&;
  Status WithContext(std::string_view context) &&;

  // "CODE: message", or "OK".
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

// Shorthands that read well at the call site.
inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace certplane

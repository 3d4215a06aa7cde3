// Problem: an ACME error document (RFC 8555 section 6.7, RFC 7807), and ProblemOr<T>,
// a value or the Problem explaining why there is none.
//
//   ProblemOr<JwsMessage> jws = ParseJws(body);
//   if (!jws.ok()) return Respond(jws.problem());     // application/problem+json
//
// A Problem's detail is written for the person running the client: it names the field
// and what was wrong with it ("protected header: nonce is missing"), never a key.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace certplane::acme {

// The error types of RFC 8555 section 6.7 (urn:ietf:params:acme:error:<name>).
enum class ProblemType {
  kAccountDoesNotExist,
  kAlreadyRevoked,
  kBadCsr,
  kBadNonce,
  kBadPublicKey,
  kBadRevocationReason,
  kBadSignatureAlgorithm,
  kCaa,
  kCompound,
  kConnection,
  kDns,
  kExternalAccountRequired,
  kIncorrectResponse,
  kInvalidContact,
  kMalformed,
  kOrderNotReady,
  kRateLimited,
  kRejectedIdentifier,
  kServerInternal,
  kTls,
  kUnauthorized,
  kUnsupportedContact,
  kUnsupportedIdentifier,
  kUserActionRequired,
};

// "badNonce", "malformed", ... as in the URN.
std::string_view ProblemTypeName(ProblemType type);
// "urn:ietf:params:acme:error:badNonce".
std::string ProblemTypeUrn(ProblemType type);
// The HTTP status RFC 8555 and Boulder use for it: 400 for most, 401 unauthorized,
// 403 for unauthorized/rejected cases, 404 accountDoesNotExist... (see problem.cpp).
int DefaultHttpStatus(ProblemType type);

struct Identifier {
  std::string type;  // "dns" or "ip"
  std::string value;

  bool operator==(const Identifier&) const = default;
};

struct Problem {
  ProblemType type = ProblemType::kMalformed;
  std::string detail;
  int status = 0;                        // 0: DefaultHttpStatus(type)
  std::optional<Identifier> identifier;  // for subproblems
  std::vector<Problem> subproblems;

  int http_status() const { return status != 0 ? status : DefaultHttpStatus(type); }

  bool operator==(const Problem&) const = default;
};

inline Problem MakeProblem(ProblemType type, std::string detail) {
  return Problem{.type = type, .detail = std::move(detail)};
}

// {"type": urn, "detail": ..., "status": n, "identifier": {...}, "subproblems": [...]}.
nlohmann::json ProblemToJson(const Problem& problem);

template <typename T>
class [[nodiscard]] ProblemOr {
 public:
  ProblemOr(T value) : data_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  ProblemOr(Problem problem) : data_(std::move(problem)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Problem& problem() const {
    if (ok()) Abort("ProblemOr::problem() on a value");
    return std::get<Problem>(data_);
  }

  T& value() & {
    CheckOk();
    return std::get<T>(data_);
  }
  const T& value() const& {
    CheckOk();
    return std::get<T>(data_);
  }
  T&& value() && {
    CheckOk();
    return std::get<T>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  [[noreturn]] static void Abort(const char* what) {
    std::fprintf(stderr, "%s\n", what);
    std::abort();
  }
  void CheckOk() const {
    if (!ok()) {
      std::fprintf(stderr, "ProblemOr::value() on problem %s: %s\n",
                   std::string(ProblemTypeName(std::get<Problem>(data_).type)).c_str(),
                   std::get<Problem>(data_).detail.c_str());
      std::abort();
    }
  }

  std::variant<T, Problem> data_;
};

}  // namespace certplane::acme

// Result<T>: a value or the Status explaining why there is none.
//
//   Result<Certificate> cert = ParseCertificatePem(pem);
//   if (!cert.ok()) return cert.status().WithContext("reading tls.crt");
//   UseIt(*cert);
//
// C++23's std::expected would do; we target C++20, so this is the small subset we use.
// Accessing the value of a failed Result is a bug and aborts with the Status printed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/status.h"

namespace certplane {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>, "Result<Status> is ambiguous");

 public:
  // Implicit on purpose, so functions can `return value;` or `return status;`.
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(data_).ok()) data_ = Internal("Result constructed from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }

  // The error; OK when the Result holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

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

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<T>(data_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void CheckOk() const {
    if (!ok()) {
      std::fprintf(stderr, "Result::value() on error: %s\n", std::get<Status>(data_).ToString().c_str());
      std::abort();
    }
  }

  std::variant<T, Status> data_;
};

}  // namespace certplane

// Evaluates an expression returning Status; returns it from the current function if
// it failed. Keeps "call, check, propagate" on one line without hiding control flow
// behind anything more than a return.
#define CERTPLANE_RETURN_IF_ERROR(expr)                    \
  do {                                                     \
    ::certplane::Status certplane_status_ = (expr);        \
    if (!certplane_status_.ok()) return certplane_status_; \
  } while (false)

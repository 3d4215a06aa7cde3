// sensitive_string.h: SensitiveString, the one type for secret text (private key PEM, a
// bearer token, a client key): wiped when destroyed, reassigned or moved from, and never
// printed by accident (it has no operator<< and no implicit conversion to a string).
//
//   Result<SensitiveString> pem = key.ToPkcs8Pem();
//   if (!pem.ok()) return pem.status();
//   secret.data["tls.key"] = Base64(pem->view());  // copy out only where it must go
//
// The wipe covers the whole buffer (capacity, not just size) with explicit_bzero, which
// the compiler may not elide. It cannot protect copies a caller makes of view(), nor
// pages the OS swapped out; it removes the easy leak of freed heap memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace certplane {

class SensitiveString {
 public:
  SensitiveString() = default;
  explicit SensitiveString(std::string_view text) : text_(text) {}
  explicit SensitiveString(const char* text) : text_(text) {}
  // Takes the string's buffer; the caller's string is left empty, its old bytes in
  // this object (a short string's inline bytes stay behind in the caller's object).
  explicit SensitiveString(std::string&& text) noexcept : text_(std::move(text)) {}
  SensitiveString(const SensitiveString& other) = default;
  SensitiveString(SensitiveString&& other) noexcept : text_(std::move(other.text_)) { other.Wipe(); }
  SensitiveString& operator=(const SensitiveString& other) {
    if (this != &other) {
      Wipe();
      text_ = other.text_;
    }
    return *this;
  }
  SensitiveString& operator=(SensitiveString&& other) noexcept {
    if (this != &other) {
      Wipe();
      text_ = std::move(other.text_);
      other.Wipe();
    }
    return *this;
  }
  ~SensitiveString() { Wipe(); }

  // The secret itself: pass it to TLS, a header or a Secret, never to a log.
  std::string_view view() const { return text_; }
  const char* c_str() const { return text_.c_str(); }
  std::size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }
  friend bool operator==(const SensitiveString& a, const SensitiveString& b) { return a.text_ == b.text_; }

 private:
  // Overwrites every byte the string owns, including unused capacity, then empties it.
  void Wipe() noexcept;

  std::string text_;
};

}  // namespace certplane

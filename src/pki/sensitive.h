// sensitive.h: SensitiveString, a string for private key text that is wiped when it
// is destroyed or moved from.
//
//   Result<SensitiveString> pem = key.ToPkcs8Pem();
//   if (!pem.ok()) return pem.status();
//   secret.data["tls.key"] = Base64(pem->view());  // copy out only where it must go
//
// It cleanses its whole buffer (capacity, not just size) with OPENSSL_cleanse so that
// the compiler cannot elide the wipe. It cannot protect copies that a caller makes of
// view(), nor pages the OS swapped out; it removes the easy leak of freed heap memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <openssl/crypto.h>

namespace certplane::pki {

class SensitiveString {
 public:
  SensitiveString() = default;
  explicit SensitiveString(std::string_view text) : text_(text) {}
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

  std::string_view view() const { return text_; }
  const char* c_str() const { return text_.c_str(); }
  std::size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }

 private:
  // Overwrites every byte the string owns, including the unused capacity, then empties
  // it. resize() up to capacity() never reallocates.
  void Wipe() noexcept {
    text_.resize(text_.capacity());
    OPENSSL_cleanse(text_.data(), text_.size());
    text_.clear();
  }

  std::string text_;
};

}  // namespace certplane::pki

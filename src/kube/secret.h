// SecretString: a std::string for key material and tokens that is wiped with
// OPENSSL_cleanse when destroyed or reassigned, and that never prints itself.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace certplane::kube {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  SecretString(const SecretString& other) = default;
  SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  SecretString& operator=(const SecretString& other) {
    if (this != &other) {
      Wipe();
      value_ = other.value_;
    }
    return *this;
  }
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      Wipe();
      value_ = std::move(other.value_);
      other.Wipe();
    }
    return *this;
  }
  ~SecretString() { Wipe(); }

  // The secret itself: pass it to TLS or a header, never to a log.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  friend bool operator==(const SecretString& a, const SecretString& b) { return a.value_ == b.value_; }

 private:
  void Wipe();
  std::string value_;
};

}  // namespace certplane::kube

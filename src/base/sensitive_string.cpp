#include "base/sensitive_string.h"

#include <string.h>  // NOLINT(modernize-deprecated-headers): explicit_bzero, which <cstring> does not declare

namespace certplane {

void SensitiveString::Wipe() noexcept {
  // resize() up to capacity() never reallocates, so this reaches every owned byte.
  text_.resize(text_.capacity());
  explicit_bzero(text_.data(), text_.size());
  text_.clear();
}

}  // namespace certplane

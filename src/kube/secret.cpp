#include "kube/secret.h"

#include <openssl/crypto.h>

namespace certplane::kube {

void SecretString::Wipe() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

}  // namespace certplane::kube

#include "reconcile/ca_certificate_memo.h"

namespace certplane::reconcile {

Result<pki::Certificate> CaCertificateMemo::Parse(pki::ByteView der) {
  std::string key(reinterpret_cast<const char*>(der.data()), der.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = parsed_.find(key); it != parsed_.end()) return it->second;
  }
  // Parsed outside the lock: two threads may both parse new bytes, and the second
  // insert finds the first one's certificate, which is equal.
  Result<pki::Certificate> cert = pki::ParseCertificateDer(der);
  if (!cert.ok()) return cert;
  std::lock_guard<std::mutex> lock(mu_);
  if (parsed_.size() >= capacity_) parsed_.clear();
  parsed_.emplace(std::move(key), *cert);
  return cert;
}

std::size_t CaCertificateMemo::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return parsed_.size();
}

}  // namespace certplane::reconcile

// CaCertificateMemo: CA certificates parsed once, by their exact DER.
//
// Every Secret a CA issued carries that CA's certificate (ca.crt, and the intermediates
// after the leaf in tls.crt), so reading the facts of 10,000 Secrets parsed the same few
// certificates 10,000 times. Under OpenSSL 3.0 each parse costs about 90 µs, most of it
// the decoder chain d2i_X509 sets up for the public key. The memo hands back the
// certificate it parsed from the same bytes before (Certificate copies share one X509 and
// may be used from several threads). Only equal bytes hit, and a parse that fails is not
// remembered, so the memo can save work but never change a result.
//
//   CaCertificateMemo memo;
//   Result<std::vector<pki::Certificate>> roots = pki::ParseCertificateChainPem(
//       ca_crt, [&memo](pki::ByteView der, size_t) { return memo.Parse(der); });
//
// Bounded: past `capacity` certificates it starts again from empty (a cluster has a few
// CAs; a stream of certificates that never repeat costs what it cost without the memo).
// Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/result.h"
#include "pki/certificate.h"

namespace certplane::reconcile {

class CaCertificateMemo {
 public:
  explicit CaCertificateMemo(std::size_t capacity = 64) : capacity_(capacity) {}

  // pki::ParseCertificateDer(der), from the memo when these bytes parsed before.
  Result<pki::Certificate> Parse(pki::ByteView der);

  std::size_t size() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, pki::Certificate> parsed_;  // by DER; guarded by mu_
};

}  // namespace certplane::reconcile

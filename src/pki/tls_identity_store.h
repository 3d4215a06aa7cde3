// TlsIdentityStore: where a TLS endpoint keeps the certificate chain and private key it
// presents, replaceable while it serves. http::ServingIdentity (the HTTPS listener's) is
// the one the controller has; reconcile::ServingTls loads each revision of the serving
// Secret into it through this interface, so neither layer includes the other.
//
//   TlsIdentityStore& store = serving_identity;
//   if (Status s = store.Load(tls_crt, tls_key); !s.ok()) ...   // the old identity stays
//   log("serving serial={}", store.serial_hex());
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace certplane::pki {

class TlsIdentityStore {
 public:
  virtual ~TlsIdentityStore() = default;

  // Replaces the identity with `chain_pem` (the leaf first, then intermediates) and its
  // private key. kInvalidArgument, keeping the current identity, when either does not
  // parse or the key is not the leaf's. Thread-safe.
  virtual Status Load(std::string_view chain_pem, std::string_view key_pem) = 0;

  // The current leaf's serial number (hex; "" when none) and notAfter (epoch when none).
  virtual std::string serial_hex() const = 0;
  virtual std::chrono::system_clock::time_point not_after() const = 0;
};

}  // namespace certplane::pki

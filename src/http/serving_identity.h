// ServingIdentity: the certificate and key an HTTPS listener presents, replaceable
// while it serves, and the TLS settings every connection gets.
//
//   ServingIdentity identity;
//   if (Status s = identity.Load(secret_tls_crt, secret_tls_key); !s.ok()) ...  // keeps the old one
//   HttpServer server(":8443", router, {.tls = &identity});
//   ...
//   identity.Load(renewed_crt, renewed_key);   // new handshakes present it at once
//
// cpprestsdk builds one SSL_CTX per accepted connection and lets us configure it
// (ConfigureContext); each takes the identity current at that moment, so a rotation
// needs no restart and drops no connection: open ones finish with the certificate
// they began with. Session tickets are encrypted with keys this object holds, the
// same for every connection's context (random per process), so clients resume across
// connections; a per-connection context would otherwise forget every session it issued.
//
// Protocols and suites: TLS 1.2 and 1.3 only; for 1.2 only ECDHE with AES-GCM or
// ChaCha20-Poly1305 (forward secrecy and AEAD, as Mozilla's "intermediate"
// configuration minus finite-field DHE); 1.3's suites are all AEAD. No compression, no
// renegotiation.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"
#include "pki/tls_identity_store.h"

namespace certplane::http {

class ServingIdentity : public pki::TlsIdentityStore {
 public:
  ServingIdentity();
  ~ServingIdentity() override;
  ServingIdentity(const ServingIdentity&) = delete;
  ServingIdentity& operator=(const ServingIdentity&) = delete;

  // Replaces the identity with `chain_pem` (the leaf first, then intermediates) and its
  // private key. A chain that does not parse, a key that does not, or one that is not
  // the leaf's, is refused with kInvalidArgument and the current identity stays.
  Status Load(std::string_view chain_pem, std::string_view key_pem) override;

  // Whether an identity has been loaded; handshakes fail until one has.
  bool loaded() const;
  // The current leaf's serial number (hex; "" when none) and notAfter (epoch when none),
  // for logs.
  std::string serial_hex() const override;
  std::chrono::system_clock::time_point not_after() const override;

  // Applies the TLS settings above and the current identity to `ctx` (cpprestsdk's
  // per-connection context). Returns false, leaving the context without a
  // certificate, when no identity is loaded.
  bool ConfigureContext(SSL_CTX* ctx) const;

 private:
  struct Material;
  std::shared_ptr<const Material> Current() const;

  mutable std::mutex mu_;
  std::shared_ptr<const Material> current_;  // guarded by mu_
};

}  // namespace certplane::http

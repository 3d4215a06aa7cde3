#include "http/serving_identity.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <vector>

#include "pki/certificate.h"
#include "pki/key.h"

namespace certplane::http {

struct ServingIdentity::Material {
  pki::Certificate leaf;
  std::vector<pki::Certificate> intermediates;
  pki::PrivateKey key;
};

namespace {

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Session ticket keys for every context of the process: a name, an AES-256 key and an
// HMAC-SHA256 key. Tickets from another process (a restarted or other replica) carry
// another name and are declined, which costs that client one full handshake.
struct TicketKeys {
  std::array<unsigned char, 16> name{};
  std::array<unsigned char, 32> aes{};
  std::array<unsigned char, 32> hmac{};
  bool ok = false;

  TicketKeys() {
    ok = RAND_bytes(name.data(), static_cast<int>(name.size())) == 1 &&
         RAND_bytes(aes.data(), static_cast<int>(aes.size())) == 1 &&
         RAND_bytes(hmac.data(), static_cast<int>(hmac.size())) == 1;
  }
};

const TicketKeys& Keys() {
  static const TicketKeys keys;
  return keys;
}

// OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb): 1 to use the
// keys, 0 to decline a ticket (a full handshake follows), -1 on error.
int TicketKeyCallback(SSL* /*ssl*/, unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher,
                      EVP_MAC_CTX* mac, int encrypt) {
  const TicketKeys& keys = Keys();
  if (!keys.ok) return -1;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(
                             OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(keys.hmac.data()), keys.hmac.size()),
                         OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (encrypt == 1) {
    std::memcpy(key_name, keys.name.data(), keys.name.size());
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
    if (EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, keys.aes.data(), iv) != 1) return -1;
    return EVP_MAC_CTX_set_params(mac, params) == 1 ? 1 : -1;
  }
  if (std::memcmp(key_name, keys.name.data(), keys.name.size()) != 0) return 0;
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  return EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, keys.aes.data(), iv) == 1 ? 1 : -1;
}

}  // namespace

ServingIdentity::ServingIdentity() = default;
ServingIdentity::~ServingIdentity() = default;

Status ServingIdentity::Load(std::string_view chain_pem, std::string_view key_pem) {
  auto chain = pki::ParseCertificateChainPem(chain_pem);
  if (!chain.ok()) return InvalidArgument("serving certificate: " + chain.status().message());
  if (chain->empty()) return InvalidArgument("serving certificate: no certificate in the chain");
  auto key = pki::ParsePrivateKeyPem(key_pem);
  if (!key.ok()) return InvalidArgument("serving key: " + key.status().message());
  if (Status s = pki::CheckKeyMatchesCertificate(*key, chain->front()); !s.ok()) {
    return InvalidArgument("serving key: " + s.message());
  }
  std::vector<pki::Certificate> intermediates(std::make_move_iterator(chain->begin() + 1),
                                              std::make_move_iterator(chain->end()));
  auto material =
      std::make_shared<const Material>(Material{std::move(chain->front()), std::move(intermediates), std::move(*key)});
  std::lock_guard lock(mu_);
  current_ = std::move(material);
  return Status::Ok();
}

std::shared_ptr<const ServingIdentity::Material> ServingIdentity::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

bool ServingIdentity::loaded() const { return Current() != nullptr; }

std::string ServingIdentity::serial_hex() const {
  auto m = Current();
  return m ? m->leaf.serial().ToHex() : "";
}

std::chrono::system_clock::time_point ServingIdentity::not_after() const {
  auto m = Current();
  return m ? m->leaf.not_after() : std::chrono::system_clock::time_point{};
}

bool ServingIdentity::ConfigureContext(SSL_CTX* ctx) const {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_cipher_list(ctx, kTls12Ciphers);
  SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384");
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // Each connection has a context of its own, so a session cache would only ever hold
  // one session; tickets, under the process's keys, resume across connections.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, TicketKeyCallback);
  std::shared_ptr<const Material> m = Current();
  if (!m) return false;
  if (SSL_CTX_use_certificate(ctx, m->leaf.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, m->key.get()) != 1) {
    return false;
  }
  for (const pki::Certificate& c : m->intermediates) SSL_CTX_add1_chain_cert(ctx, c.get());
  return true;
}

}  // namespace certplane::http

#include "kube/tls.h"

#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/sensitive_string.h"
#include "kube/system_roots.h"

namespace certplane::kube {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using StorePtr = std::unique_ptr<X509_STORE, StoreFree>;

BioPtr MemBio(std::string_view data) { return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size()))); }

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    text = buf;
  }
  ERR_clear_error();
  return text;
}

// Builds a store holding every certificate of the PEM bundle.
StorePtr StoreFromPem(std::string_view pem) {
  StorePtr store(X509_STORE_new());
  BioPtr bio = MemBio(pem);
  if (!store || !bio) throw std::runtime_error("out of memory building the CA store");
  int added = 0;
  while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) {
      throw std::runtime_error("adding a CA certificate: " + OpenSslError());
    }
    ++added;
  }
  ERR_clear_error();  // the loop ends with a "no start line" error
  if (added == 0) throw std::runtime_error("the CA bundle holds no certificate");
  return store;
}

}  // namespace

Status ValidateCertificatesPem(std::string_view pem) {
  BioPtr bio = MemBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return InvalidArgument("not a PEM certificate: " + OpenSslError());
  ERR_clear_error();
  return Status::Ok();
}

Status ValidateKeyPairPem(std::string_view cert_pem, std::string_view key_pem) {
  BioPtr cert_bio = MemBio(cert_pem);
  X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return InvalidArgument("client certificate is not a PEM certificate: " + OpenSslError());
  BioPtr key_bio = MemBio(key_pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return InvalidArgument("not a PEM private key: " + OpenSslError());
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return InvalidArgument("the private key does not match the client certificate: " + OpenSslError());
  }
  ERR_clear_error();
  return Status::Ok();
}

web::http::client::http_client_config MakeHttpClientConfig(const ClusterConfig& config,
                                                           std::chrono::microseconds timeout) {
  web::http::client::http_client_config http_config;
  http_config.set_timeout(timeout);
  http_config.set_validate_certificates(true);  // never turned off
  // The callback runs for each new connection; it copies what it needs so the
  // ClusterConfig need not outlive the client.
  auto ca = std::make_shared<const std::string>(config.ca_pem);
  auto cert = std::make_shared<const std::string>(config.client_cert_pem);
  auto key = std::make_shared<const SensitiveString>(config.client_key_pem);
  http_config.set_ssl_context_callback([ca, cert, key](boost::asio::ssl::context& ctx) {
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    if (!ca->empty()) {
      // Replace the default store (system roots) with the configured CA only.
      StorePtr store = StoreFromPem(*ca);
      SSL_CTX_set_cert_store(native, store.release());  // the SSL_CTX takes ownership
    } else {
      // The process's one copy of the system roots (system_roots.h), not a parse of
      // the bundle per connection.
      SSL_CTX_set1_cert_store(native, SharedSystemRoots());
    }
    ctx.set_verify_mode(boost::asio::ssl::verify_peer);
    if (!cert->empty()) {
      ctx.use_certificate_chain(boost::asio::buffer(cert->data(), cert->size()));
      ctx.use_private_key(boost::asio::buffer(key->view().data(), key->view().size()), boost::asio::ssl::context::pem);
    }
  });
  return http_config;
}

}  // namespace certplane::kube

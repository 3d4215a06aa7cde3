// certificate.h: an X.509 certificate, parsed or issued, and what certplane reads
// from it.
//
// Read a Secret back and check it is still what we issued:
//
//   Result<std::vector<Certificate>> chain = ParseCertificateChainPem(secret["tls.crt"]);
//   if (!chain.ok()) return chain.status().WithContext("tls.crt");
//   Result<PrivateKey> key = ParsePrivateKeyPem(secret["tls.key"]);
//   if (!key.ok()) return key.status().WithContext("tls.key");
//   if (Status s = CheckKeyMatchesCertificate(*key, chain->front()); !s.ok()) ...
//   status.serial = chain->front().serial().ToHex();
//   status.not_after = chain->front().not_after();
//
// Parsing is strict where RFC 5280 is: a negative serial, a serial over 20 octets, a
// malformed or duplicated extension, or a time that cannot be decoded is an error, so
// every accessor below can answer without failing. Certificate is an immutable value;
// copies share one reference-counted X509 and may be used from several threads.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pki/handles.h"
#include "pki/key.h"
#include "pki/name.h"
#include "pki/name_constraints.h"
#include "pki/san.h"
#include "pki/serial.h"
#include "pki/types.h"
#include "pki/usage.h"

namespace certplane::pki {

struct CertificateSpec;
class Issuer;

class Certificate {
 public:
  // Takes ownership of a decoded X509 after the checks described above;
  // InvalidArgument naming the first problem otherwise.
  static Result<Certificate> Adopt(X509Ptr x509);

  std::string ToPem() const;  // "CERTIFICATE"
  Bytes ToDer() const;

  const SerialNumber& serial() const { return serial_; }
  TimePoint not_before() const { return not_before_; }
  TimePoint not_after() const { return not_after_; }
  DistinguishedName subject() const;
  std::string subject_text() const;  // RFC 2253, e.g. "CN=frontend,O=Acme"
  DistinguishedName issuer() const;
  std::string issuer_text() const;
  SubjectAltNames subject_alt_names() const;
  // The subject public key; InvalidArgument if its algorithm is not one certplane
  // supports (possible for imported CAs and third-party roots).
  Result<PublicKey> public_key() const;

  bool is_ca() const;
  std::optional<int> path_len() const;       // BasicConstraints pathLenConstraint
  std::vector<KeyUsage> key_usages() const;  // empty when the extension is absent
  bool has_key_usage_extension() const;
  std::vector<ExtendedKeyUsage> extended_key_usages() const;
  Bytes subject_key_id() const;                              // empty when absent
  Bytes authority_key_id() const;                            // keyIdentifier; empty when absent
  std::vector<std::string> crl_distribution_points() const;  // fullName URIs
  std::vector<std::string> ocsp_urls() const;
  std::vector<std::string> ca_issuers_urls() const;
  NameConstraints name_constraints() const;
  // Whether the extension with this dotted OID is present and marked critical.
  bool IsExtensionCritical(std::string_view oid) const;

  std::string sha256_fingerprint() const;   // lowercase hex of SHA-256(DER)
  std::string signature_algorithm() const;  // e.g. "ecdsa-with-SHA256", "ED25519"
  // Subject equals issuer and the certificate's own key verifies its signature.
  bool IsSelfSigned() const;
  // OK if `issuer`'s key verifies this certificate's signature; InvalidArgument else.
  Status VerifySignedBy(const Certificate& issuer) const;

  X509* get() const { return x509_.get(); }

  Certificate(const Certificate& other)
      : x509_(ShareX509(other.x509_.get())),
        serial_(other.serial_),
        not_before_(other.not_before_),
        not_after_(other.not_after_) {}
  Certificate& operator=(const Certificate& other) {
    x509_ = ShareX509(other.x509_.get());
    serial_ = other.serial_;
    not_before_ = other.not_before_;
    not_after_ = other.not_after_;
    return *this;
  }
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;

  // Same DER.
  friend bool operator==(const Certificate& a, const Certificate& b);

 private:
  friend Result<Certificate> IssueCertificate(const CertificateSpec& spec, const PublicKey& subject_key,
                                              const Issuer& issuer, TimePoint now);
  friend Result<Certificate> SelfSignCertificate(const CertificateSpec& spec, const PrivateKey& key, TimePoint now);
  // Adopt(), optionally without decoding every extension again and computing OpenSSL's
  // extension cache: for certificates issue.cpp just built from validated specs, whose
  // extensions the unit tests parse back with every check (the cache is then computed
  // on first use, under the X509's lock).
  static Result<Certificate> Make(X509Ptr x509, bool check_extensions);

  Certificate(X509Ptr x509, SerialNumber serial, TimePoint not_before, TimePoint not_after)
      : x509_(std::move(x509)), serial_(std::move(serial)), not_before_(not_before), not_after_(not_after) {}

  X509Ptr x509_;
  SerialNumber serial_;
  TimePoint not_before_;
  TimePoint not_after_;
};

// One certificate from PEM holding exactly one "CERTIFICATE" block, or from DER.
// InvalidArgument for malformed input or the strictness checks above.
Result<Certificate> ParseCertificatePem(std::string_view pem);
Result<Certificate> ParseCertificateDer(ByteView der);

// A chain from PEM (tls.crt: leaf first, then intermediates; ca.crt: roots), in order.
// InvalidArgument if there is no block, a block is not a "CERTIFICATE", or one fails to
// parse (the message names which, counting from 1).
Result<std::vector<Certificate>> ParseCertificateChainPem(std::string_view pem);
// The same, parsing each block's DER with `parse_der` (given the block's index from 0)
// instead of ParseCertificateDer: for a caller that keeps certificates it has parsed.
Result<std::vector<Certificate>> ParseCertificateChainPem(
    std::string_view pem, const std::function<Result<Certificate>(ByteView der, size_t index)>& parse_der);

// The PEM of each certificate, concatenated in order.
std::string EncodeCertificateChainPem(const std::vector<Certificate>& chain);

// OK if `key` is the private half of `certificate`'s public key; FailedPrecondition
// ("the private key does not match the certificate") otherwise.
Status CheckKeyMatchesCertificate(const PrivateKey& key, const Certificate& certificate);

}  // namespace certplane::pki

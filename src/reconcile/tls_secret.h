// BuildTlsSecret: the Secret a Certificate's revision is delivered in, as the JSON
// object the API server takes (type kubernetes.io/tls).
//
//   tls.crt          the leaf, then the intermediates (what a TLS server sends)
//   tls.key          the private key, PKCS#8 (or PKCS#1 for RSA when asked)
//   ca.crt           the root, for clients and for `openssl verify -CAfile`
//   keystore.p12     PKCS12 output format: key, leaf and chain, password-protected
//   truststore.p12   PKCS12 with truststore: the root only
//   tls-combined.pem CombinedPEM output format: the key, then tls.crt
//   tls.der          DER output format: the leaf certificate, DER
//
// Labels: the user's (secretTemplate) plus certplane.io/certificate-name, which is how
// the controller watches only its own Secrets. Annotations: the user's plus what was
// issued (serial, CA, profile, revision, duration), which is how a restarted controller
// recognises a revision it wrote but had not yet recorded in status.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/certificate.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "reconcile/leaf_issuance.h"

namespace certplane::reconcile {

struct TlsSecretInput {
  const api::Certificate& certificate;
  const IssuedLeaf& leaf;
  const pki::Certificate& root;
  std::string ca_name;
  std::string profile_name;
  std::int64_t revision = 0;
  api::Time issued_at{};
  std::int32_t crl_shard = 0;
  api::Duration duration{};
  std::vector<api::OutputFormat> output_formats;
  api::SecretTemplate secret_template;
  // PKCS12 passwords, by "secretName/key" of each format's passwordSecretRef.
  std::map<std::string, std::string> passwords;
};

// kInvalidArgument when an output format needs a password that is missing.
Result<nlohmann::json> BuildTlsSecret(const TlsSecretInput& input);

// "name/key": how TlsSecretInput::passwords is keyed.
std::string PasswordKey(const api::SecretKeySelector& ref);

}  // namespace certplane::reconcile

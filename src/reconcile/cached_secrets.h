// The Secrets the controller caches, reduced at decode time to the facts its decisions
// need. Neither type keeps any Secret data: the informer holds no private key of any
// workload or CA, and 10,000 certificate Secrets cost what their facts cost.
//
//   InformerOptions<CertificateSecret> o;
//   o.resource = kube::kSecrets;
//   o.label_selector = std::string(api::kCertificateNameLabel);   // only ours
//   o.decode = DecodeCertificateSecret;
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "kube/object_meta.h"
#include "policy/ca_issuance.h"
#include "policy/issuance.h"

namespace certplane::reconcile {

// A Secret a Certificate is delivered in.
struct CertificateSecret {
  kube::ObjectMeta metadata;
  policy::SecretFacts facts;
  std::vector<std::string> data_keys;  // which keys it holds (tls.crt, keystore.p12, ...)

  bool HasKey(std::string_view key) const;
  // The revision certplane recorded on it (annotation certplane.io/revision); 0 when unknown.
  std::int64_t Revision() const;
  // The CRL shard its certificate names (recorded at issuance); 0 when unknown.
  std::int32_t CrlShard() const;
};

// A CertificateAuthority's key Secret, in the controller's namespace.
struct CaKeySecret {
  kube::ObjectMeta metadata;
  policy::CaSecretFacts facts;
};

Result<CertificateSecret> DecodeCertificateSecret(const nlohmann::json& secret);
Result<CaKeySecret> DecodeCaKeySecret(const nlohmann::json& secret);

// On a CA key Secret: what the certificate was made from (policy::CaSpecFingerprint),
// and for an imported CA the fingerprint of the source certificate.
inline constexpr std::string_view kCaSpecFingerprintAnnotation = "certplane.io/ca-spec-fingerprint";
inline constexpr std::string_view kCaSourceFingerprintAnnotation = "certplane.io/ca-source-fingerprint";
// The label on a CA key Secret naming its CertificateAuthority.
inline constexpr std::string_view kCaNameLabel = "certplane.io/ca-name";

// The name of a CertificateAuthority's key Secret in the controller's namespace.
std::string CaKeySecretName(const std::string& ca_name);

}  // namespace certplane::reconcile

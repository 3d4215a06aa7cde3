// The Secrets the controller caches, reduced at decode time to the facts its decisions
// need. Neither type keeps any Secret data: the informer holds no private key of any
// workload or CA, and 10,000 certificate Secrets cost what their facts cost, packed.
//
//   InformerOptions<CertificateSecret> o;
//   o.resource = kube::kSecrets;
//   o.label_selector = std::string(api::kCertificateNameLabel);   // only ours
//   o.decode = DecodeCertificateSecret;
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/well_known.h"
#include "base/result.h"
#include "kube/object_meta.h"
#include "policy/ca_issuance.h"
#include "policy/issuance.h"

namespace certplane::reconcile {

// A Secret a Certificate is delivered in, reduced at decode time to what the
// reconcilers read of it: which Certificate wrote it, the revision and CRL shard
// recorded on it, and, packed (base/packed.h), the facts of its certificate and key and
// the names of its data keys. About 300 bytes each where the Secret's metadata and the
// facts as structs took 2 KB: 10,000 of them are the largest thing the controller keeps.
class CertificateSecret {
 public:
  // The facts, and which data keys the Secret holds (tls.crt, keystore.p12, ...).
  struct Contents {
    policy::SecretFacts facts;
    std::vector<std::string> data_keys;
  };

  CertificateSecret() = default;
  CertificateSecret(kube::ObjectId metadata, std::string certificate_name, std::int64_t revision,
                    std::int32_t crl_shard, const Contents& contents);

  kube::ObjectId metadata;
  // Label certplane.io/certificate-name: the Certificate certplane wrote it for; empty
  // when absent.
  std::string certificate_name;

  // The revision certplane recorded on it (annotation certplane.io/revision); 0 when unknown.
  std::int64_t Revision() const { return revision_; }
  // The CRL shard its certificate names (recorded at issuance); 0 when unknown.
  std::int32_t CrlShard() const { return crl_shard_; }
  // Unpacked at each call (a microsecond): read it once per decision.
  Contents Unpack() const;
  policy::SecretFacts Facts() const { return Unpack().facts; }

 private:
  std::int64_t revision_ = 0;
  std::int32_t crl_shard_ = 0;
  std::string packed_;  // Contents
};

// A CertificateAuthority's key Secret, in the controller's namespace.
struct CaKeySecret {
  kube::ObjectMeta metadata;
  policy::CaSecretFacts facts;
};

class SecretFactsMemo;
// `written`, when given, holds the facts of contents the controller just wrote
// (secret_facts_memo.h): a Secret with exactly those contents is not parsed again.
Result<CertificateSecret> DecodeCertificateSecret(const nlohmann::json& secret, SecretFactsMemo* written = nullptr);
Result<CaKeySecret> DecodeCaKeySecret(const nlohmann::json& secret);

// On a CA key Secret: what the certificate was made from (policy::CaSpecFingerprint),
// and for an imported CA the fingerprint of the source certificate.
inline constexpr std::string_view kCaSpecFingerprintAnnotation = "certplane.io/ca-spec-fingerprint";
inline constexpr std::string_view kCaSourceFingerprintAnnotation = "certplane.io/ca-source-fingerprint";
// The label on a CA key Secret naming its CertificateAuthority.
using api::kCaNameLabel;

// The name of a CertificateAuthority's key Secret in the controller's namespace.
std::string CaKeySecretName(const std::string& ca_name);

}  // namespace certplane::reconcile

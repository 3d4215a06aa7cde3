#include "reconcile/cached_secrets.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>

#include "api/well_known.h"
#include "kube/base64.h"
#include "reconcile/secret_data.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "reconcile/ca_material.h"
#include "reconcile/secret_facts.h"

namespace certplane::reconcile {
namespace {

Result<kube::ObjectMeta> MetadataOf(const nlohmann::json& secret) {
  try {
    return secret.at("metadata").get<kube::ObjectMeta>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("Secret metadata: ") + e.what());
  }
}


}  // namespace

std::string CaKeySecretName(const std::string& ca_name) { return "certplane-ca-" + ca_name; }

namespace {

template <typename T>
T AnnotationNumber(const kube::ObjectMeta& metadata, std::string_view annotation) {
  const std::string* v = metadata.annotations.Find(annotation);
  T out = 0;
  if (v != nullptr) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

}  // namespace

std::int64_t CertificateSecret::Revision() const {
  return AnnotationNumber<std::int64_t>(metadata, api::kRevisionAnnotation);
}

std::int32_t CertificateSecret::CrlShard() const {
  return AnnotationNumber<std::int32_t>(metadata, api::kCrlShardAnnotation);
}

bool CertificateSecret::HasKey(std::string_view key) const {
  return std::find(data_keys.begin(), data_keys.end(), key) != data_keys.end();
}

Result<CertificateSecret> DecodeCertificateSecret(const nlohmann::json& secret) {
  auto meta = MetadataOf(secret);
  if (!meta.ok()) return meta.status();
  CertificateSecret out;
  out.metadata = std::move(*meta);
  if (auto data = secret.find("data"); data != secret.end() && data->is_object()) {
    for (const auto& [k, v] : data->items()) out.data_keys.push_back(k);
  }
  TlsSecretContents contents{SecretDataValue(secret, "tls.crt"), SecretDataValue(secret, "tls.key"), SecretDataValue(secret, "ca.crt")};
  out.facts = ReadSecretFacts(contents, out.metadata.annotations);
  // The decoded key text is no longer needed: wipe it rather than leave it in freed heap.
  OPENSSL_cleanse(contents.tls_key.data(), contents.tls_key.size());
  return out;
}

Result<CaKeySecret> DecodeCaKeySecret(const nlohmann::json& secret) {
  auto meta = MetadataOf(secret);
  if (!meta.ok()) return meta.status();
  CaKeySecret out;
  out.metadata = std::move(*meta);
  policy::CaSecretFacts& f = out.facts;
  f.exists = true;
  if (const std::string* v = out.metadata.annotations.Find(kCaSpecFingerprintAnnotation)) f.spec_fingerprint = *v;
  if (const std::string* v = out.metadata.annotations.Find(kCaSourceFingerprintAnnotation)) f.source_fingerprint = *v;

  std::string tls_key = SecretDataValue(secret, "tls.key");
  auto chain = pki::ParseCertificateChainPem(SecretDataValue(secret, "tls.crt"));
  auto key = pki::ParsePrivateKeyPem(tls_key);
  OPENSSL_cleanse(tls_key.data(), tls_key.size());
  if (!chain.ok() || chain->empty()) {
    f.invalid = "tls.crt: " + (chain.ok() ? std::string("no certificate") : chain.status().message());
    return out;
  }
  if (!key.ok()) {
    f.invalid = "tls.key: " + key.status().message();
    return out;
  }
  // Only the retired certificates' notAfter: when each retired key may be dropped.
  for (const RetiredKeyPem& retired : RetiredKeysOf(secret)) {
    if (auto c = pki::ParseCertificatePem(retired.certificate_pem); c.ok()) {
      f.retired_keys[retired.key_id] = api::ToTime(c->not_after());
    }
  }
  const pki::Certificate& cert = chain->front();
  if (!cert.is_ca()) {
    f.invalid = "tls.crt is not a CA certificate";
    return out;
  }
  if (Status s = pki::CheckKeyMatchesCertificate(*key, cert); !s.ok()) {
    f.invalid = "tls.key does not match tls.crt: " + s.message();
    return out;
  }
  f.fingerprint_sha256 = cert.sha256_fingerprint();
  f.not_before = api::ToTime(cert.not_before());
  f.not_after = api::ToTime(cert.not_after());
  if (chain->size() > 1) {
    f.issuer_fingerprint_sha256 = (*chain)[1].sha256_fingerprint();
  } else if (cert.IsSelfSigned()) {
    f.issuer_fingerprint_sha256 = f.fingerprint_sha256;
  } else {
    // An intermediate signed directly by a root: the root is ca.crt.
    auto root = pki::ParseCertificateChainPem(SecretDataValue(secret, "ca.crt"));
    if (root.ok() && !root->empty()) f.issuer_fingerprint_sha256 = root->front().sha256_fingerprint();
  }
  return out;
}

}  // namespace certplane::reconcile

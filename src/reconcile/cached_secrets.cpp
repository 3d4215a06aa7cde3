#include "reconcile/cached_secrets.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "api/well_known.h"
#include "base/packed.h"
#include "kube/base64.h"
#include "kube/secret_data.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "reconcile/ca_material.h"
#include "reconcile/secret_facts.h"
#include "reconcile/secret_facts_memo.h"

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

// Every field of the contents, in one list for both directions (base/packed.h).
template <typename Io, typename C>
void ContentsFields(Io& io, C& c) {
  auto& f = c.facts;
  io(f.exists)(f.has_certificate)(f.has_private_key)(f.parse_error)(f.key_matches_certificate)(f.chain_valid);
  io(f.serial_number)(f.not_before)(f.not_after)(f.common_name);
  io(f.subject.organizations)(f.subject.organizational_units)(f.subject.countries)(f.subject.localities);
  io(f.subject.provinces)(f.subject.serial_number);
  io(f.dns_names)(f.ip_addresses)(f.uris)(f.email_addresses)(f.key_usages)(f.extended_key_usages);
  io(f.issuer_fingerprint_sha256)(f.key_algorithm)(f.key_encoding)(f.profile_name)(f.ca_name)(f.requested_duration);
  io(f.issued_at);
  io(c.data_keys);
}
#if defined(__GLIBCXX__) && defined(__x86_64__)
// A field added to SecretFacts must be added to ContentsFields too, or the cache would
// silently drop it; this fails to compile until someone looks.
static_assert(sizeof(policy::SecretFacts) == 584 && sizeof(api::CertificateSubject) == 152,
              "SecretFacts changed: update ContentsFields");
#endif

}  // namespace

CertificateSecret::CertificateSecret(kube::ObjectId metadata, std::string certificate_name, std::int64_t revision,
                                     std::int32_t crl_shard, const Contents& contents)
    : metadata(std::move(metadata)),
      certificate_name(std::move(certificate_name)),
      revision_(revision),
      crl_shard_(crl_shard) {
  packed::Writer w;
  ContentsFields(w, contents);
  packed_ = std::move(w).Take();
}

CertificateSecret::Contents CertificateSecret::Unpack() const {
  Contents out;
  packed::Reader r(packed_);
  ContentsFields(r, out);
  // Only our own constructor packs: anything else is a bug, not an input to handle.
  if (!r.Done()) throw std::logic_error("CertificateSecret " + kube::ObjectKey(metadata) + ": corrupt packed facts");
  return out;
}

Result<CertificateSecret> DecodeCertificateSecret(const nlohmann::json& secret, SecretFactsMemo* written) {
  auto meta = MetadataOf(secret);
  if (!meta.ok()) return meta.status();
  CertificateSecret::Contents contents;
  if (auto data = secret.find("data"); data != secret.end() && data->is_object()) {
    for (const auto& [k, v] : data->items()) contents.data_keys.push_back(k);
  }
  TlsSecretContents tls{kube::SecretDataValue(secret, "tls.crt"), kube::SecretDataValue(secret, "tls.key"),
                        kube::SecretDataValue(secret, "ca.crt")};
  std::optional<policy::SecretFacts> remembered = written != nullptr ? written->Take(tls) : std::nullopt;
  contents.facts = remembered ? std::move(*remembered) : ReadContentFacts(tls);
  AddAnnotationFacts(meta->annotations, contents.facts);
  // The decoded key text is no longer needed: wipe it rather than leave it in freed heap.
  OPENSSL_cleanse(tls.tls_key.data(), tls.tls_key.size());
  const std::string* owner = meta->labels.Find(api::kCertificateNameLabel);
  return CertificateSecret(
      kube::ObjectId{std::move(meta->name), std::move(meta->ns), std::move(meta->resource_version)},
      owner == nullptr ? std::string() : *owner, AnnotationNumber<std::int64_t>(*meta, api::kRevisionAnnotation),
      AnnotationNumber<std::int32_t>(*meta, api::kCrlShardAnnotation), contents);
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

  std::string tls_key = kube::SecretDataValue(secret, "tls.key");
  auto chain = pki::ParseCertificateChainPem(kube::SecretDataValue(secret, "tls.crt"));
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
    auto root = pki::ParseCertificateChainPem(kube::SecretDataValue(secret, "ca.crt"));
    if (root.ok() && !root->empty()) f.issuer_fingerprint_sha256 = root->front().sha256_fingerprint();
  }
  return out;
}

}  // namespace certplane::reconcile

#include "reconcile/secret_facts.h"

#include <chrono>

#include "api/duration.h"
#include "api/pki_mapping.h"
#include "api/well_known.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "reconcile/ca_certificate_memo.h"

namespace certplane::reconcile {
namespace {

std::string Annotation(const kube::StringMap& annotations, std::string_view name) {
  const std::string* value = annotations.Find(name);
  return value == nullptr ? std::string() : *value;
}

std::optional<api::KeyEncoding> EncodingOf(std::string_view pem) {
  if (pem.find("-----BEGIN PRIVATE KEY-----") != std::string::npos) return api::KeyEncoding::kPkcs8;
  if (pem.find("-----BEGIN RSA PRIVATE KEY-----") != std::string::npos) return api::KeyEncoding::kPkcs1;
  return std::nullopt;
}

// Whether each certificate of the chain is signed by the next, the last by the root.
// Signatures only, not validity dates: an expired certificate is the Expired check's
// business, not a broken chain.
bool ChainLinksToRoot(const std::vector<pki::Certificate>& chain, const pki::Certificate& root) {
  for (size_t i = 0; i < chain.size(); ++i) {
    const pki::Certificate& issuer = i + 1 < chain.size() ? chain[i + 1] : root;
    if (!chain[i].VerifySignedBy(issuer).ok()) return false;
  }
  return true;
}

// The facts of a parsed chain and key; `root` is ca.crt's one certificate, or null when
// ca.crt did not hold exactly one (then the chain cannot be valid).
void FillParsedFacts(const std::vector<pki::Certificate>& chain, const pki::PrivateKey& key,
                     std::string_view tls_key_pem, const pki::Certificate* root, policy::SecretFacts& facts) {
  const pki::Certificate& leaf = chain.front();
  facts.key_matches_certificate = pki::CheckKeyMatchesCertificate(key, leaf).ok();
  facts.key_algorithm = api::FromPki(key.algorithm());
  facts.key_encoding = EncodingOf(tls_key_pem);

  facts.serial_number = leaf.serial().ToHex();
  facts.not_before = api::ToTime(leaf.not_before());
  facts.not_after = api::ToTime(leaf.not_after());
  pki::DistinguishedName subject = leaf.subject();
  facts.common_name = subject.common_name;
  facts.subject = api::ApiSubject(subject);
  pki::SubjectAltNames sans = leaf.subject_alt_names();
  facts.dns_names = sans.dns_names;
  facts.ip_addresses = sans.ip_addresses;
  facts.uris = sans.uris;
  facts.email_addresses = sans.email_addresses;
  for (pki::KeyUsage u : leaf.key_usages()) {
    if (auto api_usage = api::FromPki(u)) facts.key_usages.push_back(*api_usage);
  }
  for (pki::ExtendedKeyUsage u : leaf.extended_key_usages()) facts.extended_key_usages.push_back(api::FromPki(u));

  if (root == nullptr) {
    facts.chain_valid = false;
    return;
  }
  facts.chain_valid = ChainLinksToRoot(chain, *root);
  // The certificate that signed the leaf: the first intermediate, or the root itself.
  facts.issuer_fingerprint_sha256 = chain.size() > 1 ? chain[1].sha256_fingerprint() : root->sha256_fingerprint();
}

// The CA certificates of every Secret read, parsed once for the process: the same few
// repeat in every Secret (ca_certificate_memo.h). Never destroyed, so that informer
// threads still decoding at exit find it.
CaCertificateMemo& CaCertificates() {
  static CaCertificateMemo* memo = new CaCertificateMemo();
  return *memo;
}

Result<std::vector<pki::Certificate>> ParseChain(std::string_view pem, bool first_is_leaf) {
  return pki::ParseCertificateChainPem(pem, [first_is_leaf](pki::ByteView der, size_t index) {
    return first_is_leaf && index == 0 ? pki::ParseCertificateDer(der) : CaCertificates().Parse(der);
  });
}

}  // namespace

void AddAnnotationFacts(const kube::StringMap& annotations, policy::SecretFacts& facts) {
  facts.profile_name = Annotation(annotations, api::kProfileNameAnnotation);
  facts.ca_name = Annotation(annotations, api::kCaNameAnnotation);
  if (std::string d = Annotation(annotations, api::kDurationAnnotation); !d.empty()) {
    if (auto parsed = api::ParseDuration(d); parsed.ok()) facts.requested_duration = *parsed;
  }
  if (std::string at = Annotation(annotations, api::kIssuedAtAnnotation); !at.empty()) {
    if (auto parsed = api::ParseTime(at); parsed.ok()) facts.issued_at = *parsed;
  }
}

policy::SecretFacts ReadContentFacts(const TlsSecretContents& contents) {
  policy::SecretFacts facts;
  facts.exists = true;
  facts.has_certificate = !contents.tls_crt.empty();
  facts.has_private_key = !contents.tls_key.empty();
  if (!facts.has_certificate || !facts.has_private_key) return facts;

  auto chain = ParseChain(contents.tls_crt, /*first_is_leaf=*/true);
  if (!chain.ok() || chain->empty()) {
    facts.parse_error = "tls.crt: " + (chain.ok() ? std::string("no certificate") : chain.status().message());
    return facts;
  }
  auto key = pki::ParsePrivateKeyPem(contents.tls_key);
  if (!key.ok()) {
    facts.parse_error = "tls.key: " + key.status().message();
    return facts;
  }
  auto roots = ParseChain(contents.ca_crt, /*first_is_leaf=*/false);
  const bool one_root = roots.ok() && roots->size() == 1;
  FillParsedFacts(*chain, *key, contents.tls_key, one_root ? &roots->front() : nullptr, facts);
  return facts;
}

policy::SecretFacts IssuedContentFacts(const std::vector<pki::Certificate>& chain, const pki::PrivateKey& key,
                                       std::string_view tls_key_pem, const pki::Certificate& root) {
  policy::SecretFacts facts;
  facts.exists = true;
  facts.has_certificate = !chain.empty();
  facts.has_private_key = !tls_key_pem.empty();
  if (!facts.has_certificate || !facts.has_private_key) return facts;
  FillParsedFacts(chain, key, tls_key_pem, &root, facts);
  return facts;
}

policy::SecretFacts ReadSecretFacts(const TlsSecretContents& contents, const kube::StringMap& annotations) {
  policy::SecretFacts facts = ReadContentFacts(contents);
  AddAnnotationFacts(annotations, facts);
  return facts;
}

}  // namespace certplane::reconcile

#include "reconcile/leaf_issuance.h"

#include <chrono>

#include "api/defaults.h"
#include "api/pki_mapping.h"
#include "pki/csr.h"
#include "pki/issue.h"
#include "policy/renewal.h"
#include "reconcile/crl_plan.h"

namespace certplane::reconcile {

Result<SignedLeaf> SignLeaf(const LeafRequest& request, const pki::PublicKey& public_key) {
  const api::CertificateSpec& spec = request.spec;
  pki::CertificateSpec leaf;
  auto subject = SubjectOf(spec);
  if (!subject.ok()) return subject.status();
  leaf.subject = std::move(*subject);
  leaf.subject_alt_names.dns_names = spec.dns_names;
  leaf.subject_alt_names.ip_addresses = spec.ip_addresses;
  leaf.subject_alt_names.uris = spec.uris;
  leaf.subject_alt_names.email_addresses = spec.email_addresses;
  leaf.validity = std::chrono::duration_cast<std::chrono::seconds>(api::EffectiveDuration(spec, request.tmpl));
  leaf.key_usages = ToPki(api::EffectiveKeyUsages(spec, request.tmpl));
  leaf.extended_key_usages = ToPki(api::EffectiveExtendedKeyUsages(spec, request.tmpl));
  leaf.backdate = std::chrono::duration_cast<std::chrono::seconds>(policy::kIssuanceBackdate);
  leaf.crl_distribution_points =
      CrlUrlsForKey(request.crl_urls != nullptr ? *request.crl_urls : request.ca.crl_urls, request.ca.key_id);
  leaf.ca_issuers_urls = request.ca.ca_issuers_urls;
  if (request.freshest_crl_urls != nullptr) {
    leaf.freshest_crl = CrlUrlsForKey(*request.freshest_crl_urls, request.ca.key_id);
  }
  if (request.ocsp_urls != nullptr) leaf.ocsp_urls = *request.ocsp_urls;
  // A leaf never outlives its CA: a CA close to its own end issues shorter certificates
  // (and is renewed itself) rather than refusing to issue.
  leaf.truncate_to_issuer = true;

  auto cert = pki::IssueCertificate(leaf, public_key, request.ca.issuer, request.now);
  if (!cert.ok()) return cert.status().WithContext("signing with CertificateAuthority " + request.ca.name);
  std::vector<pki::Certificate> chain{*cert};
  chain.insert(chain.end(), request.ca.intermediates.begin(), request.ca.intermediates.end());
  return SignedLeaf{.certificate = std::move(*cert), .chain = std::move(chain)};
}

Result<IssuedLeaf> IssueLeaf(const LeafRequest& request) {
  const api::CertificateSpec& spec = request.spec;
  const pki::KeyAlgorithm algorithm = ToPki(spec.private_key.algorithm);

  const bool reuse = spec.private_key.rotation_policy == api::RotationPolicy::kNever &&
                     request.existing_key != nullptr && request.existing_key->algorithm() == algorithm;
  Result<pki::PrivateKey> key =
      reuse ? Result<pki::PrivateKey>(*request.existing_key) : pki::GeneratePrivateKey(algorithm);
  if (!key.ok()) return key.status().WithContext("generating the private key");

  auto signed_leaf = SignLeaf(request, key->public_key());
  if (!signed_leaf.ok()) return signed_leaf.status();
  return IssuedLeaf{.key = std::move(*key),
                    .certificate = std::move(signed_leaf->certificate),
                    .chain = std::move(signed_leaf->chain),
                    .key_reused = reuse};
}

policy::CsrFacts CsrFactsOf(std::string_view pem) {
  policy::CsrFacts facts;
  Result<pki::CertificateRequest> csr = pki::ParseCsrPem(pem);
  if (!csr.ok()) {
    facts.parse_error = csr.status().message();
    return facts;
  }
  facts.common_name = csr->subject().common_name;
  const pki::SubjectAltNames& sans = csr->subject_alt_names();
  facts.dns_names = sans.dns_names;
  facts.ip_addresses = sans.ip_addresses;
  facts.uris = sans.uris;
  facts.email_addresses = sans.email_addresses;
  facts.key_algorithm = api::FromPki(csr->public_key().algorithm());
  return facts;
}

}  // namespace certplane::reconcile

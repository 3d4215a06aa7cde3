// IssueLeaf: a Certificate resource's next revision, signed by its CA. Pure crypto
// composition: no Kubernetes I/O, the clock passed in.
//
//   CaMaterial ca = ...;   // from the CA's key Secret (ca_material.h)
//   Result<IssuedLeaf> leaf = IssueLeaf({.spec = cert.spec, .tmpl = tmpl.spec,
//                                        .ca = ca, .now = clock.Now()});
//   if (!leaf.ok()) ...    // kInvalidArgument: the spec cannot make a certificate
//
// The key is new unless rotationPolicy is Never and the current key is passed in
// (existing_key), in which case it is reused when it still has the requested algorithm.
//
// CSR enrollment signs the requester's key instead, and never sees a private key:
//
//   policy::CsrFacts facts = CsrFactsOf(cert.spec.csr);        // for policy::Decide
//   Result<pki::CertificateRequest> csr = pki::ParseCsrPem(cert.spec.csr);
//   Result<SignedLeaf> leaf = SignLeaf({.spec = spec, ...}, csr->public_key());
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/certificate.h"
#include "api/certificate_template.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/issuer.h"
#include "pki/key.h"
#include "pki/types.h"
#include "policy/issuance.h"

namespace certplane::reconcile {

// A key the CA had before its current one, kept only to sign the CRLs that the
// certificates it signed name (ca_material.h).
struct RetiredCaKey {
  std::string key_id;  // CaKeyId of issuer.certificate()
  pki::Issuer issuer;  // the CA certificate it was current with, and the key
};

// What issuing from one CA needs.
struct CaMaterial {
  std::string name;                             // the CertificateAuthority
  pki::Issuer issuer;                           // its certificate and private key
  std::vector<pki::Certificate> intermediates;  // its certificate and parents below the root; empty for a root
  pki::Certificate root;                        // the trust anchor written to ca.crt
  std::vector<std::string> crl_urls;            // CRL distribution points for what it issues ("{key}": key_id)
  std::vector<std::string> ca_issuers_urls;     // AIA caIssuers for what it issues
  std::string key_id;                           // CaKeyId of issuer.certificate(): names this key's CRLs
  std::vector<RetiredCaKey> retired;            // earlier keys whose certificates may still be in use
};

struct LeafRequest {
  const api::CertificateSpec& spec;
  const api::CertificateTemplateSpec& tmpl;
  const CaMaterial& ca;
  pki::TimePoint now;
  const pki::PrivateKey* existing_key = nullptr;  // reused under rotationPolicy Never
  // The CRL distribution points of the certificate's CRL shard; null: ca.crl_urls.
  // "{key}" in a URL becomes ca.key_id, so the certificate names the CRL its own
  // signing key signs, which stays published after the CA gets a new key.
  const std::vector<std::string>* crl_urls = nullptr;
  // The Freshest CRL (delta CRL) URLs of that shard, "{key}" filled in the same way;
  // null or empty: no Freshest CRL extension.
  const std::vector<std::string>* freshest_crl_urls = nullptr;
  // OCSP responder URLs for the Authority Information Access extension; null or empty: none.
  const std::vector<std::string>* ocsp_urls = nullptr;
};

struct IssuedLeaf {
  pki::PrivateKey key;
  pki::Certificate certificate;
  std::vector<pki::Certificate> chain;  // the leaf, then ca.intermediates
  bool key_reused = false;
};

Result<IssuedLeaf> IssueLeaf(const LeafRequest& request);

struct SignedLeaf {
  pki::Certificate certificate;
  std::vector<pki::Certificate> chain;  // the leaf, then ca.intermediates
};

// The certificate for `public_key` (a CSR's), built from request.spec exactly as
// IssueLeaf builds it (existing_key is ignored). Errors as IssueLeaf.
Result<SignedLeaf> SignLeaf(const LeafRequest& request, const pki::PublicKey& public_key);

// What a PEM CSR asks for, for policy::Decide: its common name, SANs and key algorithm,
// or in parse_error why it cannot be used (malformed, a bad self-signature, an
// unsupported key).
policy::CsrFacts CsrFactsOf(std::string_view pem);

}  // namespace certplane::reconcile

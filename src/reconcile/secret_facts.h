// ReadSecretFacts: what a certificate Secret holds, as the plain values the issuance
// policy decides on (policy::SecretFacts), read with the PKI engine.
//
//   TlsSecretContents contents{.tls_crt = data["tls.crt"], .tls_key = data["tls.key"],
//                              .ca_crt = data["ca.crt"]};
//   policy::SecretFacts facts = ReadSecretFacts(contents, annotations);
//
// The facts never include key material, so the Secret informer can cache them instead of
// the Secret's data: the controller's memory holds no private key of any workload.
// Nothing here fails: a malformed tls.crt or tls.key becomes facts.parse_error, which
// the policy turns into a reissue with a reason a person can read.
//
// The facts come in two parts: those of the data (ReadContentFacts, which parses it,
// or IssuedContentFacts, from the objects an issuance just wrote the data from) and
// those of the annotations (AddAnnotationFacts).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kube/object_meta.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "policy/issuance.h"

namespace certplane::reconcile {

struct TlsSecretContents {
  std::string tls_crt;  // PEM: the leaf, then the intermediates up to (not including) the root
  std::string tls_key;  // PEM: PKCS#8 or PKCS#1
  std::string ca_crt;   // PEM: the root
};

policy::SecretFacts ReadSecretFacts(const TlsSecretContents& contents, const kube::StringMap& annotations);

// The facts of the data alone: the annotation fields are left empty.
policy::SecretFacts ReadContentFacts(const TlsSecretContents& contents);

// What ReadContentFacts returns for the data an issuance writes from these objects:
// tls.crt = EncodeCertificateChainPem(chain), tls.key = `tls_key_pem` (the encoding of
// `key` written), ca.crt = root.ToPem(). Parses nothing; checks the chain's signatures
// as ReadContentFacts does.
policy::SecretFacts IssuedContentFacts(const std::vector<pki::Certificate>& chain, const pki::PrivateKey& key,
                                       std::string_view tls_key_pem, const pki::Certificate& root);

// Adds what certplane recorded on the Secret at issuance (profile, CA, duration, time).
void AddAnnotationFacts(const kube::StringMap& annotations, policy::SecretFacts& facts);

}  // namespace certplane::reconcile

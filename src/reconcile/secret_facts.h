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
#pragma once

#include <string>

#include "kube/object_meta.h"
#include "policy/issuance.h"

namespace certplane::reconcile {

struct TlsSecretContents {
  std::string tls_crt;  // PEM: the leaf, then the intermediates up to (not including) the root
  std::string tls_key;  // PEM: PKCS#8 or PKCS#1
  std::string ca_crt;   // PEM: the root
};

policy::SecretFacts ReadSecretFacts(const TlsSecretContents& contents, const kube::StringMap& annotations);

}  // namespace certplane::reconcile

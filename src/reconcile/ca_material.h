// LoadCaMaterial: a CertificateAuthority's signing material from the Secret that holds
// its key (in the controller's namespace), checked to belong together.
//
//   Result<CaMaterial> ca = LoadCaMaterial("example-issuing", contents, urls);
//
// The Secret's tls.crt is the CA's certificate followed by its parents below the root;
// ca.crt is the root. For a root CA both are the same certificate.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "reconcile/leaf_issuance.h"
#include "reconcile/secret_facts.h"

namespace certplane::reconcile {

struct CaUrls {
  std::vector<std::string> crl_urls;
  std::vector<std::string> ca_issuers_urls;
};

// kFailedPrecondition naming the CA and the part at fault when the Secret's content does
// not make a working issuer (no certificate, a key that does not match, not a CA).
Result<CaMaterial> LoadCaMaterial(const std::string& ca_name, const TlsSecretContents& contents, CaUrls urls);

}  // namespace certplane::reconcile

// LoadCaMaterial: a CertificateAuthority's signing material from the Secret that holds
// its key (in the controller's namespace), checked to belong together.
//
//   Result<CaMaterial> ca = LoadCaMaterial("example-issuing", contents, urls,
//                                          RetiredKeysOf(secret_json));
//
// The Secret's tls.crt is the CA's certificate followed by its parents below the root;
// ca.crt is the root. For a root CA both are the same certificate.
//
// Retired keys: when a CA gets a new key (a spec change, a renewal, a re-import), the key
// it had stays in the same Secret as "retired-<key id>.crt" (the CA certificate it was
// current with) and "retired-<key id>.key" (PKCS#8 PEM) until that certificate's
// notAfter, which bounds every certificate the key signed (a leaf never outlives its
// CA). Only with it can the CRL that those certificates name still be signed (RFC 5280
// 6.3.3: a CRL is checked with the key that signed the certificate).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "crl/ca_key_id.h"
#include "pki/certificate.h"
#include "reconcile/leaf_issuance.h"
#include "reconcile/secret_facts.h"

namespace certplane::reconcile {

struct CaUrls {
  std::vector<std::string> crl_urls;  // may hold "{key}" (crl_plan.h's kCrlKeyPlaceholder)
  std::vector<std::string> ca_issuers_urls;
};

// The key Secret's data keys of a retired key.
std::string RetiredCertificateDataKey(const std::string& key_id);  // "retired-<id>.crt"
std::string RetiredPrivateKeyDataKey(const std::string& key_id);   // "retired-<id>.key"

// A retired key as its Secret holds it (PEM text; the key is wiped on destruction).
struct RetiredKeyPem {
  std::string key_id;
  std::string certificate_pem;
  SensitiveString private_key_pem;
};

// The retired keys in a key Secret as the API server returns it (data in base64): every
// "retired-<id>.crt" with its ".key". Entries missing a half are left out.
std::vector<RetiredKeyPem> RetiredKeysOf(const nlohmann::json& secret);

// kFailedPrecondition naming the CA and the part at fault when the Secret's content does
// not make a working issuer (no certificate, a key that does not match, not a CA). A
// retired key that does not load is left out with a warning (it must not stop the
// current key from signing), never failing the whole.
Result<CaMaterial> LoadCaMaterial(const std::string& ca_name, const TlsSecretContents& contents, CaUrls urls,
                                  const std::vector<RetiredKeyPem>& retired = {});

}  // namespace certplane::reconcile

// A CA key's short identity, the key id: the first 16 hex digits of the SHA-256 of the
// CA certificate's SubjectPublicKeyInfo. It names the key's CRLs in distribution point
// URLs (/crl/<ca>/<key id>/<shard>.crl), in the CRL ConfigMap (crl-<key id>.der) and the
// key's retired entry in the CA key Secret, so both the publisher and the HTTP routes
// that serve those URLs read it.
//
//   std::string id = CaKeyId(ca_certificate);   // "3f1c0a9b27d4e865"
//   if (!IsCaKeyId(url_segment)) ... 404
#pragma once

#include <string>
#include <string_view>

#include "pki/certificate.h"

namespace certplane::crl {

// The key id of `ca_certificate`'s key; "" when the certificate's key cannot be read.
std::string CaKeyId(const pki::Certificate& ca_certificate);

// Whether `text` has the form of a key id (16 lower-case hex digits).
bool IsCaKeyId(std::string_view text);

}  // namespace certplane::crl

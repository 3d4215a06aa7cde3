// The values a client publishes to satisfy a challenge, derived from the key
// authorization (RFC 8555 section 8.1: "<token>.<base64url(JWK thumbprint)>").
//
//   Dns01TxtValue(key_authz);     // TXT at _acme-challenge.<name> (RFC 8555 section 8.4)
//   TlsAlpn01Digest(key_authz);   // the acmeIdentifier extension's content (RFC 8737)
#pragma once

#include <string>
#include <string_view>

namespace certplane::acme {

// base64url(SHA-256(key_authorization)), unpadded: 43 characters.
std::string Dns01TxtValue(std::string_view key_authorization);

// SHA-256(key_authorization): 32 raw bytes.
std::string TlsAlpn01Digest(std::string_view key_authorization);

// The DER of the id-pe-acmeIdentifier extension value: OCTET STRING (04 20) of the digest.
std::string TlsAlpn01ExtensionValue(std::string_view key_authorization);

}  // namespace certplane::acme

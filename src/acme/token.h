// NewToken: unguessable identifiers for ACME challenges (RFC 8555 section 8.1: at least
// 128 bits of entropy) and for the ids in object URLs (accounts, orders,
// authorizations, challenges, certificates).
//
//   std::string token = NewToken();   // 43 characters of base64url, 256 random bits
#pragma once

#include <string>

namespace certplane::acme {

// 32 bytes from OpenSSL's DRBG (RAND_bytes), base64url without padding. Aborts the
// process if the DRBG fails (no entropy): handing out a guessable token is worse.
std::string NewToken();

}  // namespace certplane::acme

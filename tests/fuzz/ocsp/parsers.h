// The OCSP responder's handling of an untrusted request, as the corpus test and the
// libFuzzer target drive it: what the responder does with the bytes a relying party
// POSTs (or GETs in base64), up to the signed response.
//
// When ParseOcspRequest accepts the input, every CertID is matched against a fixed CA
// (made once with certplane's own code), a response answering each one is signed by a
// delegated responder of that CA, and the response must parse back with the same
// CertIDs and the request's nonce and verify against the CA; a broken invariant
// aborts, so libFuzzer reports it as a crash.
#pragma once

#include "base/status.h"
#include "pki/types.h"

namespace certplane::pki::ocsp_fuzz {

// OK when the request was accepted (and answered); the parser's error otherwise.
Status HandleOcspRequest(ByteView input);

// The libFuzzer target's body.
void FuzzOcspRequest(ByteView input);

}  // namespace certplane::pki::ocsp_fuzz

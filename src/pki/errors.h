// errors.h: turns OpenSSL's per-thread error queue into a certplane Status.
//
// OpenSSL reports failures by pushing entries onto a thread-local queue. Every failure
// path in the PKI engine that follows an OpenSSL call returns OpenSslError(), which
// drains the queue into the message, so the caller sees what OpenSSL saw and the queue
// never leaks stale entries into an unrelated later error:
//
//   if (d2i_X509(nullptr, &p, len) == nullptr)
//     return OpenSslError(StatusCode::kInvalidArgument, "parsing a DER certificate");
//   // -> INVALID_ARGUMENT: parsing a DER certificate: error:0680007B:asn1 encoding
//   //    routines::header too long
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace certplane::pki {

// Returns the entries on this thread's OpenSSL error queue as one line, oldest first,
// separated by "; ", and empties the queue. Returns "" when the queue is empty.
std::string TakeOpenSslErrors();

// Empties this thread's OpenSSL error queue. Public entry points call it before work
// whose failure they report themselves, so messages only carry their own errors.
void ClearOpenSslErrors();

// Status{code, "what: <queue>"}, or Status{code, "what"} when the queue is empty.
// Drains the queue.
Status OpenSslError(StatusCode code, std::string_view what);

}  // namespace certplane::pki

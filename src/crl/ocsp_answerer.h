// OcspAnswerer: what answers an OCSP request (RFC 6960) addressed to one CA, as the
// HTTP route that serves /ocsp/<ca> (http/routes/ocsp_routes.h) sees it. The route owns
// the HTTP side (paths, base64, caching headers); the answerer owns everything else.
// reconcile::OcspResponder implements it from the controller's caches; tests substitute
// a stub.
//
//   OcspHttpAnswer a = answerer.Respond("example-issuing", der_request);
//   // a.der is an OCSPResponse either way: an error response when a.status says so
#pragma once

#include <memory>
#include <string>

#include "pki/ocsp.h"
#include "pki/types.h"

namespace certplane::crl {

// One answer to one HTTP request.
struct OcspHttpAnswer {
  pki::OcspResponseStatus status = pki::OcspResponseStatus::kInternalError;
  std::shared_ptr<const std::string> der;  // the OCSPResponse
  bool cacheable = false;                  // no nonce, successful: HTTP caches may keep it
  bool from_cache = false;                 // served from the responder's cache
  pki::TimePoint this_update{};
  pki::TimePoint next_update{};
  pki::TimePoint refresh_at{};  // when the responder re-signs it
};

class OcspAnswerer {
 public:
  virtual ~OcspAnswerer() = default;

  // Answers a DER request addressed to CA `ca`. Never fails: errors are OCSP error
  // responses. Must be thread-safe: the HTTP server calls it from its threads.
  virtual OcspHttpAnswer Respond(const std::string& ca, pki::ByteView request) = 0;
};

}  // namespace certplane::crl

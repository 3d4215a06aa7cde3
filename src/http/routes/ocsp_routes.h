// The OCSP routes (RFC 6960 appendix A, with RFC 5019's caching profile): the HTTP side
// of an OcspAnswerer (crl/ocsp_answerer.h), which does the answering.
//
//   GET  /ocsp/<ca>/<base64 of the DER request, URL-encoded>
//   POST /ocsp/<ca>            body: the DER request (application/ocsp-request)
//
// Every answer is 200 with the OCSPResponse (application/ocsp-response), error responses
// included, and a Date. A cacheable answer also carries Cache-Control max-age until the
// answerer will have re-signed it, Last-Modified (thisUpdate), Expires (nextUpdate) and
// a strong ETag; a GET whose If-None-Match matches gets 304. Nonce and error answers
// say no-store. A GET whose path does not hold base64 is 400.
//
//   reconcile::OcspResponder responder(...);
//   http::Router router;
//   RegisterOcspRoutes(router, responder, *kube::SystemClock());
#pragma once

#include "crl/ocsp_answerer.h"
#include "http/router.h"
#include "kube/clock.h"

namespace certplane::http {

// Registers the routes above on `router`. `answerer` and `clock` must outlive the router.
void RegisterOcspRoutes(Router& router, crl::OcspAnswerer& answerer, const kube::Clock& clock);

}  // namespace certplane::http

// The controller's public HTTP surface, served by every replica (leader or not) from its
// informer caches: the CA certificates that AIA caIssuers URLs name, and the CRLs that
// CRL distribution points name.
//
//   GET /ca/<ca>.crt          the CA's certificate, PEM (application/x-pem-file)
//   GET /ca/<ca>.der          the CA's certificate, DER (application/pkix-cert)
//   GET /crl/<ca>.crl         shard 0 of the CA's CRL, DER (application/pkix-crl)
//   GET /crl/<ca>.pem         shard 0, PEM "X509 CRL" (application/x-pem-file)
//   GET /crl/<ca>/<k>.crl     shard k (canonical decimal, 0..1023), DER
//   GET /crl/<ca>/<k>.pem     shard k, PEM
//
// CRL responses carry a strong ETag (of the DER, CrlConfigMap::etag), answer a matching
// If-None-Match with 304 and no body, and say how long to cache: Cache-Control
// "public, max-age=<seconds until nextUpdate, at least 0>, no-transform", Date (the
// clock's now), Last-Modified (thisUpdate) and Expires (nextUpdate) as HTTP-dates. An unknown CA or shard is 404; a
// shard whose ConfigMap is cached but malformed is 503 with Cache-Control no-store. HEAD
// is served by the Router from the GET handlers.
//
//   Router router;
//   RegisterPublicRoutes(router, {.crl = lookup, .ca = ..., .clock = &clock});
//   HttpResponse r = router.Dispatch(request);
//
// The controller's lookups read its informer caches (controller/route_sources.h); tests
// pass fakes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/certificate_authority.h"
#include "crl/crl_config_map.h"
#include "http/router.h"
#include "kube/clock.h"

namespace certplane::http {

// Shard `shard` of CA `ca`'s CRL ConfigMap; nullptr when there is none.
using CrlLookup = std::function<std::shared_ptr<const crl::CrlConfigMap>(const std::string& ca, std::int32_t shard)>;
// A CertificateAuthority by name; nullptr when unknown.
using CaLookup = std::function<std::shared_ptr<const api::CertificateAuthority>(const std::string& ca)>;

struct PublicRouteSources {
  CrlLookup crl;
  CaLookup ca;
  const kube::Clock* clock = nullptr;  // wall time for max-age; must outlive the router
};

// Registers the routes above, reading through `sources` on every request (from the
// server's threads: the lookups must be thread-safe, as informer stores are).
void RegisterPublicRoutes(Router& router, const PublicRouteSources& sources);

// `t` as an HTTP-date (RFC 9110 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(api::Time t);

// True when an If-None-Match header value matches `etag` (quoted, as sent in ETag):
// "*", or a comma-separated list of entity tags one of which equals `etag` by the weak
// comparison (a W/ prefix on either side is ignored). Malformed lists match nothing
// past the first defect.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

}  // namespace certplane::http

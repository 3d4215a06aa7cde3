// The bundle API: a Certificate's current certificate, chain and private key over the
// controller's public HTTP port, for deployment pipelines that want "the latest
// certificate of profile X" without tracking serial numbers. Served by every replica,
// choosing from its caches and reading the Secret at request time (the caches never
// hold Secret data).
//
//   GET /api/v1/profiles/<profile>/latest-bundle[?format=pem|pkcs12]
//       the latest active Certificate of the profile (policy/latest_active.h)
//   GET /api/v1/namespaces/<ns>/certificates/<name>/bundle[?format=pem|pkcs12]
//       that Certificate's current serial, once issued and unless revoked (an expired or
//       not-Ready one too: the caller asked for it by name, and notAfter says so)
//
// format=pem (the default) answers the JSON of bundle.h; format=pkcs12 answers a
// PKCS#12 keystore (application/x-pkcs12) encrypted with the password the caller sends
// in the X-Certplane-PKCS12-Password header (400 without one: a password in the URL
// would end up in access logs). Every answer says Cache-Control: no-store.
//
// Who may: the caller sends its Kubernetes bearer token (Authorization: Bearer ...),
// which a TokenReview turns into a user (401 with WWW-Authenticate: Bearer when absent
// or not accepted); a SubjectAccessReview then asks whether that user may `get` the
// Certificate's Secret (403 when not), so the API never widens anyone's access. The
// latest-bundle route decides which Certificate is the latest first and answers 403 if
// the caller may not read that one: it never falls back to an older certificate the
// caller happens to be allowed, which would hand out a superseded key, and the 403
// says no more than that the latest exists. The per-certificate route answers 403, not
// 404, for a Certificate that does not exist unless the caller may `get` it, so names
// do not leak either.
//
// Transport: only over TLS (the HTTPS listener); over plain HTTP 403 with a message that
// says so, before the token is even looked at, unless allow_plain_http.
//
// Other answers: 404 when no Certificate of the profile is active, or the Certificate
// is unknown or not yet issued; 409 when the Certificate's serial is revoked or on
// hold; 503 with Retry-After when the Secret does not hold status.serialNumber yet (a
// renewal is being written), when a review or the Secret read fails, before the caches
// have synced, and when too many bundle requests are in flight. Errors are JSON:
// {"code": 403, "reason": "Forbidden", "message": "..."}. HEAD is 405 (no key is read for
// a body that would be dropped).
//
// Every key handed out is logged at info (logger "bundle"): who, which Certificate,
// which serial and format; refusals too. Never the key, never the token.
//
//   Router router;
//   RegisterBundleRoutes(router, BundleRouteSources{...});
//
// The controller's sources read its informer caches and the API server
// (controller/route_sources.h); tests pass stubs.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/certificate.h"
#include "http/router.h"
#include "kube/access_review.h"
#include "kube/api_error.h"
#include "kube/clock.h"

namespace certplane::http {

// The header that carries the PKCS#12 password.
inline constexpr const char* kPkcs12PasswordHeader = "X-Certplane-PKCS12-Password";

struct BundleRouteSources {
  // Calls `visit` with each Certificate of a profile (from the cache).
  std::function<void(const std::string& profile,
                     const std::function<void(const std::shared_ptr<const api::Certificate>&)>& visit)>
      for_each_certificate_of_profile;
  // One Certificate (from the cache); nullptr when unknown.
  std::function<std::shared_ptr<const api::Certificate>(const std::string& ns, const std::string& name)> certificate;
  // A Secret as the API server returns it, read now.
  std::function<kube::ApiResult<nlohmann::json>(const std::string& ns, const std::string& name)> secret;
  // Whether the caches have synced; absent: always.
  std::function<bool()> synced;
  kube::AccessReviewer* reviewer = nullptr;  // must outlive the router; thread-safe
  const kube::Clock* clock = nullptr;        // wall time for "active"; must outlive the router
  // Requests served at once; more get 503. Each holds an HTTP server thread while it
  // waits for the API server.
  int max_in_flight = 8;
  // The API hands out private keys: a request that did not arrive over TLS is refused
  // (403) unless this is set, for clusters that terminate TLS in front of the controller.
  bool allow_plain_http = false;
};

// Registers the routes above. The sources are called from the server's threads.
void RegisterBundleRoutes(Router& router, BundleRouteSources sources);

}  // namespace certplane::http

#include "http/routes/bundle_routes.h"

#include <atomic>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/time.h"
#include "http/routes/bundle.h"
#include "kube/logging.h"
#include "policy/latest_active.h"

namespace certplane::http {
namespace {

constexpr int kRetryAfterSeconds = 5;

std::shared_ptr<spdlog::logger> Log() { return kube::Logger("bundle"); }

std::string_view ReasonPhrase(int code) {
  switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 503: return "ServiceUnavailable";
    default: return "InternalError";
  }
}

HttpResponse Error(int code, const std::string& message) {
  nlohmann::json body = {{"code", code}, {"reason", ReasonPhrase(code)}, {"message", message}};
  HttpResponse r = HttpResponse::Json(code, body.dump() + "\n");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse Unauthorized(const std::string& message) {
  HttpResponse r = Error(401, message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"certplane\"");
  return r;
}

HttpResponse RetryLater(const std::string& message, int seconds = kRetryAfterSeconds) {
  HttpResponse r = Error(503, message);
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

// Counts a request in for as long as it lives; admitted() is false past the limit.
class InFlight {
 public:
  InFlight(std::atomic<int>& count, int max) : count_(count), admitted_(count_.fetch_add(1) < max) {}
  ~InFlight() { count_.fetch_sub(1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  bool admitted() const { return admitted_; }

 private:
  std::atomic<int>& count_;
  const bool admitted_;
};

struct Context {
  BundleRouteSources sources;
  std::shared_ptr<std::atomic<int>> in_flight = std::make_shared<std::atomic<int>>(0);
};

// What the caller asked for, once it is known who they are.
struct Ask {
  kube::UserInfo user;
  BundleFormat format = BundleFormat::kPem;
  std::string password;  // format=pkcs12 only
  std::string route;     // "latest-bundle" or "bundle", for the log
};

// Admission, authentication and the query: the Ask, or the response that ends the request.
std::variant<Ask, HttpResponse> Prelude(const HttpRequest& request, const BundleRouteSources& sources,
                                        std::string route) {
  // The Router answers HEAD with the GET handler; a key read and logged for a body that
  // is then dropped would only muddy the audit log.
  if (request.method == "HEAD") {
    HttpResponse r = Error(405, "use GET");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  if (!request.tls && !sources.allow_plain_http) {
    return Error(403,
                 "the bundle API hands out private keys and answers only over HTTPS: use the controller's HTTPS port "
                 "(--https-bind-address; port 443 of the chart's Service), trusting the CA in ConfigMap "
                 "certplane-serving-ca; --bundle-api-plain-http allows plain HTTP where TLS ends in front of it");
  }
  if (sources.synced && !sources.synced()) return RetryLater("the controller's caches have not synced yet");
  std::optional<std::string> token = BearerToken(request.Header("Authorization"));
  if (!token) return Unauthorized("a Kubernetes bearer token is required: Authorization: Bearer <token>");
  Result<kube::UserInfo> user = sources.reviewer->Authenticate(SensitiveString(std::move(*token)));
  if (!user.ok()) {
    if (user.status().code() == StatusCode::kUnauthenticated) {
      Log()->debug("refused key bundle route={} reason=unauthenticated remote={} error=\"{}\"", route,
                   request.remote_address, user.status().message());
      return Unauthorized("the bearer token was not accepted");
    }
    Log()->error("authenticating a bundle request failed route={} error=\"{}\"", route, user.status().ToString());
    return RetryLater("the token could not be reviewed");
  }
  Result<BundleFormat> format = ParseBundleFormat(request.query);
  if (!format.ok()) return Error(400, format.status().message());
  Ask ask{.user = std::move(*user), .format = *format, .route = std::move(route)};
  if (ask.format == BundleFormat::kPkcs12) {
    ask.password = request.Header(kPkcs12PasswordHeader);
    if (ask.password.empty()) {
      return Error(
          400, std::string("format=pkcs12 needs the keystore's password in the ") + kPkcs12PasswordHeader + " header");
    }
  }
  return ask;
}

// Whether the caller may do `attributes`: nullopt when allowed, else the response.
std::optional<HttpResponse> Authorize(const Ask& ask, const kube::ResourceAttributes& attributes,
                                      const BundleRouteSources& sources, const std::string& denied_message) {
  Result<kube::AccessDecision> decision = sources.reviewer->Authorize(ask.user, attributes);
  if (!decision.ok()) {
    Log()->error("authorizing a bundle request failed route={} user={} error=\"{}\"", ask.route, ask.user.username,
                 decision.status().ToString());
    return RetryLater("the request could not be authorized");
  }
  if (!decision->allowed) {
    Log()->info("refused key bundle route={} user={} namespace={} resource={} name={} reason=denied", ask.route,
                ask.user.username, attributes.ns, attributes.resource, attributes.name);
    return Error(403, denied_message);
  }
  return std::nullopt;
}

kube::ResourceAttributes GetSecret(const api::Certificate& cert) {
  return {.ns = cert.metadata.ns, .verb = "get", .group = "", .resource = "secrets", .name = cert.spec.secret_name};
}

// The caller may read the Secret: read it and answer with the bundle.
HttpResponse Deliver(const HttpRequest& request, const Ask& ask, const api::Certificate& cert,
                     const BundleRouteSources& sources) {
  const std::string key = cert.metadata.ns + "/" + cert.metadata.name;
  kube::ApiResult<nlohmann::json> secret = sources.secret(cert.metadata.ns, cert.spec.secret_name);
  if (!secret.ok()) {
    if (secret.status().code() == StatusCode::kNotFound) {
      return RetryLater("the Secret of Certificate " + key + " does not exist yet: it is being reissued");
    }
    Log()->error("reading the Secret of a bundle failed certificate={} error=\"{}\"", key, secret.status().ToString());
    return RetryLater("the Secret of Certificate " + key + " could not be read");
  }
  Result<Bundle> bundle = ReadBundle(cert, *secret);
  if (!bundle.ok()) {
    Log()->info("bundle not ready certificate={} error=\"{}\"", key, bundle.status().message());
    return RetryLater(bundle.status().message());
  }
  HttpResponse response;
  if (ask.format == BundleFormat::kPkcs12) {
    Result<pki::Bytes> p12 = BundlePkcs12(*bundle, ask.password);
    if (!p12.ok()) {
      if (p12.status().code() == StatusCode::kInvalidArgument) return Error(400, p12.status().message());
      Log()->error("building a PKCS#12 bundle failed certificate={} error=\"{}\"", key, p12.status().ToString());
      return Error(500, "the PKCS#12 keystore could not be built");
    }
    response = HttpResponse::Bytes(200, std::string(p12->begin(), p12->end()), "application/x-pkcs12");
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + cert.metadata.name + ".p12\"");
  } else {
    response = HttpResponse::Json(200, BundleJson(*bundle));
  }
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Certplane-Serial-Number", bundle->serial_number);
  response.headers.emplace_back("X-Certplane-Certificate", key);
  Log()->info("served key bundle route={} user={} uid={} namespace={} name={} serial={} format={} remote={}", ask.route,
              ask.user.username, ask.user.uid, cert.metadata.ns, cert.metadata.name, bundle->serial_number,
              ask.format == BundleFormat::kPkcs12 ? "pkcs12" : "pem", request.remote_address);
  return response;
}

api::Time Now(const BundleRouteSources& sources) { return api::ToTime(sources.clock->WallNow()); }

HttpResponse ServeLatest(const HttpRequest& request, const Context& ctx) {
  const BundleRouteSources& sources = ctx.sources;
  InFlight in_flight(*ctx.in_flight, sources.max_in_flight);
  if (!in_flight.admitted()) return RetryLater("too many bundle requests at once", 1);
  const std::string& profile = request.params.at("profile");
  auto prelude = Prelude(request, sources, "latest-bundle");
  if (auto* done = std::get_if<HttpResponse>(&prelude)) return std::move(*done);
  const Ask& ask = std::get<Ask>(prelude);

  std::shared_ptr<const api::Certificate> latest;
  if (IsDnsSubdomain(profile)) {
    policy::LatestActive latest_active(Now(sources));
    sources.for_each_certificate_of_profile(profile, [&](const auto& c) { latest_active.Consider(c); });
    latest = latest_active.get();
  }
  if (!latest) return Error(404, "no certificate of profile \"" + profile + "\" is active");
  // The latest, or nothing: never an older one the caller happens to be allowed.
  if (auto refused = Authorize(ask, GetSecret(*latest), sources,
                               "you may not read the private key of the latest certificate of profile \"" + profile +
                                   "\" (get on its Secret is required)")) {
    return std::move(*refused);
  }
  return Deliver(request, ask, *latest, sources);
}

HttpResponse ServeOne(const HttpRequest& request, const Context& ctx) {
  const BundleRouteSources& sources = ctx.sources;
  InFlight in_flight(*ctx.in_flight, sources.max_in_flight);
  if (!in_flight.admitted()) return RetryLater("too many bundle requests at once", 1);
  const std::string& ns = request.params.at("namespace");
  const std::string& name = request.params.at("name");
  auto prelude = Prelude(request, sources, "bundle");
  if (auto* done = std::get_if<HttpResponse>(&prelude)) return std::move(*done);
  const Ask& ask = std::get<Ask>(prelude);
  const std::string key = ns + "/" + name;

  std::shared_ptr<const api::Certificate> cert;
  if (IsDnsSubdomain(ns) && IsDnsSubdomain(name)) cert = sources.certificate(ns, name);
  if (!cert) {
    // Say "not found" only to whoever could see that for themselves.
    if (auto refused =
            Authorize(ask, {.ns = ns, .verb = "get", .group = "certplane.io", .resource = "certificates", .name = name},
                      sources, "you may not read Certificate " + key)) {
      return std::move(*refused);
    }
    return Error(404, "Certificate " + key + " not found");
  }
  if (!policy::KeyGeneratedByController(*cert)) {
    // CSR enrollment: the requester keeps the key and there is no Secret to read. Said
    // only to whoever may read the Certificate (where its chain is, status.certificate).
    if (auto refused =
            Authorize(ask, {.ns = ns, .verb = "get", .group = "certplane.io", .resource = "certificates", .name = name},
                      sources, "you may not read Certificate " + key)) {
      return std::move(*refused);
    }
    return Error(409, "Certificate " + key +
                          " was enrolled with a CSR: its private key stays with the requester, so there is no "
                          "bundle; its certificate chain is in status.certificate");
  }
  if (auto refused =
          Authorize(ask, GetSecret(*cert), sources,
                    "you may not read the private key of Certificate " + key + " (get on its Secret is required)")) {
    return std::move(*refused);
  }
  const policy::InactiveReason why = policy::WhyInactive(*cert, Now(sources));
  if (why == policy::InactiveReason::kNotIssued) return Error(404, "Certificate " + key + " has not been issued yet");
  if (why == policy::InactiveReason::kRevoked) {
    return Error(409, "the current certificate of " + key + " (serial " + cert->status.serial_number +
                          ") is revoked or on hold");
  }
  return Deliver(request, ask, *cert, sources);
}

}  // namespace

void RegisterBundleRoutes(Router& router, BundleRouteSources sources) {
  auto ctx = std::make_shared<const Context>(Context{.sources = std::move(sources)});
  router.Get("/api/v1/profiles/{profile}/latest-bundle", [ctx](const HttpRequest& r) { return ServeLatest(r, *ctx); });
  router.Get("/api/v1/namespaces/{namespace}/certificates/{name}/bundle",
             [ctx](const HttpRequest& r) { return ServeOne(r, *ctx); });
}

}  // namespace certplane::http

#include "http/routes/ocsp_routes.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

#include "api/time.h"
#include "crl/crl_config_map.h"
#include "http/routes/public_routes.h"
#include "kube/base64.h"

namespace certplane::http {
namespace {

constexpr std::string_view kOcspResponseType = "application/ocsp-response";
// GET requests: base64 may hold '/', so the request spans up to this many path segments.
constexpr int kMaxGetSegments = 24;

}  // namespace

void RegisterOcspRoutes(Router& router, crl::OcspAnswerer& answerer, const kube::Clock& clock) {
  auto respond = [&answerer, &clock](const HttpRequest& request, const std::string& ca, std::string_view body) {
    crl::OcspHttpAnswer a = answerer.Respond(ca, {reinterpret_cast<const std::uint8_t*>(body.data()), body.size()});
    HttpResponse r = HttpResponse::Bytes(200, *a.der, std::string(kOcspResponseType));
    const pki::TimePoint now = clock.WallNow();
    r.headers.emplace_back("Date", FormatHttpDate(api::ToTime(now)));
    if (a.status != pki::OcspResponseStatus::kSuccessful || !a.cacheable) {
      r.headers.emplace_back("Cache-Control", "no-cache, no-store, max-age=0");
      return r;
    }
    // RFC 5019 6.2: max-age no later than nextUpdate; here until the responder re-signs.
    const auto max_age = std::max<long long>(0, std::chrono::floor<std::chrono::seconds>(a.refresh_at - now).count());
    const std::string etag = crl::CrlEtag(*a.der);
    r.headers.emplace_back("Cache-Control",
                           "public, max-age=" + std::to_string(max_age) + ", no-transform, must-revalidate");
    r.headers.emplace_back("Last-Modified", FormatHttpDate(api::ToTime(a.this_update)));
    r.headers.emplace_back("Expires", FormatHttpDate(api::ToTime(a.next_update)));
    r.headers.emplace_back("ETag", etag);
    if (request.method != "POST" && IfNoneMatchMatches(request.Header("If-None-Match"), etag)) {
      r.status = 304;
      r.body.clear();
    }
    return r;
  };
  router.Post("/ocsp/{ca}", [respond](const HttpRequest& r) { return respond(r, r.params.at("ca"), r.body); });
  // RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER request}. The
  // path arrives decoded, so the base64 text's own '/' characters split it.
  for (int n = 1; n <= kMaxGetSegments; ++n) {
    std::string pattern = "/ocsp/{ca}";
    for (int i = 0; i < n; ++i) pattern += "/{s" + std::to_string(i) + "}";
    router.Get(pattern, [respond](const HttpRequest& r) {
      const std::string& ca = r.params.at("ca");
      const std::string prefix = "/ocsp/" + ca + "/";
      if (!r.path.starts_with(prefix)) return HttpResponse::Text(400, "not an OCSP GET request\n");
      std::string text = r.path.substr(prefix.size());
      std::replace(text.begin(), text.end(), ' ', '+');  // a '+' some decoder took for a space
      auto der = kube::Base64Decode(text);
      if (!der || der->empty()) return HttpResponse::Text(400, "the OCSP request in the path is not base64\n");
      return respond(r, ca, *der);
    });
  }
}

}  // namespace certplane::http

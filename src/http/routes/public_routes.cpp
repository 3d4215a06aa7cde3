#include "http/routes/public_routes.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>

#include "crl/ca_key_id.h"
#include "pki/pem.h"

namespace certplane::http {
namespace {

constexpr std::string_view kPemContentType = "application/x-pem-file";
constexpr std::string_view kCrlContentType = "application/pkix-crl";
constexpr std::string_view kCertContentType = "application/pkix-cert";

enum class Format { kDer, kPem };

struct FileName {
  std::string stem;  // the CA's name, or the shard number
  Format format;
};

// "<stem>.<der_ext>" or "<stem>.<pem_ext>" with a non-empty stem; nullopt otherwise.
// The last dot separates: CA names may contain dots.
std::optional<FileName> SplitFileName(std::string_view file, std::string_view der_ext, std::string_view pem_ext) {
  auto dot = file.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::string_view ext = file.substr(dot + 1);
  if (ext != der_ext && ext != pem_ext) return std::nullopt;
  return FileName{std::string(file.substr(0, dot)), ext == der_ext ? Format::kDer : Format::kPem};
}

pki::ByteView AsBytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::string Describe(const std::string& ca, std::int32_t shard) {
  return "CA \"" + ca + "\" shard " + std::to_string(shard);
}

// How long a relying party may cache the CRL: until nextUpdate, never negative.
long long MaxAgeSeconds(const std::optional<api::Time>& next_update, const kube::Clock& clock) {
  if (!next_update) return 0;
  auto left = std::chrono::floor<std::chrono::seconds>(*next_update - clock.WallNow());
  return std::max<long long>(0, left.count());
}

enum class CrlKind { kComplete, kDelta };

// `key_id`: the CRL signed by that key (current or retired); empty: the current key's
// (the URLs certificates carried before CRL URLs named keys). kDelta: the delta CRL over
// that key's complete CRL.
HttpResponse ServeCrl(const HttpRequest& request, const std::string& ca, std::int32_t shard, const std::string& key_id,
                      Format format, const PublicRouteSources& sources, CrlKind kind = CrlKind::kComplete) {
  std::shared_ptr<const crl::CrlConfigMap> crl = sources.crl(ca, shard);
  if (!crl) return HttpResponse::Text(404, "no CRL for " + Describe(ca, shard) + "\n");
  if (!crl->usable()) {
    // Cached but malformed: say so rather than 404, and let nothing cache the answer.
    HttpResponse r = HttpResponse::Text(503, "the CRL for " + Describe(ca, shard) + " is unavailable\n");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  std::string_view der = crl->der;
  std::string_view etag = crl->etag;
  std::optional<api::Time> this_update = crl->this_update;
  std::optional<api::Time> next_update = crl->next_update;
  if (kind == CrlKind::kDelta) {
    auto keyed = crl->DeltaForKey(key_id);
    if (!keyed) {
      return HttpResponse::Text(404, "no delta CRL for " + Describe(ca, shard) + " signed by key " + key_id + "\n");
    }
    der = keyed->der;
    etag = keyed->etag;
    this_update = crl->delta_this_update;
    next_update = crl->delta_next_update;
  } else if (!key_id.empty()) {
    auto keyed = crl->ForKey(key_id);
    if (!keyed) return HttpResponse::Text(404, "no CRL for " + Describe(ca, shard) + " signed by key " + key_id + "\n");
    der = keyed->der;
    etag = keyed->etag;
  }
  HttpResponse r;
  r.content_type = std::string(format == Format::kDer ? kCrlContentType : kPemContentType);
  r.headers.emplace_back("ETag", std::string(etag));
  // The listener adds no Date; caches compute the age that max-age counts against from it.
  r.headers.emplace_back("Date", FormatHttpDate(api::ToTime(sources.clock->WallNow())));
  r.headers.emplace_back(
      "Cache-Control",
      "public, max-age=" + std::to_string(MaxAgeSeconds(next_update, *sources.clock)) + ", no-transform");
  if (this_update) r.headers.emplace_back("Last-Modified", FormatHttpDate(*this_update));
  if (next_update) r.headers.emplace_back("Expires", FormatHttpDate(*next_update));
  if (IfNoneMatchMatches(request.Header("If-None-Match"), etag)) {
    // The same headers as the 200 would carry (RFC 9110 15.4.5), no body.
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.body = format == Format::kDer ? std::string(der) : pki::EncodePem("X509 CRL", AsBytes(der));
  return r;
}

HttpResponse ServeCaCertificate(const std::string& file, const PublicRouteSources& sources) {
  std::optional<FileName> name = SplitFileName(file, "der", "crt");
  if (!name) return HttpResponse::Text(404, "not found\n");
  std::shared_ptr<const api::CertificateAuthority> ca = sources.ca(name->stem);
  if (!ca || ca->status.certificate.empty()) {
    return HttpResponse::Text(404, "no certificate for CA \"" + name->stem + "\"\n");
  }
  if (name->format == Format::kPem) {
    return HttpResponse::Bytes(200, ca->status.certificate, std::string(kPemContentType));
  }
  Result<pki::PemBlock> block = pki::DecodeSinglePem(ca->status.certificate, "CERTIFICATE");
  if (!block.ok()) {
    HttpResponse r = HttpResponse::Text(503, "the certificate of CA \"" + name->stem + "\" is unavailable\n");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  return HttpResponse::Bytes(200, std::string(block->der.begin(), block->der.end()), std::string(kCertContentType));
}

}  // namespace

std::string FormatHttpDate(api::Time t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::weekday wd(days);
  const std::chrono::hh_mm_ss hms(t - days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  auto opaque = [](std::string_view tag) { return tag.starts_with("W/") ? tag.substr(2) : tag; };
  const std::string_view want = opaque(etag);
  size_t i = 0;
  while (i < header.size()) {
    const char c = header[i];
    if (c == ' ' || c == '\t' || c == ',') {
      ++i;
      continue;
    }
    if (c == '*') return true;
    if (header.substr(i).starts_with("W/")) i += 2;
    if (i >= header.size() || header[i] != '"') return false;
    const size_t close = header.find('"', i + 1);
    if (close == std::string_view::npos) return false;
    if (header.substr(i, close + 1 - i) == want) return true;
    i = close + 1;
  }
  return false;
}

void RegisterPublicRoutes(Router& router, const PublicRouteSources& sources) {
  router.Get("/ca/{file}",
             [sources](const HttpRequest& r) { return ServeCaCertificate(r.params.at("file"), sources); });
  router.Get("/crl/{file}", [sources](const HttpRequest& r) {
    std::optional<FileName> name = SplitFileName(r.params.at("file"), "crl", "pem");
    if (!name) return HttpResponse::Text(404, "not found\n");
    return ServeCrl(r, name->stem, 0, "", name->format, sources);
  });
  router.Get("/crl/{ca}/{file}", [sources](const HttpRequest& r) {
    const std::string& ca = r.params.at("ca");
    std::optional<FileName> name = SplitFileName(r.params.at("file"), "crl", "pem");
    std::optional<std::int32_t> shard = name ? crl::ParseCrlShard(name->stem) : std::nullopt;
    if (!shard) return HttpResponse::Text(404, "no CRL for CA \"" + ca + "\" at " + r.params.at("file") + "\n");
    return ServeCrl(r, ca, *shard, "", name->format, sources);
  });
  // /crl/<ca>/<key id>/<shard>.crl: what certificates carry since CRL URLs name the
  // signing key, served for the current key and every retired key still published; and
  // /crl/<ca>/<key id>/<shard>.delta.crl, the delta CRL over it (Freshest CRL).
  router.Get("/crl/{ca}/{key}/{file}", [sources](const HttpRequest& r) {
    constexpr std::string_view kDeltaSuffix = ".delta";
    const std::string& ca = r.params.at("ca");
    const std::string& key = r.params.at("key");
    std::optional<FileName> name = SplitFileName(r.params.at("file"), "crl", "pem");
    CrlKind kind = CrlKind::kComplete;
    if (name && name->stem.ends_with(kDeltaSuffix)) {
      kind = CrlKind::kDelta;
      name->stem.resize(name->stem.size() - kDeltaSuffix.size());
    }
    std::optional<std::int32_t> shard = name ? crl::ParseCrlShard(name->stem) : std::nullopt;
    if (!shard || !crl::IsCaKeyId(key)) {
      return HttpResponse::Text(404, "no CRL for CA \"" + ca + "\" at " + key + "/" + r.params.at("file") + "\n");
    }
    return ServeCrl(r, ca, *shard, key, name->format, sources, kind);
  });
}

}  // namespace certplane::http

#include "sync/https_transport.h"

#include <cpprest/http_client.h>

#include <exception>
#include <utility>

#include "base/text.h"
#include "kube/config.h"
#include "kube/tls.h"

namespace certplane::sync {

namespace http = web::http;

bool IsLoopbackHost(std::string_view host) {
  const std::string h = AsciiLower(host);
  return h == "localhost" || h == "::1" || h == "[::1]" || h.starts_with("127.");
}

HttpsTransport::HttpsTransport(HttpsTransportOptions options) : options_(std::move(options)) {}

HttpsTransport::~HttpsTransport() = default;

Result<http::client::http_client*> HttpsTransport::ClientFor(const std::string& url, std::string* path_and_query) {
  web::uri uri;
  try {
    uri = web::uri(url);
  } catch (const std::exception& e) {
    return InvalidArgument("not a URL: " + url + ": " + e.what());
  }
  const std::string scheme = AsciiLower(uri.scheme());
  if (scheme != "https" && !(scheme == "http" && IsLoopbackHost(uri.host()))) {
    return InvalidArgument("refusing " + url + ": only https, or http to a loopback address");
  }
  std::string origin = scheme + "://" + uri.host();
  if (uri.port() > 0) origin += ":" + std::to_string(uri.port());
  *path_and_query = uri.resource().to_string();
  std::lock_guard lock(mu_);
  auto& client = clients_[origin];
  if (!client) {
    // kube's TLS config: verification on, TLS 1.2 or later, the given CA alone when set.
    kube::ClusterConfig tls;
    tls.ca_pem = options_.ca_bundle_pem;
    http::client::http_client_config config = kube::MakeHttpClientConfig(tls, options_.timeout);
    client = std::make_unique<http::client::http_client>(web::uri(origin), config);
  }
  return client.get();
}

Result<HttpResponse> HttpsTransport::Send(const HttpRequest& request) {
  std::string path;
  Result<http::client::http_client*> client = ClientFor(request.url, &path);
  if (!client.ok()) return client.status();
  try {
    http::http_request req(request.method);
    req.set_request_uri(web::uri(path.empty() ? "/" : path));
    bool has_agent = false;
    std::string content_type;
    for (const auto& [name, value] : request.headers) {
      const std::string lower = AsciiLower(name);
      if (lower == "content-type") {
        content_type = value;
        continue;  // set with the body, which would otherwise add its own
      }
      if (lower == "user-agent") has_agent = true;
      req.headers().add(name, value);
    }
    if (!has_agent) req.headers().add("User-Agent", options_.user_agent);
    if (!request.body.empty() || !content_type.empty()) {
      req.set_body(request.body, content_type.empty() ? "application/octet-stream" : content_type);
    }
    http::http_response response = (*client)->request(req).get();
    HttpResponse out;
    out.status = response.status_code();
    for (const auto& [name, value] : response.headers()) out.headers.emplace_back(name, value);
    auto body = response.extract_vector().get();
    out.body.assign(body.begin(), body.end());
    return out;
  } catch (const http::http_exception& e) {
    const std::string what = e.what();
    if (e.error_code() == std::errc::timed_out || what.find("timed out") != std::string::npos) {
      return DeadlineExceeded(request.method + " " + request.url + ": " + what);
    }
    return Unavailable(request.method + " " + request.url + ": " + what);
  } catch (const std::exception& e) {
    return Unavailable(request.method + " " + request.url + ": " + e.what());
  }
}

}  // namespace certplane::sync

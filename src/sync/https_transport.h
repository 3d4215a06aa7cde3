// HttpsTransport: the HttpTransport destinations use in production, over cpprestsdk.
//
//   HttpsTransport transport({.ca_bundle_pem = "", .timeout = std::chrono::seconds(30)});
//   Result<HttpResponse> got = transport.Send(request);
//
// TLS is always verified: against the system roots, or only against ca_bundle_pem when
// one is given (a private endpoint's CA; the tests' Key Vault server). Plain http is
// refused except to a loopback address, where the tests' moto server listens. One
// client per origin is kept and reused, so connections are kept alive between calls.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "sync/exchange.h"

namespace web::http::client {
class http_client;
}

namespace certplane::sync {

struct HttpsTransportOptions {
  std::string ca_bundle_pem;  // empty: the system roots
  std::chrono::seconds timeout{30};
  std::string user_agent = "certplane";
};

class HttpsTransport final : public HttpTransport {
 public:
  explicit HttpsTransport(HttpsTransportOptions options);
  ~HttpsTransport() override;

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  // The client for the request's origin; the path and query go to *path_and_query.
  Result<web::http::client::http_client*> ClientFor(const std::string& url, std::string* path_and_query);

  HttpsTransportOptions options_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<web::http::client::http_client>> clients_;  // guarded by mu_
};

// Whether `host` (as a URL names it) is a loopback address or "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace certplane::sync

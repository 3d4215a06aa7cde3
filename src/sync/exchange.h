// The HTTP exchange every destination speaks through: a request built by pure code
// (signing, JSON bodies), sent by one transport, and the response handed back to pure
// code that maps it to a Status. Destinations never touch sockets, so their request
// building and error mapping are unit-tested without a network.
//
//   HttpRequest req{.method = "POST", .url = "https://acm.eu-west-1.amazonaws.com/"};
//   req.headers.push_back({"Content-Type", "application/x-amz-json-1.1"});
//   Result<HttpResponse> got = transport.Send(req);
//   if (!got.ok()) ...  // no response at all: refused, timed out, TLS not verified
//   if (got->status == 200) ...
//   ParseRetryAfterSeconds(got->Header("Retry-After"))  // base/text.h
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace certplane::sync {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: scheme, host, optional port, path, optional query
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first header of that name (case-insensitive); empty when absent.
  std::string Header(std::string_view name) const;
};

// Sends one request and returns the response, whatever its status. Fails only when no
// response came: kUnavailable (refused, reset, TLS handshake or verification failed),
// kDeadlineExceeded (timed out), kInvalidArgument (a URL that cannot be sent).
// Implementations are safe to call from several threads at once.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace certplane::sync

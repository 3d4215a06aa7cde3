// Router: maps an HTTP request to a handler by method and path pattern.
//
// Handlers are plain functions from HttpRequest to HttpResponse, with no socket in
// sight, so every HTTP surface of the controller (health, metrics, CRLs, ACME, the
// bundle API) is unit-tested by calling Dispatch(). HttpServer (http_server.h) puts a
// Router on a port.
//
//   Router router;
//   router.Get("/healthz", [](const HttpRequest&) { return HttpResponse::Text(200, "ok"); });
//   router.Get("/crl/{file}", [&](const HttpRequest& r) { return ServeCrl(r.params.at("file")); });
//   HttpResponse res = router.Dispatch(request);
//
// Patterns are literal segments and `{name}` captures of one whole segment. A path
// that matches no pattern gets 404; one that matches with another method gets 405
// with an Allow header. A handler that throws gets 500 and the exception is logged,
// so one bad request cannot take a server thread down.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace certplane::http {

struct HttpRequest {
  std::string method;  // upper case: GET, POST, HEAD, ...
  std::string path;    // decoded path, without the query
  std::map<std::string, std::string> query;
  // Header names lower-cased, so lookups need not care how the client spelled them.
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote_address;
  // Whether the request arrived over TLS (the HTTPS listener).
  bool tls = false;
  // Filled by the router from `{name}` segments of the matched pattern.
  std::map<std::string, std::string> params;

  // The header's value, or "" when absent. `name` in any case.
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body, std::string content_type = "application/json");
  static HttpResponse Bytes(int status, std::string body, std::string content_type);
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  void Handle(std::string method, const std::string& pattern, Handler handler);
  void Get(const std::string& pattern, Handler handler) { Handle("GET", pattern, std::move(handler)); }
  void Post(const std::string& pattern, Handler handler) { Handle("POST", pattern, std::move(handler)); }

  // Routes the request; never throws. HEAD is served by the GET handler with the
  // body dropped, as HTTP requires.
  HttpResponse Dispatch(HttpRequest request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool Match(const Route& route, const std::vector<std::string>& path_segments,
                    std::map<std::string, std::string>& params);

  std::vector<Route> routes_;
};

// Splits "/a/b/c" into {"a","b","c"}; "/" into {}.
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace certplane::http

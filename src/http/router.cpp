#include "http/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <exception>

#include "base/text.h"

namespace certplane::http {
namespace {}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(AsciiLower(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Json(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Bytes(int status, std::string body, std::string content_type) {
  return Json(status, std::move(body), std::move(content_type));
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void Router::Handle(std::string method, const std::string& pattern, Handler handler) {
  routes_.push_back({std::move(method), SplitPath(pattern), std::move(handler)});
}

bool Router::Match(const Route& route, const std::vector<std::string>& path_segments,
                   std::map<std::string, std::string>& params) {
  if (route.segments.size() != path_segments.size()) return false;
  std::map<std::string, std::string> captured;
  for (size_t i = 0; i < path_segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      captured[want.substr(1, want.size() - 2)] = path_segments[i];
    } else if (want != path_segments[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

HttpResponse Router::Dispatch(HttpRequest request) const {
  const bool head = request.method == "HEAD";
  const std::string method = head ? "GET" : request.method;
  const std::vector<std::string> segments = SplitPath(request.path);
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!Match(route, segments, params)) continue;
    if (route.method != method) {
      allowed.push_back(route.method);
      continue;
    }
    request.params = std::move(params);
    HttpResponse response;
    try {
      response = route.handler(request);
    } catch (const std::exception& e) {
      spdlog::error("http handler failed method={} path={} error={}", request.method, request.path, e.what());
      response = HttpResponse::Text(500, "internal error\n");
    } catch (...) {
      spdlog::error("http handler failed method={} path={} error=unknown", request.method, request.path);
      response = HttpResponse::Text(500, "internal error\n");
    }
    if (head) response.body.clear();
    return response;
  }
  if (!allowed.empty()) {
    HttpResponse r = HttpResponse::Text(405, "method not allowed\n");
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  return HttpResponse::Text(404, "not found\n");
}

}  // namespace certplane::http

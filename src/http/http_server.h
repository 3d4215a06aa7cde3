// HttpServer: serves a Router on one address with cpprestsdk's listener.
//
//   Router router;  ... routes ...
//   HttpServer server("127.0.0.1:8080", router);
//   if (Status s = server.Start(); !s.ok()) return s;   // port busy, bad address
//   ...
//   server.Stop();                                     // also done by the destructor
//
// The server only translates between cpprestsdk and HttpRequest/HttpResponse; all
// behaviour lives in handlers. Request bodies over max_body_bytes are refused with
// 413 before they are read, so a client cannot make the controller buffer gigabytes.
// Handlers run on the server's own worker threads, so one may block on the API server
// without starving the HTTP client that would deliver its answer.
//
// Two HttpServers in one process must not use the same host:port: cpprestsdk shares
// one acceptor per host:port, and a clashing second listener's failure closes the
// first. The controller refuses equal addresses when it parses its flags.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "http/router.h"
#include "http/serving_identity.h"

namespace certplane::http {

struct HttpServerOptions {
  size_t max_body_bytes = 1 << 20;
  // Threads that run handlers (off cpprestsdk's pool, see http_server.cpp), and how
  // many requests may wait for one; more are answered 503 with Retry-After.
  int workers = 16;
  size_t max_queued = 512;
  // Serve HTTPS with this identity (it must outlive the server); plain HTTP when null.
  // Requests then arrive with HttpRequest::tls set.
  const ServingIdentity* tls = nullptr;
};

class HttpServer {
 public:
  // `address` is "host:port" or ":port" (all interfaces). The router must outlive the server.
  HttpServer(std::string address, const Router& router, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Fails with kUnavailable when the address cannot be bound,
  // kInvalidArgument when it cannot be parsed, and kFailedPrecondition for HTTPS while
  // the identity has nothing loaded (start it once it has).
  Status Start();
  void Stop();

  const std::string& address() const { return address_; }

 private:
  struct Impl;
  std::string address_;
  const Router& router_;
  HttpServerOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Turns "host:port" or ":port" into "<scheme>://host:port"; kInvalidArgument otherwise.
Status ListenUri(const std::string& address, std::string* uri, std::string_view scheme = "http");

// The port of "host:port" or ":port"; 0 when the address is empty or does not parse.
int ListenPort(const std::string& address);

}  // namespace certplane::http

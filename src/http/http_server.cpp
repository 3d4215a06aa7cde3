#include "http/http_server.h"

#include "base/mutex.h"
#include "base/text.h"
#include "http/accepted_sockets.h"

#include <cpprest/http_listener.h>
#include <cpprest/uri.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

namespace certplane::http {
namespace {

// How long Stop waits for cpprestsdk to finish closing the listener.
constexpr auto kCloseTimeout = std::chrono::seconds(5);

// Listeners whose close never finished: kept, reachable, for the life of the process.
void AbandonListener(std::unique_ptr<web::http::experimental::listener::http_listener> listener) {
  static Mutex mu;
  static auto* abandoned PT_GUARDED_BY(mu) =
      new std::vector<std::unique_ptr<web::http::experimental::listener::http_listener>>();
  MutexLock lock(mu);
  abandoned->push_back(std::move(listener));
}

namespace listener = web::http::experimental::listener;

HttpRequest ToRequest(const web::http::http_request& in, std::string body, bool tls) {
  HttpRequest out;
  out.tls = tls;
  out.method = in.method();
  const web::uri& uri = in.relative_uri();
  out.path = web::uri::decode(uri.path());
  for (const auto& [k, v] : web::uri::split_query(uri.query())) out.query[web::uri::decode(k)] = web::uri::decode(v);
  for (const auto& [name, value] : in.headers()) {
    out.headers[AsciiLower(name)] = value;
  }
  out.body = std::move(body);
  out.remote_address = in.remote_address();
  return out;
}

web::http::http_response ToResponse(const HttpResponse& in) {
  web::http::http_response out(static_cast<web::http::status_code>(in.status));
  for (const auto& [name, value] : in.headers) out.headers().add(name, value);
  // A vector body keeps binary payloads (DER CRLs, PKCS12) byte-exact.
  out.set_body(std::vector<unsigned char>(in.body.begin(), in.body.end()));
  out.headers().set_content_type(in.content_type);
  return out;
}

}  // namespace

int ListenPort(const std::string& address) {
  std::string uri;
  if (!ListenUri(address, &uri).ok()) return 0;
  return std::stoi(address.substr(address.rfind(':') + 1));
}

Status ListenUri(const std::string& address, std::string* uri, std::string_view scheme) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return InvalidArgument("listen address \"" + address + "\" must be host:port or :port");
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoul(port) > 65535) {
    return InvalidArgument("listen address \"" + address + "\" has an invalid port");
  }
  if (host.empty()) host = "0.0.0.0";
  *uri = std::string(scheme) + "://" + host + ":" + port;
  return Status::Ok();
}

// Handlers run on threads of their own, never on cpprestsdk's shared pool: a handler
// that calls the API server (the ACME server, the bundle API) blocks until a pool
// thread delivers that response, so handlers on the pool could fill it and wait for
// each other forever. The listener's callback only queues the request.
struct HttpServer::Impl {
  std::unique_ptr<listener::http_listener> listener;
  Mutex mu;
  std::condition_variable cv;
  std::deque<web::http::http_request> queue GUARDED_BY(mu);
  bool stopping GUARDED_BY(mu) = false;
  std::vector<std::thread> workers;

  bool tls = false;

  void Serve(const Router& router, size_t max_body, web::http::http_request request) {
    try {
      auto length = request.headers().content_length();
      if (length > max_body) {
        request.reply(ToResponse(HttpResponse::Text(413, "request body too large\n"))).wait();
        return;
      }
      std::vector<unsigned char> bytes = request.extract_vector().get();
      if (bytes.size() > max_body) {
        request.reply(ToResponse(HttpResponse::Text(413, "request body too large\n"))).wait();
        return;
      }
      HttpResponse response = router.Dispatch(ToRequest(request, std::string(bytes.begin(), bytes.end()), tls));
      request.reply(ToResponse(response)).wait();
    } catch (const std::exception& e) {
      // The client went away or sent something the listener could not parse.
      spdlog::debug("http request failed: {}", e.what());
    }
  }

  void Work(const Router& router, size_t max_body) EXCLUDES(mu) {
    for (;;) {
      std::optional<web::http::http_request> request;
      {
        MutexLock lock(mu);
        cv.wait(lock.native(), [this]() REQUIRES(mu) { return stopping || !queue.empty(); });
        if (stopping) return;
        request = std::move(queue.front());
        queue.pop_front();
      }
      // http_request is a shared handle with no move constructor: a copy is a refcount.
      Serve(router, max_body, *request);
    }
  }
};

HttpServer::HttpServer(std::string address, const Router& router, HttpServerOptions options)
    : address_(std::move(address)), router_(router), options_(options), impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  std::string uri;
  const ServingIdentity* tls = options_.tls;
  CERTPLANE_RETURN_IF_ERROR(ListenUri(address_, &uri, tls != nullptr ? "https" : "http"));
  // A handshake without a certificate fails anyway, and cpprestsdk does not clean up
  // after that failure (ASan finds the connection's OpenSSL state leaked): the port
  // opens only once there is something to present.
  if (tls != nullptr && !tls->loaded()) {
    return FailedPrecondition("serving HTTPS on " + address_ + ": no serving certificate is loaded yet");
  }
  try {
    listener::http_listener_config config;
    if (tls != nullptr) {
      // cpprestsdk calls this for every accepted connection, with a context of its own;
      // without an identity the handshake fails and the connection closes.
      config.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) {
        if (!tls->ConfigureContext(ctx.native_handle())) {
          spdlog::warn("https: the serving certificate could not be set on a connection; its handshake fails");
        }
      });
    }
    impl_->tls = tls != nullptr;
    impl_->listener = std::make_unique<listener::http_listener>(uri, config);
    const size_t max_body = options_.max_body_bytes;
    const Router& router = router_;
    const size_t max_queued = options_.max_queued;
    Impl* impl = impl_.get();
    {
      // No worker runs yet (none did, or Stop joined them), but the flag is theirs to
      // read: set it under the lock they read it under.
      MutexLock lock(impl->mu);
      impl->stopping = false;
    }
    for (int i = 0; i < options_.workers; ++i) {
      impl->workers.emplace_back([impl, &router, max_body] { impl->Work(router, max_body); });
    }
    impl_->listener->support([impl, max_queued](web::http::http_request request) {
      {
        MutexLock lock(impl->mu);
        if (!impl->stopping && impl->queue.size() < max_queued) {
          impl->queue.push_back(std::move(request));
          impl->cv.notify_one();
          return;
        }
      }
      // Overloaded (or stopping): say so at once rather than queue without bound.
      web::http::http_response busy = ToResponse(HttpResponse::Text(503, "overloaded; retry\n"));
      busy.headers().add("Retry-After", "1");
      try {
        request.reply(busy);
      } catch (const std::exception& e) {
        spdlog::debug("http request failed: {}", e.what());
      }
    });
    impl_->listener->open().wait();
  } catch (const std::exception& e) {
    {
      MutexLock lock(impl_->mu);
      impl_->stopping = true;
    }
    impl_->cv.notify_all();
    for (std::thread& t : impl_->workers) t.join();
    impl_->workers.clear();
    impl_->listener.reset();
    return Unavailable("listening on " + address_ + ": " + e.what());
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->listener) return;
  // End every open connection before the listener closes them itself, which is unsafe
  // while their handlers run (see accepted_sockets.h). A handler that is still busy
  // (one waiting on the API server) gets two seconds; after that the close goes ahead.
  if (const int port = ListenPort(address_); port > 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (ShutDownAcceptedSockets(static_cast<uint16_t>(port)) > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // cpprestsdk's close closes the acceptor, then waits for every connection to finish;
  // one that its own bookkeeping never finishes (a race inside the library, seen once
  // under ASan on a loaded machine) would hang the stop for ever, and the process's
  // shutdown with it. After kCloseTimeout the listener is set aside, never destroyed
  // (its destructor would wait again): its port is already free.
  bool closed = false;
  try {
    pplx::task<void> closing = impl_->listener->close();
    const auto deadline = std::chrono::steady_clock::now() + kCloseTimeout;
    while (!closing.is_done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    closed = closing.is_done();
    if (closed) closing.wait();
  } catch (const std::exception& e) {
    spdlog::warn("closing http listener on {}: {}", address_, e.what());
  }
  if (!closed) {
    spdlog::warn("http listener on {} did not finish closing in {} s; setting it aside", address_,
                 std::chrono::duration_cast<std::chrono::seconds>(kCloseTimeout).count());
    AbandonListener(std::move(impl_->listener));
  }
  {
    MutexLock lock(impl_->mu);
    impl_->stopping = true;
    impl_->queue.clear();
  }
  impl_->cv.notify_all();
  for (std::thread& t : impl_->workers) t.join();
  impl_->workers.clear();
  impl_->listener.reset();
}

}  // namespace certplane::http

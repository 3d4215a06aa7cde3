// HttpServer on a real loopback socket, checked with curl, the client users will use.
#include "http/http_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <cpprest/http_client.h>

#include "free_port.h"
#include "process.h"

namespace certplane::http {
namespace {

using certplane::testing::FreeLoopbackPort;

// A shell command's stdout (its stderr goes to the test's).
std::string Shell(const std::string& command) {
  return certplane::testing::RunShell(command, {.capture_stderr = false}).output;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/hello/{name}", [](const HttpRequest& r) {
      HttpResponse res =
          HttpResponse::Text(200, "hello " + r.params.at("name") + " q=" + (r.query.count("q") ? r.query.at("q") : "") +
                                      " ua=" + r.Header("User-Agent"));
      res.headers.emplace_back("ETag", "\"v1\"");
      return res;
    });
    router_.Get("/binary", [](const HttpRequest&) {
      return HttpResponse::Bytes(200, std::string("\x30\x00\xff\x01", 4), "application/pkix-crl");
    });
    router_.Post("/echo", [](const HttpRequest& r) { return HttpResponse::Text(200, std::to_string(r.body.size())); });
    port_ = FreeLoopbackPort();
    ASSERT_GT(port_, 0);
    base_ = "http://127.0.0.1:" + std::to_string(port_);
    HttpServerOptions options;
    options.max_body_bytes = 1024;
    server_ = std::make_unique<HttpServer>("127.0.0.1:" + std::to_string(port_), router_, options);
    ASSERT_TRUE(server_->Start().ok());
  }

  Router router_;
  int port_ = 0;
  std::string base_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesRoutesWithParamsQueryAndHeaders) {
  EXPECT_EQ(Shell("curl -sS -A probe/1 '" + base_ + "/hello/world?q=a%20b'"), "hello world q=a b ua=probe/1");
  EXPECT_EQ(Shell("curl -sS -o /dev/null -w '%{http_code}' " + base_ + "/missing"), "404");
  EXPECT_NE(Shell("curl -sS -D - -o /dev/null " + base_ + "/hello/x").find("ETag: \"v1\""), std::string::npos);
}

TEST_F(HttpServerTest, BinaryBodiesAreByteExact) {
  EXPECT_EQ(Shell("curl -sS " + base_ + "/binary | od -An -tx1 | tr -d ' \\n'"), "3000ff01");
  EXPECT_EQ(Shell("curl -sS -o /dev/null -w '%{content_type}' " + base_ + "/binary"), "application/pkix-crl");
}

TEST_F(HttpServerTest, BodiesOverTheLimitAre413) {
  EXPECT_EQ(Shell("curl -sS -X POST --data-binary 'small' " + base_ + "/echo"), "5");
  EXPECT_EQ(Shell("head -c 4096 /dev/zero | curl -sS -o /dev/null -w '%{http_code}' -X POST --data-binary @- " + base_ +
                  "/echo"),
            "413");
}

TEST(HttpServerBusyPort, APortHeldByAnotherSocketIsAnUnavailableError) {
  // Hold a port the way another process would: bound and listening.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  Router router;
  HttpServer server(address, router);
  Status s = server.Start();
  ::close(fd);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("listening on " + address), std::string::npos) << s;
}

// The ACME server and the bundle API answer by calling the API server, whose answers
// cpprestsdk's shared thread pool delivers. Handlers must not run on that pool, or
// enough concurrent requests fill it with handlers waiting for answers that no pool
// thread is left to deliver. Here each request to `front` calls `upstream` (another
// server, standing in for the API server) and 96 arrive at once, more than the pool
// has threads (40), and each waits a second upstream: every one must be answered.
TEST(HttpServerConcurrency, HandlersThatWaitOnAnotherServerDoNotStarveEachOther) {
  Router upstream_router;
  upstream_router.Get("/value", [](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return HttpResponse::Text(200, "42");
  });
  int upstream_port = FreeLoopbackPort(), front_port = FreeLoopbackPort();
  HttpServer upstream("127.0.0.1:" + std::to_string(upstream_port), upstream_router);
  ASSERT_TRUE(upstream.Start().ok());
  const std::string upstream_url = "http://127.0.0.1:" + std::to_string(upstream_port);
  Router front_router;
  front_router.Get("/proxy", [&upstream_url](const HttpRequest&) {
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(20));
    web::http::client::http_client client(upstream_url, config);
    try {
      auto res = client.request(web::http::methods::GET, "/value").get();
      return HttpResponse::Text(200, res.extract_string().get());
    } catch (const std::exception& e) {
      return HttpResponse::Text(502, e.what());
    }
  });
  HttpServer front("127.0.0.1:" + std::to_string(front_port), front_router, {.workers = 64, .max_queued = 512});
  ASSERT_TRUE(front.Start().ok());

  std::atomic<int> answered{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 96; ++i) {
    callers.emplace_back([&] {
      std::string body = Shell("curl -s --max-time 30 http://127.0.0.1:" + std::to_string(front_port) + "/proxy");
      if (body == "42") ++answered;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(answered.load(), 96);
}

TEST(ListenUri, AcceptsHostPortAndPortOnly) {
  std::string uri;
  ASSERT_TRUE(ListenUri("127.0.0.1:8080", &uri).ok());
  EXPECT_EQ(uri, "http://127.0.0.1:8080");
  ASSERT_TRUE(ListenUri(":9090", &uri).ok());
  EXPECT_EQ(uri, "http://0.0.0.0:9090");
  EXPECT_EQ(ListenUri("8080", &uri).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ListenUri("host:http", &uri).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace certplane::http

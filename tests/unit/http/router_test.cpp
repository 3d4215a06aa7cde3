#include "http/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace certplane::http {
namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/healthz", [](const HttpRequest&) { return HttpResponse::Text(200, "ok"); });
    router_.Get("/crl/{file}",
                [](const HttpRequest& r) { return HttpResponse::Text(200, "crl " + r.params.at("file")); });
    router_.Post("/acme/{profile}/new-order",
                 [](const HttpRequest& r) { return HttpResponse::Text(201, "order for " + r.params.at("profile")); });
    router_.Get("/boom", [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("kaput"); });
  }
  Router router_;
};

TEST_F(RouterTest, ServesAnExactPath) {
  HttpResponse r = router_.Dispatch(Request("GET", "/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
}

TEST_F(RouterTest, CapturesAWholeSegmentAsAParameter) {
  EXPECT_EQ(router_.Dispatch(Request("GET", "/crl/example-root.crl")).body, "crl example-root.crl");
  EXPECT_EQ(router_.Dispatch(Request("POST", "/acme/web/new-order")).body, "order for web");
}

TEST_F(RouterTest, ACaptureNeverSpansTwoSegments) {
  EXPECT_EQ(router_.Dispatch(Request("GET", "/crl/a/b")).status, 404);
}

TEST_F(RouterTest, UnknownPathIs404) { EXPECT_EQ(router_.Dispatch(Request("GET", "/nope")).status, 404); }

TEST_F(RouterTest, KnownPathWithWrongMethodIs405WithAllow) {
  HttpResponse r = router_.Dispatch(Request("DELETE", "/healthz"));
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET"}));
}

TEST_F(RouterTest, HeadIsServedByGetWithoutABody) {
  HttpResponse r = router_.Dispatch(Request("HEAD", "/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(RouterTest, AThrowingHandlerBecomes500AndDoesNotEscape) {
  HttpResponse r = router_.Dispatch(Request("GET", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "internal error\n");
}

TEST_F(RouterTest, RepeatedAndTrailingSlashesAreIgnored) {
  EXPECT_EQ(router_.Dispatch(Request("GET", "//healthz/")).status, 200);
}

TEST(HttpRequest, HeaderLookupIgnoresCase) {
  HttpRequest r;
  r.headers["authorization"] = "Bearer abc";
  EXPECT_EQ(r.Header("Authorization"), "Bearer abc");
  EXPECT_EQ(r.Header("X-Missing"), "");
}

TEST(SplitPath, SplitsOnSlashesAndDropsEmptySegments) {
  EXPECT_EQ(SplitPath("/a/b/c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitPath("/").empty());
  EXPECT_TRUE(SplitPath("").empty());
}

}  // namespace
}  // namespace certplane::http

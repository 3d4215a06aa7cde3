// The OCSP routes over a stub answerer (crl/ocsp_answerer.h): the request reaches the
// answerer from POST and GET alike, and its answer comes back with RFC 5019's caching
// headers. What the answers say is reconcile::OcspResponder's (tests/unit/reconcile).
#include "http/routes/ocsp_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/time.h"
#include "crl/crl_config_map.h"
#include "http/routes/public_routes.h"
#include "kube/base64.h"
#include "route_test_support.h"

namespace certplane::http {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::Header;
using ::testing::Pair;
using testing::WallClock;

const std::chrono::system_clock::time_point kNow = std::chrono::sys_days{std::chrono::June / 1 / 2030} + 12h;

// A DER request whose base64 ("MAQA+/8K") holds '+' and '/', as real ones often do.
const std::string kRequest("\x30\x04\x00\xfb\xff\x0a", 6);

// Answers every request with `answer` and keeps what it was asked.
class StubAnswerer final : public crl::OcspAnswerer {
 public:
  crl::OcspHttpAnswer Respond(const std::string& ca, pki::ByteView request) override {
    asked.emplace_back(ca, std::string(request.begin(), request.end()));
    return answer;
  }

  crl::OcspHttpAnswer answer = {
      .status = pki::OcspResponseStatus::kSuccessful,
      .der = std::make_shared<const std::string>("the OCSPResponse"),
      .cacheable = true,
      .this_update = kNow - 1h,
      .next_update = kNow + 23h,
      .refresh_at = kNow + 30min,
  };
  std::vector<std::pair<std::string, std::string>> asked;  // (ca, request)
};

class OcspRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { RegisterOcspRoutes(router_, answerer_, clock_); }

  HttpResponse Post(const std::string& body) {
    return router_.Dispatch({.method = "POST", .path = "/ocsp/issuing", .body = body});
  }
  HttpResponse Get(const std::string& path_after_ca, const std::string& if_none_match = "") {
    HttpRequest r{.method = "GET", .path = "/ocsp/issuing/" + path_after_ca};
    if (!if_none_match.empty()) r.headers["if-none-match"] = if_none_match;
    return router_.Dispatch(std::move(r));
  }

  StubAnswerer answerer_;
  WallClock clock_{kNow};
  Router router_;
};

TEST_F(OcspRoutesTest, PostAndGetHandTheSameRequestToTheAnswerer) {
  HttpResponse post = Post(kRequest);
  // The path arrives decoded: the base64's '/' splits it, and some decoders make '+' a space.
  HttpResponse get = Get(kube::Base64Encode(kRequest));
  HttpResponse spaced = Get("MAQA /8K");
  EXPECT_THAT(answerer_.asked,
              ElementsAre(Pair("issuing", kRequest), Pair("issuing", kRequest), Pair("issuing", kRequest)));
  for (const HttpResponse& r : {post, get, spaced}) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "the OCSPResponse");
    EXPECT_EQ(r.content_type, "application/ocsp-response");
    EXPECT_EQ(Header(r, "Date"), FormatHttpDate(api::ToTime(kNow)));
  }
}

TEST_F(OcspRoutesTest, ACacheableAnswerMayBeKeptUntilTheAnswererReSignsIt) {
  HttpResponse r = Post(kRequest);
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=1800, no-transform, must-revalidate");
  EXPECT_EQ(Header(r, "Last-Modified"), FormatHttpDate(api::ToTime(kNow - 1h)));
  EXPECT_EQ(Header(r, "Expires"), FormatHttpDate(api::ToTime(kNow + 23h)));
  EXPECT_EQ(Header(r, "ETag"), crl::CrlEtag("the OCSPResponse"));

  answerer_.answer.refresh_at = kNow - 1min;
  EXPECT_EQ(Header(Post(kRequest), "Cache-Control"), "public, max-age=0, no-transform, must-revalidate")
      << "a refresh already due is never a negative max-age";
}

TEST_F(OcspRoutesTest, AGetWithTheCurrentETagIs304WithoutABody) {
  const std::string etag = crl::CrlEtag("the OCSPResponse");
  HttpResponse same = Get(kube::Base64Encode(kRequest), etag);
  EXPECT_EQ(same.status, 304);
  EXPECT_EQ(same.body, "");
  EXPECT_EQ(Header(same, "ETag"), etag);
  EXPECT_EQ(Get(kube::Base64Encode(kRequest), "\"0000000000000000\"").status, 200);
}

TEST_F(OcspRoutesTest, NonceAndErrorAnswersAreNeverStored) {
  answerer_.answer.cacheable = false;  // what the answerer says of an answer with a nonce
  HttpResponse nonce = Post(kRequest);
  EXPECT_EQ(nonce.status, 200);
  EXPECT_EQ(Header(nonce, "Cache-Control"), "no-cache, no-store, max-age=0");
  EXPECT_EQ(Header(nonce, "ETag"), "<absent>");

  answerer_.answer.cacheable = true;
  answerer_.answer.status = pki::OcspResponseStatus::kTryLater;
  HttpResponse error = Post("garbage");
  EXPECT_EQ(error.status, 200) << "an OCSP error is an OCSPResponse, not an HTTP error";
  EXPECT_EQ(error.body, "the OCSPResponse");
  EXPECT_EQ(Header(error, "Cache-Control"), "no-cache, no-store, max-age=0");
}

TEST_F(OcspRoutesTest, AGetWhosePathIsNotBase64Is400AndAsksNothing) {
  EXPECT_EQ(Get("ab/cd//+x").status, 400);
  EXPECT_TRUE(answerer_.asked.empty());
}

}  // namespace
}  // namespace certplane::http

#include "http/routes/public_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "crl_fixtures.h"
#include "kube/base64.h"
#include "pki/certificate.h"
#include "route_test_support.h"

namespace certplane::http {
namespace {

using crl::CrlConfigMap;
using crl::CrlEtag;
using crl::DecodeCrlConfigMap;
using crl::RetiredCrlDataKey;
using crl::RetiredDeltaCrlDataKey;
using namespace std::chrono_literals;
using crl::testing::CrlConfigMapJson;
using crl::testing::DerString;
using crl::testing::kNow;
using crl::testing::TestCrl;
using ::testing::HasSubstr;
using testing::Header;
using ::testing::IsEmpty;
using testing::WallClock;

std::shared_ptr<const CrlConfigMap> Decoded(const nlohmann::json& j) {
  return std::make_shared<const CrlConfigMap>(DecodeCrlConfigMap(j).value());
}

class PublicRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crls_[{"issuing", 0}] = Decoded(CrlConfigMapJson("ns", "issuing", 0, shard0_).Build());
    crls_[{"issuing", 3}] =
        Decoded(CrlConfigMapJson("ns", "issuing", 3, shard3_)
                    .WithAnnotation(api::kCrlKeyIdAnnotation, kCurrentKey)
                    .WithAnnotation(api::kCrlRetiredKeysAnnotation, kRetiredKey)
                    .WithBinaryData(RetiredCrlDataKey(kRetiredKey), kube::Base64Encode(DerString(retired3_)))
                    .WithAnnotation(api::kDeltaCrlNumberAnnotation, "10")
                    .WithAnnotation(api::kDeltaCrlThisUpdateAnnotation, api::FormatTime(api::ToTime(kNow + 1h)))
                    .WithAnnotation(api::kDeltaCrlNextUpdateAnnotation, api::FormatTime(api::ToTime(kNow + 3h)))
                    .WithBinaryData(api::kDeltaCrlDerKey, kube::Base64Encode(DerString(delta3_)))
                    .WithBinaryData(RetiredDeltaCrlDataKey(kRetiredKey), kube::Base64Encode(DerString(retired_delta3_)))
                    .Build());
    crls_[{"broken", 0}] = Decoded(CrlConfigMapJson("ns", "broken", 0, shard0_).WithoutBinaryData().Build());
    auto ca = std::make_shared<api::CertificateAuthority>();
    ca->metadata.name = "issuing";
    ca->status.certificate = Hierarchy().intermediate_cert.ToPem();
    cas_["issuing"] = ca;
    auto pending = std::make_shared<api::CertificateAuthority>();
    pending->metadata.name = "pending";  // no certificate yet
    cas_["pending"] = pending;

    RegisterPublicRoutes(
        router_, PublicRouteSources{
                     .crl = [this](const std::string& ca, std::int32_t shard) -> std::shared_ptr<const CrlConfigMap> {
                       auto it = crls_.find({ca, shard});
                       return it == crls_.end() ? nullptr : it->second;
                     },
                     .ca = [this](const std::string& name) -> std::shared_ptr<const api::CertificateAuthority> {
                       auto it = cas_.find(name);
                       return it == cas_.end() ? nullptr : it->second;
                     },
                     .clock = &clock_,
                 });
  }

  static const pki::testing::TestHierarchy& Hierarchy() {
    return pki::testing::Hierarchy(pki::KeyAlgorithm::kEcdsaP256);
  }

  HttpResponse Get(std::string path, std::map<std::string, std::string> headers = {}, std::string method = "GET") {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.headers = std::move(headers);
    return router_.Dispatch(r);
  }

  std::string EtagOf(const std::string& ca, std::int32_t shard) const { return crls_.at({ca, shard})->etag; }

  static constexpr const char* kCurrentKey = "0123456789abcdef";
  static constexpr const char* kRetiredKey = "fedcba9876543210";
  const pki::Crl shard0_ = TestCrl(7, 2);
  const pki::Crl retired3_ = TestCrl(9, 1);
  const pki::Crl shard3_ = TestCrl(8, 5);
  const pki::Crl delta3_ = TestCrl(10, 1);
  const pki::Crl retired_delta3_ = TestCrl(10, 3);
  // Two hours after thisUpdate: 22 hours left until nextUpdate.
  WallClock clock_{kNow + 2h};
  std::map<std::pair<std::string, std::int32_t>, std::shared_ptr<const CrlConfigMap>> crls_;
  std::map<std::string, std::shared_ptr<const api::CertificateAuthority>> cas_;
  Router router_;
};

TEST_F(PublicRoutesTest, ServesShardZeroAsDerAtTheCaName) {
  HttpResponse r = Get("/crl/issuing.crl");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/pkix-crl");
  EXPECT_EQ(r.body, DerString(shard0_));
  pki::Crl parsed = pki::testing::Must(
      pki::ParseCrlDer(pki::ByteView(reinterpret_cast<const std::uint8_t*>(r.body.data()), r.body.size())));
  EXPECT_EQ(parsed.number(), 7u);
}

TEST_F(PublicRoutesTest, ServesShardZeroAsPemThatParsesBackToTheSameCrl) {
  HttpResponse r = Get("/crl/issuing.pem");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-pem-file");
  EXPECT_TRUE(r.body.starts_with("-----BEGIN X509 CRL-----\n")) << r.body;
  EXPECT_TRUE(r.body.ends_with("-----END X509 CRL-----\n")) << r.body;
  pki::Crl parsed = pki::testing::Must(pki::ParseCrlPem(r.body));
  EXPECT_EQ(parsed.number(), 7u);
  EXPECT_EQ(parsed.ToDer(), shard0_.ToDer());
  EXPECT_TRUE(parsed.VerifySignature(Hierarchy().intermediate_cert).ok());
}

TEST_F(PublicRoutesTest, ServesEachKeysCrlUnderItsKeyId) {
  HttpResponse current = Get("/crl/issuing/0123456789abcdef/3.crl");
  EXPECT_EQ(current.status, 200);
  EXPECT_EQ(current.body, DerString(shard3_)) << "the current key's CRL is crl.der";
  HttpResponse retired = Get("/crl/issuing/fedcba9876543210/3.crl");
  EXPECT_EQ(retired.status, 200);
  EXPECT_EQ(retired.body, DerString(retired3_)) << "a retired key's CRL stays where its certificates point";
  EXPECT_EQ(Header(retired, "ETag"), CrlEtag(DerString(retired3_)));
  HttpResponse pem = Get("/crl/issuing/fedcba9876543210/3.pem");
  EXPECT_EQ(pki::testing::Must(pki::ParseCrlPem(pem.body)).ToDer(), retired3_.ToDer());
  HttpResponse unknown = Get("/crl/issuing/1111111111111111/3.crl");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "no CRL for CA \"issuing\" shard 3 signed by key 1111111111111111\n");
  EXPECT_EQ(Get("/crl/issuing/not-a-key/3.crl").status, 404);
  EXPECT_EQ(Get("/crl/issuing/0123456789abcdef/0.crl").status, 404) << "shard 0 was written before keyed CRLs";
}

TEST_F(PublicRoutesTest, ServesEachKeysDeltaCrlBesideItsCrlWithItsOwnTimes) {
  HttpResponse current = Get("/crl/issuing/0123456789abcdef/3.delta.crl");
  EXPECT_EQ(current.status, 200);
  EXPECT_EQ(current.body, DerString(delta3_));
  EXPECT_EQ(Header(current, "ETag"), CrlEtag(DerString(delta3_)));
  // One hour left of the delta's validity (the clock is at kNow + 2h), not the base's 22.
  EXPECT_EQ(Header(current, "Cache-Control"), "public, max-age=3600, no-transform");
  EXPECT_EQ(Header(current, "Last-Modified"), FormatHttpDate(api::ToTime(kNow + 1h)));
  HttpResponse retired = Get("/crl/issuing/fedcba9876543210/3.delta.pem");
  EXPECT_EQ(pki::testing::Must(pki::ParseCrlPem(retired.body)).ToDer(), retired_delta3_.ToDer());
  EXPECT_EQ(Get("/crl/issuing/1111111111111111/3.delta.crl").status, 404);
  EXPECT_EQ(Get("/crl/issuing/0123456789abcdef/0.delta.crl").status, 404) << "shard 0 publishes no delta";
  EXPECT_EQ(Get("/crl/issuing/0123456789abcdef/3.delta.delta.crl").status, 404);
}

TEST_F(PublicRoutesTest, ServesEveryShardUnderTheCaFolder) {
  HttpResponse der = Get("/crl/issuing/3.crl");
  EXPECT_EQ(der.status, 200);
  EXPECT_EQ(der.content_type, "application/pkix-crl");
  EXPECT_EQ(der.body, DerString(shard3_));
  HttpResponse pem = Get("/crl/issuing/3.pem");
  EXPECT_EQ(pem.status, 200);
  EXPECT_EQ(pem.content_type, "application/x-pem-file");
  EXPECT_EQ(pki::testing::Must(pki::ParseCrlPem(pem.body)).ToDer(), shard3_.ToDer());
  EXPECT_EQ(Get("/crl/issuing/0.crl").body, DerString(shard0_)) << "shard 0 also has a numbered URL";
}

TEST_F(PublicRoutesTest, HeadersSayHowLongToCacheAndWhichVersionThisIs) {
  HttpResponse r = Get("/crl/issuing.crl");
  EXPECT_EQ(Header(r, "ETag"), EtagOf("issuing", 0));
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=79200, no-transform") << "22 hours to nextUpdate";
  EXPECT_EQ(Header(r, "Date"), "Sat, 01 Jun 2030 14:00:00 GMT") << "the clock's now";
  EXPECT_EQ(Header(r, "Last-Modified"), "Sat, 01 Jun 2030 12:00:00 GMT");
  EXPECT_EQ(Header(r, "Expires"), "Sun, 02 Jun 2030 12:00:00 GMT");
  EXPECT_EQ(Header(Get("/crl/issuing/3.pem"), "ETag"), EtagOf("issuing", 3));
}

TEST_F(PublicRoutesTest, MaxAgeCountsDownToZeroAndStaysThereAfterNextUpdate) {
  clock_.Set(kNow + 24h - 1500ms);
  EXPECT_EQ(Header(Get("/crl/issuing.crl"), "Cache-Control"), "public, max-age=1, no-transform");
  clock_.Set(kNow + 24h);
  EXPECT_EQ(Header(Get("/crl/issuing.crl"), "Cache-Control"), "public, max-age=0, no-transform");
  clock_.Set(kNow + 48h);
  EXPECT_EQ(Header(Get("/crl/issuing.crl"), "Cache-Control"), "public, max-age=0, no-transform");
}

TEST_F(PublicRoutesTest, WithoutANextUpdateAnnotationMaxAgeIsZeroAndThereIsNoExpires) {
  crls_[{"issuing", 0}] = Decoded(CrlConfigMapJson("ns", "issuing", 0, shard0_).WithoutAnnotations().Build());
  HttpResponse r = Get("/crl/issuing.crl");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=0, no-transform");
  EXPECT_EQ(Header(r, "Expires"), "<absent>");
  EXPECT_EQ(Header(r, "Last-Modified"), "<absent>");
}

struct IfNoneMatchCase {
  std::string name;
  std::string header;  // "{etag}" is replaced by the CRL's ETag
  bool matches;
};

void PrintTo(const IfNoneMatchCase& c, std::ostream* os) { *os << c.name; }

class ConditionalGet : public PublicRoutesTest, public ::testing::WithParamInterface<IfNoneMatchCase> {};

TEST_P(ConditionalGet, AnswersAMatchingIfNoneMatchWith304AndNoBody) {
  std::string etag = EtagOf("issuing", 0);
  std::string header = GetParam().header;
  if (auto at = header.find("{etag}"); at != std::string::npos) header.replace(at, 6, etag);
  for (const char* path : {"/crl/issuing.crl", "/crl/issuing.pem", "/crl/issuing/0.crl"}) {
    HttpResponse r = Get(path, {{"if-none-match", header}});
    if (GetParam().matches) {
      EXPECT_EQ(r.status, 304) << path;
      EXPECT_THAT(r.body, IsEmpty()) << path;
      EXPECT_EQ(Header(r, "ETag"), etag) << "a 304 carries the headers a 200 would";
      EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=79200, no-transform");
      EXPECT_EQ(Header(r, "Expires"), "Sun, 02 Jun 2030 12:00:00 GMT");
    } else {
      EXPECT_EQ(r.status, 200) << path;
      EXPECT_FALSE(r.body.empty()) << path;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConditionalGet,
    ::testing::Values(IfNoneMatchCase{"the_etag", "{etag}", true},
                      IfNoneMatchCase{"the_etag_in_a_list", "\"0000000000000000\", {etag}, \"1\"", true},
                      IfNoneMatchCase{"the_etag_in_a_list_without_spaces", "\"a\",{etag}", true},
                      IfNoneMatchCase{"the_etag_marked_weak", "W/{etag}", true}, IfNoneMatchCase{"a_star", "*", true},
                      IfNoneMatchCase{"another_etag", "\"0000000000000000\"", false},
                      IfNoneMatchCase{"the_etag_followed_by_junk", "{etag}x", true},
                      IfNoneMatchCase{"an_empty_header", "", false},
                      IfNoneMatchCase{"an_unterminated_tag", "\"abc", false},
                      IfNoneMatchCase{"garbage_before_the_etag", "nonsense {etag}", false}),
    [](const auto& info) { return info.param.name; });

TEST(IfNoneMatchMatches, ComparesOpaqueTagsOnly) {
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("abc", "\"abc\"")) << "an unquoted tag is malformed";
  EXPECT_FALSE(IfNoneMatchMatches("\"ab\"", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("\"abcd\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches("\"a,b\", \"abc\"", "\"abc\"")) << "a comma inside a tag does not split it";
  EXPECT_FALSE(IfNoneMatchMatches("\"a,\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", "W/\"abc\"")) << "weak comparison";
}

TEST_F(PublicRoutesTest, HeadHasTheHeadersButNoBody) {
  HttpResponse r = Get("/crl/issuing.crl", {}, "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, IsEmpty());
  EXPECT_EQ(r.content_type, "application/pkix-crl");
  EXPECT_EQ(Header(r, "ETag"), EtagOf("issuing", 0));
}

struct NotFoundCase {
  std::string name;
  std::string path;
  std::string body;  // a part of the 404's body
};

void PrintTo(const NotFoundCase& c, std::ostream* os) { *os << c.name; }

class NotFound : public PublicRoutesTest, public ::testing::WithParamInterface<NotFoundCase> {};

TEST_P(NotFound, Is404) {
  HttpResponse r = Get(GetParam().path);
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr(GetParam().body));
  EXPECT_EQ(Header(r, "ETag"), "<absent>");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NotFound,
    ::testing::Values(
        NotFoundCase{"an_unknown_ca", "/crl/other.crl", "no CRL for CA \"other\" shard 0"},
        NotFoundCase{"an_unknown_ca_as_pem", "/crl/other.pem", "no CRL for CA \"other\" shard 0"},
        NotFoundCase{"an_unpublished_shard", "/crl/issuing/2.crl", "no CRL for CA \"issuing\" shard 2"},
        NotFoundCase{"a_shard_past_1023", "/crl/issuing/1024.crl", "no CRL for CA \"issuing\" at 1024.crl"},
        NotFoundCase{"a_shard_with_a_leading_zero", "/crl/issuing/03.crl", "at 03.crl"},
        NotFoundCase{"a_negative_shard", "/crl/issuing/-1.crl", "at -1.crl"},
        NotFoundCase{"a_shard_that_is_not_a_number", "/crl/issuing/three.crl", "at three.crl"},
        NotFoundCase{"a_shard_without_an_extension", "/crl/issuing/3", "at 3"},
        NotFoundCase{"a_shard_with_another_extension", "/crl/issuing/3.der", "at 3.der"},
        NotFoundCase{"another_extension", "/crl/issuing.der", "not found"},
        NotFoundCase{"no_extension", "/crl/issuing", "not found"},
        NotFoundCase{"an_extension_without_a_name", "/crl/.crl", "not found"},
        NotFoundCase{"a_key_segment_that_is_no_key_id", "/crl/issuing/3/x.crl", "no CRL for CA \"issuing\" at 3/x.crl"},
        NotFoundCase{"a_path_too_deep", "/crl/issuing/0123456789abcdef/3/x.crl", "not found"},
        NotFoundCase{"an_unknown_ca_certificate", "/ca/other.crt", "no certificate for CA \"other\""},
        NotFoundCase{"a_ca_without_a_certificate", "/ca/pending.crt", "no certificate for CA \"pending\""},
        NotFoundCase{"a_ca_certificate_as_pem_extension", "/ca/issuing.pem", "not found"}),
    [](const auto& info) { return info.param.name; });

TEST_F(PublicRoutesTest, AMalformedShardIs503AndNotCached) {
  HttpResponse r = Get("/crl/broken.crl");
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("the CRL for CA \"broken\" shard 0 is unavailable"));
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(Header(r, "ETag"), "<absent>");
  EXPECT_EQ(Get("/crl/broken.pem", {{"if-none-match", "*"}}).status, 503) << "nothing to match against";
}

TEST_F(PublicRoutesTest, ServesTheCaCertificateAsPemAtCrtAndAsDerAtDer) {
  const pki::Certificate& cert = Hierarchy().intermediate_cert;
  HttpResponse pem = Get("/ca/issuing.crt");
  EXPECT_EQ(pem.status, 200);
  EXPECT_EQ(pem.content_type, "application/x-pem-file");
  EXPECT_EQ(pem.body, cert.ToPem());
  HttpResponse der = Get("/ca/issuing.der");
  EXPECT_EQ(der.status, 200);
  EXPECT_EQ(der.content_type, "application/pkix-cert");
  pki::Bytes want = cert.ToDer();
  EXPECT_EQ(der.body, std::string(want.begin(), want.end()));
}

TEST(FormatHttpDate, WritesImfFixdate) {
  EXPECT_EQ(FormatHttpDate(api::Time(std::chrono::seconds(784111777))), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(api::Time(std::chrono::seconds(0))), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(api::ToTime(kNow + 24h + 59min + 59s)), "Sun, 02 Jun 2030 12:59:59 GMT");
}

}  // namespace
}  // namespace certplane::http

#include "crl/crl_config_map.h"

#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crl_fixtures.h"

namespace certplane::crl {
namespace {

using ::certplane::pki::testing::IsErrorWith;
using testing::CrlConfigMapJson;
using testing::DerString;
using ::testing::HasSubstr;
using testing::kNow;
using ::testing::MatchesRegex;
using testing::TestCrl;

const pki::Crl& Crl7() {
  static const pki::Crl crl = TestCrl(7);
  return crl;
}

CrlConfigMapJson Good(std::int32_t shard = 0) { return CrlConfigMapJson("certplane-system", "issuing", shard, Crl7()); }

TEST(CrlConfigMapName, IsThePlainNameForShardZeroAndSuffixedForOthers) {
  EXPECT_EQ(CrlConfigMapName("issuing", 0), "certplane-crl-issuing");
  EXPECT_EQ(CrlConfigMapName("issuing", 1), "certplane-crl-issuing.shard-1");
  EXPECT_EQ(CrlConfigMapName("issuing", 1023), "certplane-crl-issuing.shard-1023");
}

TEST(CrlConfigMapName, RefusesCaNamesThatEndLikeAShard) {
  EXPECT_TRUE(IsCrlShardLikeCaName("a.shard-1"));
  EXPECT_TRUE(IsCrlShardLikeCaName("a.shard-01"));
  EXPECT_TRUE(IsCrlShardLikeCaName("x.shard-1.y.shard-20"));
  EXPECT_FALSE(IsCrlShardLikeCaName("a"));
  EXPECT_FALSE(IsCrlShardLikeCaName("a.shard-"));
  EXPECT_FALSE(IsCrlShardLikeCaName("a.shard-x"));
  EXPECT_FALSE(IsCrlShardLikeCaName("a-shard-1"));
  EXPECT_FALSE(IsCrlShardLikeCaName("a.shard-1.b"));
}

// The collision of issue 18: CA "a" shard 1 and a CA named "a.shard-1". Over names the
// CRD accepts, tricky ones included, no two (CA, shard) pairs share a ConfigMap.
TEST(CrlConfigMapName, NeverGivesTwoCaShardsTheSameConfigMap) {
  const std::vector<std::string> names = {"a",           "a.shard-1", "a.shard-1.b", "a.shard",    "a.shard-x",
                                          "a--shard-1",  "a-shard-1", "shard-1",     "a.b",        "a.shard-10",
                                          "a.shard-1.c", "1",         "a.shard-0",   "a.b.shard-2"};
  std::map<std::string, std::pair<std::string, std::int32_t>> seen;
  for (const auto& ca : names) {
    if (IsCrlShardLikeCaName(ca)) continue;  // refused by the CRD
    for (std::int32_t shard : {0, 1, 2, 10, 20, 1023}) {
      auto [it, fresh] = seen.emplace(CrlConfigMapName(ca, shard), std::pair{ca, shard});
      EXPECT_TRUE(fresh) << it->first << " is both " << it->second.first << "/" << it->second.second << " and " << ca
                         << "/" << shard;
    }
  }
  EXPECT_TRUE(IsCrlShardLikeCaName("a.shard-1")) << "the colliding name of the issue must be refused";
}

TEST(ParseCrlShard, AcceptsCanonicalDecimalsBelow1024Only) {
  EXPECT_EQ(ParseCrlShard("0"), 0);
  EXPECT_EQ(ParseCrlShard("7"), 7);
  EXPECT_EQ(ParseCrlShard("1023"), 1023);
  for (const char* bad : {"", "1024", "-1", "+1", "01", "00", "1e3", " 1", "1 ", "0x1", "99999999999999999999"}) {
    EXPECT_EQ(ParseCrlShard(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(DecodeCrlConfigMap, ReadsLabelsAnnotationsAndTheDer) {
  Result<CrlConfigMap> cm = DecodeCrlConfigMap(Good(3).Build());
  ASSERT_TRUE(cm.ok()) << cm.status();
  EXPECT_TRUE(cm->usable()) << cm->invalid;
  EXPECT_EQ(cm->metadata.name, "certplane-crl-issuing.shard-3");
  EXPECT_EQ(cm->metadata.ns, "certplane-system");
  EXPECT_EQ(cm->ca_name, "issuing");
  EXPECT_EQ(cm->shard, 3);
  EXPECT_EQ(cm->number, 7u);
  EXPECT_EQ(cm->this_update, api::ToTime(kNow));
  EXPECT_EQ(cm->next_update, api::ToTime(kNow + std::chrono::hours(24)));
  EXPECT_EQ(cm->entries, 2);
  EXPECT_EQ(cm->der, DerString(Crl7()));
  EXPECT_EQ(cm->der.find('\0') != std::string::npos, true) << "the fixture's DER should hold NUL bytes";
  EXPECT_EQ(cm->etag, CrlEtag(cm->der));
}

TEST(DecodeCrlConfigMap, ReadsTheDeltaCrlsBesideTheBase) {
  const std::string delta = DerString(TestCrl(9, 1));
  const std::string retired_delta = DerString(TestCrl(9, 3));
  Result<CrlConfigMap> cm =
      DecodeCrlConfigMap(Good()
                             .WithAnnotation(api::kCrlKeyIdAnnotation, "aaaaaaaaaaaaaaaa")
                             .WithAnnotation(api::kDeltaCrlNumberAnnotation, "9")
                             .WithAnnotation(api::kDeltaCrlThisUpdateAnnotation, api::FormatTime(api::ToTime(kNow)))
                             .WithAnnotation(api::kDeltaCrlNextUpdateAnnotation,
                                             api::FormatTime(api::ToTime(kNow + std::chrono::hours(1))))
                             .WithBinaryData(api::kDeltaCrlDerKey, kube::Base64Encode(delta))
                             .WithBinaryData("crl-bbbbbbbbbbbbbbbb.der", kube::Base64Encode(DerString(Crl7())))
                             .WithBinaryData("delta-bbbbbbbbbbbbbbbb.der", kube::Base64Encode(retired_delta))
                             .WithBinaryData("delta-cccccccccccccccc.der", kube::Base64Encode(retired_delta))
                             .Build());
  ASSERT_TRUE(cm.ok()) << cm.status();
  ASSERT_TRUE(cm->usable()) << cm->invalid;
  EXPECT_EQ(cm->delta_number, 9u);
  EXPECT_EQ(cm->delta_next_update, api::ToTime(kNow + std::chrono::hours(1)));
  auto current = cm->DeltaForKey("aaaaaaaaaaaaaaaa");
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->der, delta);
  EXPECT_EQ(current->etag, CrlEtag(delta));
  auto retired = cm->DeltaForKey("bbbbbbbbbbbbbbbb");
  ASSERT_TRUE(retired.has_value());
  EXPECT_EQ(retired->der, retired_delta);
  EXPECT_EQ(cm->DeltaForKey("cccccccccccccccc"), std::nullopt) << "a delta over a base the shard does not publish";
  EXPECT_EQ(cm->ForKey("aaaaaaaaaaaaaaaa")->der, DerString(Crl7())) << "the base is still served";
}

TEST(DecodeCrlConfigMap, AnnouncedDeltaThatIsMissingMakesTheShardUnusable) {
  Result<CrlConfigMap> cm = DecodeCrlConfigMap(Good().WithAnnotation(api::kDeltaCrlNumberAnnotation, "9").Build());
  ASSERT_TRUE(cm.ok()) << cm.status();
  EXPECT_FALSE(cm->usable()) << "the OCSP responder would miss what only the delta lists";
  EXPECT_THAT(cm->invalid, HasSubstr("delta.der"));
  EXPECT_EQ(cm->DeltaForKey(""), std::nullopt);
}

TEST(DecodeCrlConfigMap, WithoutADeltaHasNone) {
  Result<CrlConfigMap> cm =
      DecodeCrlConfigMap(Good().WithAnnotation(api::kCrlKeyIdAnnotation, "aaaaaaaaaaaaaaaa").Build());
  ASSERT_TRUE(cm.ok()) << cm.status();
  EXPECT_EQ(cm->delta_number, 0u);
  EXPECT_EQ(cm->DeltaForKey("aaaaaaaaaaaaaaaa"), std::nullopt);
}

TEST(DecodeCrlConfigMap, WithoutAnnotationsIsStillServable) {
  Result<CrlConfigMap> cm = DecodeCrlConfigMap(Good().WithoutAnnotations().Build());
  ASSERT_TRUE(cm.ok()) << cm.status();
  EXPECT_TRUE(cm->usable()) << cm->invalid;
  EXPECT_EQ(cm->number, 0u);
  EXPECT_EQ(cm->entries, 0);
  EXPECT_EQ(cm->this_update, std::nullopt);
  EXPECT_EQ(cm->next_update, std::nullopt);
  EXPECT_EQ(cm->der, DerString(Crl7()));
}

TEST(CrlEtag, IsAQuotedStrongTagOf16HexDigitsThatFollowsTheBytes) {
  const std::string a = CrlEtag(DerString(Crl7()));
  EXPECT_THAT(a, MatchesRegex("\"[0-9a-f]{16}\""));
  EXPECT_EQ(a, CrlEtag(DerString(Crl7())));
  EXPECT_NE(a, CrlEtag(DerString(TestCrl(8))));
  // SHA-256("") = e3b0c44298fc1c14...
  EXPECT_EQ(CrlEtag(""), "\"e3b0c44298fc1c14\"");
}

TEST(DecodeCrlConfigMap, AnObjectWithoutMetadataIsAnError) {
  EXPECT_THAT(DecodeCrlConfigMap(nlohmann::json{{"kind", "ConfigMap"}}),
              IsErrorWith(StatusCode::kInvalidArgument, "CRL ConfigMap metadata"));
  EXPECT_THAT(DecodeCrlConfigMap(nlohmann::json::array()),
              IsErrorWith(StatusCode::kInvalidArgument, "CRL ConfigMap metadata"));
}

// Malformed ConfigMaps decode to a value marked unusable, holding no bytes to serve.
struct MalformedCase {
  std::string name;
  nlohmann::json object;
  std::string reason;  // a part of `invalid`
};

void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name; }

class MalformedCrlConfigMap : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedCrlConfigMap, IsCachedAsUnusableWithTheReason) {
  Result<CrlConfigMap> cm = DecodeCrlConfigMap(GetParam().object);
  ASSERT_TRUE(cm.ok()) << cm.status();
  EXPECT_FALSE(cm->usable());
  EXPECT_THAT(cm->invalid, HasSubstr(GetParam().reason));
  EXPECT_EQ(cm->der, "");
  EXPECT_EQ(cm->etag, "");
}

std::vector<MalformedCase> MalformedCases() {
  const std::string shard_label(api::kCrlShardLabel);
  return {
      {"a_shard_label_that_is_not_a_number", Good().WithLabel(shard_label, "zero").Build(),
       "label certplane.io/crl-shard \"zero\" is not a shard number 0..1023"},
      {"a_shard_label_with_a_leading_zero", Good(1).WithLabel(shard_label, "01").Build(),
       "label certplane.io/crl-shard \"01\""},
      {"a_shard_label_past_the_last_shard", Good().WithLabel(shard_label, "1024").Build(),
       "label certplane.io/crl-shard \"1024\""},
      {"a_negative_shard_label", Good().WithLabel(shard_label, "-1").Build(), "label certplane.io/crl-shard \"-1\""},
      {"no_shard_label", Good().WithoutLabel(shard_label).Build(), "label certplane.io/crl-shard \"\""},
      {"no_ca_name_label", Good().WithoutLabel(api::kCaNameLabel).Build(), "label certplane.io/ca-name is missing"},
      {"an_empty_ca_name_label", Good().WithLabel(api::kCaNameLabel, "").Build(),
       "label certplane.io/ca-name is missing"},
      {"a_name_that_disagrees_with_the_labels", Good().WithName("certplane-crl-other").Build(),
       "the labels name CA \"issuing\" shard 0, whose ConfigMap is certplane-crl-issuing"},
      {"a_shard_label_that_disagrees_with_the_name", Good(2).WithLabel(shard_label, "3").Build(),
       "whose ConfigMap is certplane-crl-issuing.shard-3"},
      {"no_binary_data", Good().WithoutBinaryData().Build(), "binaryData crl.der is missing"},
      {"binary_data_without_crl_der", Good().WithoutBinaryData().WithBinaryData("other.der", "AAAA").Build(),
       "binaryData crl.der is missing"},
      {"crl_der_that_is_not_base64", Good().WithBinaryData(api::kCrlDerKey, "MII*not base64*").Build(),
       "binaryData crl.der is not valid base64"},
      {"crl_der_with_bad_padding", Good().WithBinaryData(api::kCrlDerKey, "QUJD=").Build(),
       "binaryData crl.der is not valid base64"},
      {"crl_der_that_is_not_a_string", Good().WithBinaryData(api::kCrlDerKey, 42).Build(),
       "binaryData crl.der is not a string"},
      {"an_empty_crl_der", Good().WithBinaryData(api::kCrlDerKey, "").Build(), "binaryData crl.der is empty"},
      {"binary_data_that_is_not_an_object",
       [] {
         nlohmann::json j = Good().Build();
         j["binaryData"] = "crl.der";
         return j;
       }(),
       "binaryData crl.der is missing"},
      {"a_crl_number_that_is_not_a_number", Good().WithAnnotation(api::kCrlNumberAnnotation, "seven").Build(),
       "annotation certplane.io/crl-number \"seven\" is not a CRL number"},
      {"a_negative_entry_count", Good().WithAnnotation(api::kCrlEntriesAnnotation, "-2").Build(),
       "annotation certplane.io/crl-entries \"-2\" is not a count"},
      {"a_this_update_that_is_not_rfc3339", Good().WithAnnotation(api::kCrlThisUpdateAnnotation, "yesterday").Build(),
       "annotation certplane.io/crl-this-update"},
      {"a_next_update_that_is_not_rfc3339",
       Good().WithAnnotation(api::kCrlNextUpdateAnnotation, "2030-13-01T00:00:00Z").Build(),
       "annotation certplane.io/crl-next-update"},
  };
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedCrlConfigMap, ::testing::ValuesIn(MalformedCases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace certplane::crl

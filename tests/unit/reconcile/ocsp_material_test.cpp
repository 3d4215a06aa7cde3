// The OCSP responder Secret and the record of issued serials, as the caches decode them.
#include "reconcile/ocsp_material.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crl/ca_key_id.h"
#include "fixtures.h"
#include "kube/base64.h"
#include "pki/issue.h"
#include "reconcile/ca_material.h"

namespace certplane::reconcile {
namespace {

using namespace std::chrono_literals;
using pki::testing::Hierarchy;
using pki::testing::kNow;
using pki::testing::Must;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(IssuedSerials, RoundTripsAndRefusesBadLines) {
  IssuedSerialMap serials{{"0a", 100}, {"5f0c", 1900000000}};
  std::string text = FormatIssuedSerials(serials);
  EXPECT_EQ(text, "0a 100\n5f0c 1900000000\n");
  EXPECT_EQ(Must(ParseIssuedSerials(text)), serials);
  EXPECT_THAT(Must(ParseIssuedSerials("5F:0C 7\n")), ElementsAre(Pair("5f0c", 7)));
  EXPECT_THAT(ParseIssuedSerials("0a\n").status().message(), HasSubstr("line 1"));
  EXPECT_THAT(ParseIssuedSerials("0a 1\nzz 2\n").status().message(), HasSubstr("line 2"));
  EXPECT_THAT(ParseIssuedSerials("0a 1x\n").status().message(), HasSubstr("notAfter"));
}

// The maintainer formats the record and what it adds without copying the record: the
// text must be the one the merged map, less the record's expired serials, would give.
TEST(IssuedSerials, FormatsTheRecordMergedWithAdditionsLessItsExpiredSerials) {
  const IssuedSerialMap recorded{{"0a", 100}, {"1b", 500}, {"5f0c", 900}, {"7e", 300}};
  const IssuedSerialMap added{{"00ff", 700}, {"1b", 999}, {"3c", 800}, {"ff", 600}};
  const std::int64_t now = 400;  // "0a" and "7e" have expired
  EXPECT_EQ(FormatIssuedSerials(recorded, added, now), "00ff 700\n1b 500\n3c 800\n5f0c 900\nff 600\n");

  IssuedSerialMap merged = added;
  for (const auto& kv : recorded) merged.insert_or_assign(kv.first, kv.second);
  std::erase_if(merged, [&](const auto& kv) { return kv.second < now; });
  EXPECT_EQ(FormatIssuedSerials(recorded, added, now), FormatIssuedSerials(merged));

  EXPECT_EQ(FormatIssuedSerials({}, added, now), FormatIssuedSerials(added));
  EXPECT_EQ(FormatIssuedSerials(recorded, {}, 0), FormatIssuedSerials(recorded));
  EXPECT_EQ(FormatIssuedSerials(recorded, {}, 1000), "");
}

TEST(IssuedSerials, DecodesTheConfigMapAndMarksABadRecord) {
  nlohmann::json cm = {
      {"metadata", {{"name", "certplane-issued-a"}, {"labels", {{"certplane.io/issued-serials-of", "a"}}}}},
      {"data", {{"issued.txt", "0a 5\n"}}}};
  IssuedSerials decoded = Must(DecodeIssuedSerialsConfigMap(cm));
  EXPECT_EQ(decoded.ca_name, "a");
  EXPECT_TRUE(decoded.Contains("0a"));
  EXPECT_FALSE(decoded.Contains("0b"));
  cm["data"]["issued.txt"] = "bad";
  EXPECT_FALSE(Must(DecodeIssuedSerialsConfigMap(cm)).invalid.empty());
}

TEST(IssuedSerials, ReadsTheShardFromItsLabelAndNamesShardsApart) {
  nlohmann::json cm = {
      {"metadata",
       {{"name", "certplane-issued-a.shard-2"},
        {"labels", {{"certplane.io/issued-serials-of", "a"}, {"certplane.io/issued-serials-shard", "2"}}}}},
      {"data", {{"issued.txt", ""}}}};
  EXPECT_EQ(Must(DecodeIssuedSerialsConfigMap(cm)).shard, 2);
  cm["metadata"]["labels"]["certplane.io/issued-serials-shard"] = "two";
  EXPECT_EQ(Must(DecodeIssuedSerialsConfigMap(cm)).shard, -1);
  cm["metadata"]["labels"].erase("certplane.io/issued-serials-shard");
  EXPECT_EQ(Must(DecodeIssuedSerialsConfigMap(cm)).shard, 0) << "the record before shards is shard 0";
  EXPECT_EQ(IssuedSerialsConfigMapName("a"), "certplane-issued-a");
  EXPECT_EQ(IssuedSerialsConfigMapName("a", 0), "certplane-issued-a");
  EXPECT_EQ(IssuedSerialsConfigMapName("a", 3), "certplane-issued-a.shard-3");
}

std::shared_ptr<const IssuedSerials> Shard(int shard, IssuedSerialMap serials, std::string invalid = "") {
  auto s = std::make_shared<IssuedSerials>();
  s->ca_name = "a";
  s->shard = shard;
  s->serials = std::move(serials);
  s->invalid = std::move(invalid);
  return s;
}

// "<shard>:<live>+<added serials>" per plan, and whether it is written.
std::vector<std::string> Describe(const std::vector<IssuedSerialShardPlan>& plans) {
  std::vector<std::string> out;
  for (const auto& p : plans) {
    std::string d = std::to_string(p.shard) + ":" + std::to_string(p.live) + "+";
    for (const auto& [serial, not_after] : p.added) d += serial + ",";
    d += p.Changes() ? " write" : " keep";
    out.push_back(d);
  }
  return out;
}

TEST(IssuedSerialShards, WithNoRecordYetThereIsShardZeroToWriteEvenWithNothingToAdd) {
  EXPECT_THAT(Describe(PlanIssuedSerialShards({}, {}, 0, 3)), ElementsAre("0:0+ write"));
  EXPECT_THAT(Describe(PlanIssuedSerialShards({}, {{"01", 9}, {"02", 9}}, 0, 3)), ElementsAre("0:0+01,02, write"));
}

TEST(IssuedSerialShards, NewSerialsFillTheLowestShardWithRoomThenOpenANewShard) {
  auto full = Shard(0, {{"a1", 9}, {"a2", 9}, {"a3", 9}});
  auto one = Shard(1, {{"b1", 9}});
  EXPECT_THAT(Describe(PlanIssuedSerialShards({full, one}, {{"01", 9}, {"02", 9}, {"03", 9}}, 0, 3)),
              ElementsAre("0:3+ keep", "1:1+01,02, write", "2:0+03, write"));
}

TEST(IssuedSerialShards, ExpiredSerialsLeaveRoomThatNewOnesTake) {
  auto aging = Shard(0, {{"a1", 5}, {"a2", 5}, {"a3", 20}});
  auto plans = PlanIssuedSerialShards({aging}, {{"01", 30}, {"02", 30}}, /*now_unix=*/10, 3);
  EXPECT_THAT(Describe(plans), ElementsAre("0:1+01,02, write"));
  EXPECT_EQ(plans[0].expired, 2u);
  // Nothing to add, but serials to drop: still written.
  EXPECT_THAT(Describe(PlanIssuedSerialShards({aging}, {}, 10, 3)), ElementsAre("0:1+ write"));
  EXPECT_THAT(Describe(PlanIssuedSerialShards({aging}, {}, 0, 3)), ElementsAre("0:3+ keep"));
}

TEST(IssuedSerialShards, AnUnusableShardIsRewrittenWithWhatItTakes) {
  auto bad = Shard(0, {}, "issued.txt line 1: expected \"<serial hex> <notAfter>\"");
  auto good = Shard(1, {{"b1", 9}});
  EXPECT_THAT(Describe(PlanIssuedSerialShards({good, bad}, {{"01", 9}}, 0, 3)),
              ElementsAre("0:0+01, write", "1:1+ keep"));
}

TEST(IssuedSerialShards, NewShardsTakeTheLowestNumbersNotInUse) {
  auto zero = Shard(0, {{"a1", 9}});
  auto two = Shard(2, {{"c1", 9}});
  EXPECT_THAT(Describe(PlanIssuedSerialShards({zero, two}, {{"01", 9}, {"02", 9}}, 0, 1)),
              ElementsAre("0:1+ keep", "1:0+01, write", "2:1+ keep", "3:0+02, write"));
}

TEST(IssuedSerialShards, EveryNewSerialLandsInExactlyOneShardWithinTheBound) {
  std::vector<std::shared_ptr<const IssuedSerials>> shards = {Shard(0, {{"a1", 1}, {"a2", 9}}), Shard(1, {{"b1", 9}})};
  IssuedSerialMap added;
  for (int i = 0; i < 100; ++i) added.emplace("f" + std::to_string(1000 + i), 50);
  auto plans = PlanIssuedSerialShards(shards, added, /*now_unix=*/5, 7);
  IssuedSerialMap seen;
  for (const auto& p : plans) {
    EXPECT_LE(p.live + p.added.size(), 7u) << "shard " << p.shard;
    for (const auto& kv : p.added) EXPECT_TRUE(seen.insert(kv).second) << kv.first << " twice";
  }
  EXPECT_EQ(seen, added);
  EXPECT_EQ(plans.size(), 15u);  // 2 + 100 + 1 live serials, 7 a shard
}

TEST(OcspSignerSecret, RoundTripsIdentitiesAndReportsABrokenPair) {
  const auto& pki = Hierarchy(pki::KeyAlgorithm::kEcdsaP256);
  pki::CertificateSpec spec;
  spec.subject.common_name = "responder";
  spec.validity = 72h;
  spec.key_usages = {pki::KeyUsage::kDigitalSignature};
  spec.extended_key_usages = {pki::ExtendedKeyUsage::kOcspSigning};
  spec.ocsp_no_check = true;
  const pki::PrivateKey& key = pki::testing::TestKey(pki::KeyAlgorithm::kEcdsaP256);
  OcspIdentity id{crl::CaKeyId(pki.intermediate_cert),
                  pki.intermediate_cert,
                  {Must(pki::IssueCertificate(spec, key.public_key(), pki.intermediate, kNow)), key}};
  nlohmann::json data = Must(EncodeOcspSignerData({id}));
  nlohmann::json secret = {
      {"metadata", {{"name", "certplane-ocsp-a"}, {"labels", {{"certplane.io/ocsp-signer-of", "a"}}}}}, {"data", data}};
  OcspSignerSecret decoded = Must(DecodeOcspSignerSecret(secret));
  EXPECT_EQ(decoded.ca_name, "a");
  ASSERT_EQ(decoded.identities.size(), 1u);
  EXPECT_EQ(decoded.identities[0].key_id, id.key_id);
  EXPECT_EQ(decoded.identities[0].issuer, pki.intermediate_cert);
  EXPECT_EQ(decoded.identities[0].signer.certificate, id.signer.certificate);
  EXPECT_NE(decoded.Find(id.key_id), nullptr);

  secret["data"][id.key_id + ".key"] =
      kube::Base64Encode(Must(pki::testing::OtherTestKey(pki::KeyAlgorithm::kEcdsaP256).ToPkcs8Pem()).view());
  OcspSignerSecret broken = Must(DecodeOcspSignerSecret(secret));
  EXPECT_TRUE(broken.identities.empty());
  EXPECT_EQ(broken.invalid.count(id.key_id), 1u);
}

}  // namespace
}  // namespace certplane::reconcile

#include "reconcile/crl_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace certplane::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const CrlUrlSource kBase{.public_base_url = "http://certplane.certplane.svc", .ca = "issuing"};

TEST(ShardCrlUrls, DefaultUrlsNameTheSigningKeyAndTheShard) {
  EXPECT_THAT(ShardCrlUrls(kBase, 0), ElementsAre("http://certplane.certplane.svc/crl/issuing/{key}/0.crl"));
  EXPECT_THAT(ShardCrlUrls(kBase, 7), ElementsAre("http://certplane.certplane.svc/crl/issuing/{key}/7.crl"));
  EXPECT_THAT(CrlUrlsForKey(ShardCrlUrls(kBase, 7), "0123456789abcdef"),
              ElementsAre("http://certplane.certplane.svc/crl/issuing/0123456789abcdef/7.crl"));
}

TEST(LegacyShardCrlUrls, ShardZeroKeepsTheUnshardedUrl) {
  EXPECT_THAT(LegacyShardCrlUrls(kBase, 0), ElementsAre("http://certplane.certplane.svc/crl/issuing.crl"));
  EXPECT_THAT(LegacyShardCrlUrls(kBase, 7), ElementsAre("http://certplane.certplane.svc/crl/issuing/7.crl"));
}

TEST(CrlUrlsForKey, LeavesOutKeyedUrlsWhenTheKeyIsUnknown) {
  EXPECT_THAT(CrlUrlsForKey({"http://a/{key}/0.crl", "http://b/all.crl"}, ""), ElementsAre("http://b/all.crl"));
  EXPECT_THAT(CrlUrlsForKey({"http://a/{key}/x/{key}.crl"}, "k"), ElementsAre("http://a/k/x/k.crl"));
}

TEST(ShardIdpUrls, NamesTheKeysUrlThenTheLegacyOne) {
  EXPECT_THAT(ShardIdpUrls(kBase, 2, "0123456789abcdef"),
              ElementsAre("http://certplane.certplane.svc/crl/issuing/0123456789abcdef/2.crl",
                          "http://certplane.certplane.svc/crl/issuing/2.crl"));
  CrlUrlSource own{.spec_urls = {"http://pki.example.com/{shard}.crl"}, .ca = "issuing"};
  EXPECT_THAT(ShardIdpUrls(own, 2, "k"), ElementsAre("http://pki.example.com/2.crl")) << "no duplicate";
}

TEST(ShardCrlUrls, TheCasOwnUrlsReplaceTheShardPlaceholder) {
  CrlUrlSource own{.spec_urls = {"http://pki.example.com/{shard}/issuing.crl", "http://mirror.example.com/all.crl"},
                   .public_base_url = "http://ignored",
                   .ca = "issuing"};
  EXPECT_THAT(ShardCrlUrls(own, 0),
              ElementsAre("http://pki.example.com/0/issuing.crl", "http://mirror.example.com/all.crl"));
  EXPECT_THAT(ShardCrlUrls(own, 3), ElementsAre("http://pki.example.com/3/issuing.crl"))
      << "a URL without {shard} names shard 0's CRL only";
  EXPECT_TRUE(CanShard(own));
  EXPECT_FALSE(CanShard({.spec_urls = {"http://pki.example.com/one.crl"}, .ca = "issuing"}));
}

TEST(ShardCrlUrls, NothingWithoutABaseOrUrls) {
  EXPECT_THAT(ShardCrlUrls({.ca = "issuing"}, 0), IsEmpty());
  EXPECT_FALSE(CanShard({.ca = "issuing"}));
}

TEST(ShardDeltaCrlUrls, NoneWithoutDeltas) {
  EXPECT_THAT(ShardDeltaCrlUrls({.public_base_url = "http://c.svc", .ca = "issuing"}, 0), ::testing::IsEmpty());
}

TEST(ShardDeltaCrlUrls, DefaultUrlsSitBesideTheShardsCrl) {
  CrlUrlSource source{.public_base_url = "http://c.svc", .ca = "issuing", .deltas = true};
  EXPECT_THAT(ShardDeltaCrlUrls(source, 0), ::testing::ElementsAre("http://c.svc/crl/issuing/{key}/0.delta.crl"));
  EXPECT_THAT(ShardDeltaCrlUrls(source, 3), ::testing::ElementsAre("http://c.svc/crl/issuing/{key}/3.delta.crl"));
}

TEST(ShardDeltaCrlUrls, TheCasOwnDeltaUrlsReplaceTheShardPlaceholder) {
  CrlUrlSource source{.public_base_url = "http://c.svc",
                      .ca = "issuing",
                      .deltas = true,
                      .delta_spec_urls = {"http://crl.example/{shard}.delta.crl", "http://crl.example/all.delta.crl"}};
  EXPECT_THAT(ShardDeltaCrlUrls(source, 0),
              ::testing::ElementsAre("http://crl.example/0.delta.crl", "http://crl.example/all.delta.crl"));
  EXPECT_THAT(ShardDeltaCrlUrls(source, 2), ::testing::ElementsAre("http://crl.example/2.delta.crl"))
      << "a URL without {shard} names shard 0's delta only";
}

TEST(ChooseShard, FillsTheOnlyShardUntilItIsNearlyFull) {
  EXPECT_EQ(ChooseShard({.load = {0}, .max_entries_per_shard = 100}), 0);
  EXPECT_EQ(ChooseShard({.load = {89}, .max_entries_per_shard = 100}), 0);
  EXPECT_EQ(ChooseShard({.load = {90}, .max_entries_per_shard = 100}), 1) << "90% full: open a new shard";
}

TEST(ChooseShard, SpreadsOverConfiguredShardsByThePick) {
  std::map<std::int32_t, int> seen;
  for (std::uint64_t pick = 0; pick < 400; ++pick) {
    seen[ChooseShard({.load = {}, .configured_shards = 4, .max_entries_per_shard = 100, .pick = pick})]++;
  }
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& [shard, n] : seen) EXPECT_EQ(n, 100) << "shard " << shard;
}

TEST(ChooseShard, SkipsFullShards) {
  for (std::uint64_t pick = 0; pick < 20; ++pick) {
    EXPECT_EQ(ChooseShard({.load = {95, 10, 99}, .max_entries_per_shard = 100, .pick = pick}), 1);
  }
}

TEST(ChooseShard, WithoutRoomToGrowUsesTheLeastLoaded) {
  EXPECT_EQ(ChooseShard({.load = {95, 92, 99}, .max_entries_per_shard = 100, .can_grow = false}), 1);
  std::vector<std::int64_t> full(kMaxCrlShards, 100);
  full[17] = 95;
  EXPECT_EQ(ChooseShard({.load = full, .max_entries_per_shard = 100}), 17) << "at the shard limit";
}

}  // namespace
}  // namespace certplane::reconcile

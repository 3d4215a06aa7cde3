// DecideCrlPublish as a table: each case is one CA's shards and keys as the publisher
// gathers them, and what must be signed (and why), which retired keys sign, and when
// to look again.
#include "reconcile/crl_decision.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace certplane::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

api::Time T(const char* text) { return *api::ParseTime(text); }

const api::Time kNow = T("2030-06-01T12:00:00Z");
constexpr const char* kFp = "fp-current";
constexpr const char* kKey = "aaaaaaaaaaaaaaaa";
constexpr const char* kOld = "bbbbbbbbbbbbbbbb";
constexpr const char* kOlder = "cccccccccccccccc";

// Builder: a shard as last published by the current key, fresh and unchanged.
struct ShardBuilder {
  CrlShardFacts s;
  explicit ShardBuilder(std::int32_t index) {
    s.index = index;
    s.exists = true;
    s.issuer_fingerprint = kFp;
    s.key_id = kKey;
    s.shard_count = 1;
    s.next_update = kNow + 20h;
  }
  ShardBuilder& Missing() { return s.exists = false, *this; }
  ShardBuilder& Requested() { return s.requested = true, *this; }
  ShardBuilder& WithExpiredEntries() { return s.has_expired_entries = true, *this; }
  ShardBuilder& SignedBy(const char* fp, const char* key) { return s.issuer_fingerprint = fp, s.key_id = key, *this; }
  ShardBuilder& Carrying(std::vector<std::string> ids) { return s.retired_key_ids = std::move(ids), *this; }
  ShardBuilder& WithShardCount(std::int32_t n) { return s.shard_count = n, *this; }
  ShardBuilder& NextUpdate(api::Time t) { return s.next_update = t, *this; }
  ShardBuilder& WithDelta(api::Time next_update) {
    return s.has_delta = true, s.delta_next_update = next_update, *this;
  }
  operator CrlShardFacts() const { return s; }
};
ShardBuilder Shard(std::int32_t index) { return ShardBuilder(index); }

CrlPublishInput Input(std::vector<CrlShardFacts> shards, std::vector<CrlKeyFacts> retired = {}) {
  return {.now = kNow,
          .validity = 24h,
          .refresh_before = 8h,
          .configured_shards = 1,
          .shards = std::move(shards),
          .issuer_fingerprint = kFp,
          .key_id = kKey,
          .retired_keys = std::move(retired)};
}

struct Case {
  std::string name;
  CrlPublishInput in;
  std::vector<std::pair<std::int32_t, std::string_view>> want_sign;
  std::vector<std::string> want_retired;
  api::Time want_next_check;
  std::vector<std::pair<std::int32_t, std::string_view>> want_sign_delta = {};
};

// Input with delta CRLs of validity 1h (re-signed after 30m).
CrlPublishInput WithDeltas(CrlPublishInput in) {
  in.delta_validity = 1h;
  return in;
}

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class DecideCrlPublishTest : public ::testing::TestWithParam<Case> {};

TEST_P(DecideCrlPublishTest, Decides) {
  const Case& c = GetParam();
  CrlPublishPlan plan = DecideCrlPublish(c.in);
  std::vector<std::pair<std::int32_t, std::string_view>> got;
  for (const auto& s : plan.sign) got.emplace_back(s.index, s.reason);
  EXPECT_EQ(got, c.want_sign);
  std::vector<std::pair<std::int32_t, std::string_view>> got_delta;
  for (const auto& s : plan.sign_delta) got_delta.emplace_back(s.index, s.reason);
  EXPECT_EQ(got_delta, c.want_sign_delta);
  EXPECT_EQ(plan.retired_key_ids, c.want_retired);
  EXPECT_EQ(api::FormatTime(plan.next_check), api::FormatTime(c.want_next_check));
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  cases.push_back({"signs nothing when every shard is fresh and unchanged", Input({Shard(0)}), {}, {}, kNow + 12h});
  cases.push_back({"signs a shard that has no ConfigMap yet", Input({}), {{0, kCrlSignMissing}}, {}, kNow + 16h});
  cases.push_back({"signs a shard that revocations are waiting for",
                   Input({Shard(0).Requested()}),
                   {{0, kCrlSignRequested}},
                   {},
                   kNow + 16h});
  cases.push_back({"signs every shard again with the new key after a re-key",
                   Input({Shard(0).SignedBy("fp-old", kOld), Shard(1).SignedBy("fp-old", kOld).WithShardCount(2)},
                         {{kOld, kNow + 100h}}),
                   {{0, kCrlSignIssuerChanged}, {1, kCrlSignIssuerChanged}},
                   {kOld},
                   kNow + 16h});
  cases.push_back({"signs again a shard written before CRLs named their key",
                   Input({Shard(0).SignedBy(kFp, "")}),
                   {{0, kCrlSignIssuerChanged}},
                   {},
                   kNow + 16h});
  {
    Case c{"publishes a retired key's CRL until its last certificate expires",
           Input({Shard(0).Carrying({kOld})}, {{kOld, kNow + 3h}}),
           {},
           {kOld},
           kNow + 3h};
    cases.push_back(c);
  }
  cases.push_back({"drops a retired key once its last certificate has expired",
                   Input({Shard(0).Carrying({kOld})}, {{kOld, kNow - 1s}}),
                   {{0, kCrlSignRetiredKeysChanged}},
                   {},
                   kNow + 16h});
  cases.push_back({"drops a retired key exactly at its certificate's notAfter",
                   Input({Shard(0).Carrying({kOld})}, {{kOld, kNow}}),
                   {{0, kCrlSignRetiredKeysChanged}},
                   {},
                   kNow + 16h});
  cases.push_back({"adds the CRL of a key that has just retired",
                   Input({Shard(0)}, {{kOld, kNow + 48h}}),
                   {{0, kCrlSignRetiredKeysChanged}},
                   {kOld},
                   kNow + 16h});
  cases.push_back({"keeps several retired keys, sorted, each until its own end",
                   Input({Shard(0).Carrying({kOld, kOlder})}, {{kOlder, kNow + 5h}, {kOld, kNow + 50h}}),
                   {},
                   {kOld, kOlder},
                   kNow + 5h});
  cases.push_back(
      {"never treats the current key as retired", Input({Shard(0)}, {{kKey, kNow + 48h}}), {}, {}, kNow + 12h});
  cases.push_back({"adds an IssuingDistributionPoint to every shard when a second shard opens",
                   [] {
                     auto in = Input({Shard(0)});
                     in.wanted_shards = 2;
                     return in;
                   }(),
                   {{0, kCrlSignShardingChanged}, {1, kCrlSignMissing}},
                   {},
                   kNow + 16h});
  cases.push_back({"signs a shard whose ledger holds an expired certificate",
                   Input({Shard(0).WithExpiredEntries()}),
                   {{0, kCrlSignEntriesExpired}},
                   {},
                   kNow + 16h});
  cases.push_back({"refreshes a CRL within refreshBefore of its nextUpdate",
                   Input({Shard(0).NextUpdate(kNow + 7h).WithShardCount(2), Shard(1).WithShardCount(2)}),
                   {{0, kCrlSignRefresh}},
                   {},
                   kNow + 12h});
  cases.push_back({"opens the shard a request names beyond those known",
                   [] {
                     auto in = Input({Shard(0).WithShardCount(2), Shard(1).WithShardCount(2)});
                     in.requested_shards = {2};
                     return in;
                   }(),
                   {{2, kCrlSignMissing}},
                   {},
                   kNow + 12h});
  // Delta CRLs.
  cases.push_back({"with deltas, puts a revocation in the delta and leaves the base alone",
                   WithDeltas(Input({Shard(0).Requested().WithDelta(kNow + 50min)})),
                   {},
                   {},
                   kNow + 30min,
                   {{0, kDeltaCrlSignRequested}}});
  cases.push_back({"with deltas, re-signs a delta after half its validity",
                   WithDeltas(Input({Shard(0).WithDelta(kNow + 29min)})),
                   {},
                   {},
                   kNow + 30min,
                   {{0, kDeltaCrlSignRefresh}}});
  cases.push_back({"with deltas, looks again when the delta is half way",
                   WithDeltas(Input({Shard(0).WithDelta(kNow + 40min)})),
                   {},
                   {},
                   kNow + 10min});
  cases.push_back({"turning deltas on re-signs the base with a delta over it",
                   WithDeltas(Input({Shard(0)})),
                   {{0, kCrlSignDeltasChanged}},
                   {},
                   kNow + 30min});
  cases.push_back({"turning deltas off re-signs the base without one",
                   Input({Shard(0).WithDelta(kNow + 1h)}),
                   {{0, kCrlSignDeltasChanged}},
                   {},
                   kNow + 16h});
  cases.push_back({"with deltas, a base that must be re-signed takes the revocation with it",
                   WithDeltas(Input({Shard(0).Requested().WithExpiredEntries().WithDelta(kNow + 1h)})),
                   {{0, kCrlSignEntriesExpired}},
                   {},
                   kNow + 30min});
  cases.push_back({"with deltas, a missing shard gets its base first",
                   WithDeltas(Input({})),
                   {{0, kCrlSignMissing}},
                   {},
                   kNow + 30min});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Table, DecideCrlPublishTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string n;
                           for (char c : info.param.name) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

TEST(LedgerForRetiredKey, KeepsOnlyCertificatesThatExpireByTheKeysEnd) {
  Ledger ledger;
  ledger.Put({.serial_hex = "01", .revoked_at = kNow, .not_after = kNow + 10h});
  ledger.Put({.serial_hex = "02", .revoked_at = kNow, .not_after = kNow + 20h});
  ledger.Put({.serial_hex = "03", .revoked_at = kNow, .not_after = kNow + 30h});
  Ledger own = LedgerForRetiredKey(ledger, kNow + 20h);
  std::vector<std::string> serials;
  for (const auto& [serial, record] : own.records()) serials.push_back(serial);
  EXPECT_THAT(serials, ElementsAre("01", "02")) << "a certificate never outlives the CA certificate that signed it";
  EXPECT_THAT(LedgerForRetiredKey(ledger, kNow).records(), IsEmpty());
}

TEST(RetiredKeysToPublish, LeavesOutTheCurrentKeyExpiredKeysAndDuplicates) {
  EXPECT_THAT(
      RetiredKeysToPublish({{kOld, kNow + 1h}, {kOld, kNow + 1h}, {kKey, kNow + 1h}, {kOlder, kNow - 1h}}, kKey, kNow),
      ElementsAre(kOld));
}

}  // namespace
}  // namespace certplane::reconcile

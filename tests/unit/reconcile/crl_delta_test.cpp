// Delta CRLs as the publisher computes and signs them: which serials a delta lists
// against the complete CRL it updates, and the signed delta itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crl_fixtures.h"
#include "reconcile/crl_signing.h"

namespace certplane::reconcile {
namespace {

using api::RevocationReason;
using ::certplane::pki::testing::Hierarchy;
using ::certplane::pki::testing::Must;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

const api::Time kNow = api::ToTime(crl::testing::kNow);

RevocationRecord Record(std::string serial, RevocationReason reason = RevocationReason::kKeyCompromise,
                        api::Time not_after = kNow + 48h) {
  return {std::move(serial), kNow - 1h, reason, not_after};
}

Ledger LedgerOf(std::vector<RevocationRecord> records) {
  Ledger ledger;
  for (const auto& r : records) ledger.Put(r);
  return ledger;
}

std::vector<std::string> Describe(const std::vector<DeltaCrlChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) {
    out.push_back(c.serial_hex + " " + (c.reason ? std::string(api::ToString(*c.reason)) : "removeFromCRL"));
  }
  return out;
}

TEST(DeltaCrlChanges, ListsOnlyWhatChangedSinceTheBase) {
  const Ledger base_ledger = LedgerOf({Record("0a"), Record("0b", RevocationReason::kCertificateHold),
                                       Record("0c", RevocationReason::kCertificateHold)});
  const BaseCrlEntries base = EntriesOf(base_ledger);
  Ledger now = base_ledger;
  now.Put(Record("0d", RevocationReason::kSuperseded));     // revoked since
  now.Put(Record("0b", RevocationReason::kKeyCompromise));  // a hold made final
  now.Remove("0c");                                         // a hold lifted
  EXPECT_THAT(Describe(DeltaCrlChanges(now, now, base, kNow)),
              ElementsAre("0b keyCompromise", "0c removeFromCRL", "0d superseded"))
      << "0a is unchanged and stays in the base alone";
}

TEST(DeltaCrlChanges, IsEmptyOverABaseSignedFromTheSameLedger) {
  const Ledger ledger = LedgerOf({Record("01"), Record("02")});
  EXPECT_THAT(DeltaCrlChanges(ledger, ledger, EntriesOf(ledger), kNow), IsEmpty());
}

TEST(DeltaCrlChanges, ARetiredKeysDeltaRemovesOnlySerialsGoneFromTheWholeLedger) {
  // 01 expires with the retired key's certificates; 02 outlives them, so the retired
  // key never signed it and its delta neither lists nor removes it.
  const Ledger base_ledger = LedgerOf({Record("01", RevocationReason::kKeyCompromise, kNow + 10h),
                                       Record("02", RevocationReason::kKeyCompromise, kNow + 100h),
                                       Record("03", RevocationReason::kCertificateHold, kNow + 10h)});
  Ledger now = base_ledger;
  now.Remove("03");
  now.Put(Record("04", RevocationReason::kKeyCompromise, kNow + 5h));
  Ledger listed;
  for (const auto& [serial, record] : now.records()) {
    if (record.not_after <= kNow + 20h) listed.Put(record);
  }
  EXPECT_THAT(Describe(DeltaCrlChanges(listed, now, EntriesOf(base_ledger), kNow)),
              ElementsAre("03 removeFromCRL", "04 keyCompromise"));
}

TEST(SignShardDeltaCrl, NamesItsBaseAndKeepsItsScope) {
  const auto& pki = Hierarchy(pki::KeyAlgorithm::kEcdsaP256);
  const Ledger base_ledger = LedgerOf({Record("0a"), Record("0c", RevocationReason::kCertificateHold)});
  Ledger now = base_ledger;
  now.Put(Record("0d"));
  now.Remove("0c");
  const BaseCrlEntries base = EntriesOf(base_ledger);
  ShardDeltaCrl delta = Must(SignShardDeltaCrl({.listed = now,
                                                .ledger = now,
                                                .base = base,
                                                .base_number = 41,
                                                .number = 42,
                                                .now = crl::testing::kNow,
                                                .validity = 1h,
                                                .distribution_point_urls = {"http://c.svc/crl/ca/k/1.crl"}},
                                               pki.intermediate));
  pki::Crl crl = Must(pki::ParseCrlPem(delta.pem));
  EXPECT_EQ(crl.number(), 42u);
  EXPECT_EQ(crl.delta_of(), std::optional<std::uint64_t>(41));
  EXPECT_EQ(crl.next_update() - crl.this_update(), 1h);
  ASSERT_TRUE(crl.distribution_point().has_value());
  EXPECT_THAT(crl.distribution_point()->uris, ElementsAre("http://c.svc/crl/ca/k/1.crl"));
  EXPECT_TRUE(crl.VerifySignature(pki.intermediate_cert).ok());
  auto entries = crl.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].serial.ToHex(), "0c");
  EXPECT_EQ(entries[0].reason, pki::RevocationReason::kRemoveFromCrl);
  EXPECT_EQ(entries[1].serial.ToHex(), "0d");
  EXPECT_EQ(entries[1].reason, pki::RevocationReason::kKeyCompromise);
  EXPECT_EQ(delta.entries, 2u);
  EXPECT_EQ(std::string(delta.der.begin(), delta.der.end()), crl::testing::DerString(crl));
}

TEST(EntriesOfCrl, ReadsBackWhatTheBaseLists) {
  const auto& pki = Hierarchy(pki::KeyAlgorithm::kEcdsaP256);
  const Ledger ledger = LedgerOf({Record("0a"), Record("0b", RevocationReason::kCertificateHold)});
  ShardCrl base = Must(SignShardCrl({.ledger = ledger, .number = 9, .now = crl::testing::kNow}, pki.intermediate));
  EXPECT_EQ(Must(EntriesOfCrl(base.der)), EntriesOf(ledger));
  EXPECT_FALSE(EntriesOfCrl("not a CRL").ok());
}

TEST(SignShardCrl, NamesTheDeltaInFreshestCrl) {
  const auto& pki = Hierarchy(pki::KeyAlgorithm::kEcdsaP256);
  ShardCrl base = Must(SignShardCrl({.ledger = Ledger(),
                                     .number = 9,
                                     .now = crl::testing::kNow,
                                     .freshest_crl_urls = {"http://c.svc/crl/ca/k/0.delta.crl"}},
                                    pki.intermediate));
  pki::Crl crl = Must(pki::ParseCrlPem(base.pem));
  EXPECT_EQ(crl.delta_of(), std::nullopt);
  // The extension's DER holds the URL as an IA5String.
  EXPECT_NE(base.der.find("http://c.svc/crl/ca/k/0.delta.crl"), std::string::npos);
}

}  // namespace
}  // namespace certplane::reconcile

#include "reconcile/crl_ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certplane::reconcile {
namespace {

using api::RevocationReason;
using ::testing::HasSubstr;

api::Time T(const char* text) { return *api::ParseTime(text); }

RevocationRecord Record(std::string serial, RevocationReason reason = RevocationReason::kKeyCompromise,
                        const char* not_after = "2031-01-01T00:00:00Z") {
  return {std::move(serial), T("2030-01-01T00:00:00Z"), reason, T(not_after)};
}

TEST(Ledger, RoundTripsThroughItsTextForm) {
  Ledger ledger;
  ledger.Put(Record("5f0c1a"));
  ledger.Put(Record("01ff", RevocationReason::kCertificateHold));
  auto back = ParseLedger(FormatLedger(ledger));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->records(), ledger.records());
  EXPECT_THAT(FormatLedger(ledger), HasSubstr("5f0c1a 2030-01-01T00:00:00Z keyCompromise 2031-01-01T00:00:00Z\n"));
}

TEST(Ledger, KeepsTheFirstRevocationOfASerial) {
  Ledger ledger;
  EXPECT_TRUE(ledger.Put(Record("aa")));
  RevocationRecord later = Record("aa", RevocationReason::kSuperseded);
  later.revoked_at = T("2030-06-01T00:00:00Z");
  EXPECT_FALSE(ledger.Put(later));
  EXPECT_EQ(ledger.Find("aa")->reason, RevocationReason::kKeyCompromise);
  EXPECT_EQ(ledger.Find("aa")->revoked_at, T("2030-01-01T00:00:00Z"));
}

TEST(Ledger, AHoldMayBecomeAFinalRevocationButNotTheOtherWayRound) {
  Ledger ledger;
  ledger.Put(Record("aa", RevocationReason::kCertificateHold));
  EXPECT_TRUE(ledger.Put(Record("aa", RevocationReason::kCessationOfOperation)));
  EXPECT_EQ(ledger.Find("aa")->reason, RevocationReason::kCessationOfOperation);
  EXPECT_FALSE(ledger.Put(Record("aa", RevocationReason::kCertificateHold)));
  EXPECT_EQ(ledger.Find("aa")->reason, RevocationReason::kCessationOfOperation);
}

TEST(Ledger, DropsOnlyCertificatesThatHaveExpired) {
  Ledger ledger;
  ledger.Put(Record("01", RevocationReason::kKeyCompromise, "2030-02-01T00:00:00Z"));
  ledger.Put(Record("02", RevocationReason::kKeyCompromise, "2030-03-01T00:00:00Z"));
  EXPECT_EQ(ledger.PruneExpired(T("2030-02-01T00:00:00Z")), 0u) << "valid through its notAfter second";
  EXPECT_EQ(ledger.PruneExpired(T("2030-02-15T00:00:00Z")), 1u);
  EXPECT_EQ(ledger.Find("01"), nullptr);
  EXPECT_NE(ledger.Find("02"), nullptr);
}

TEST(Ledger, RemovesALiftedHold) {
  Ledger ledger;
  ledger.Put(Record("aa", RevocationReason::kCertificateHold));
  EXPECT_TRUE(ledger.Remove("aa"));
  EXPECT_FALSE(ledger.Remove("aa"));
  EXPECT_TRUE(ledger.empty());
}

TEST(ParseLedger, IgnoresCommentsBlankLinesAndCarriageReturns) {
  auto ledger = ParseLedger("# header\n\n  \nAB 2030-01-01T00:00:00Z superseded 2031-01-01T00:00:00Z\r\n");
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  ASSERT_NE(ledger->Find("ab"), nullptr) << "serials are stored lower-case";
  EXPECT_EQ(ledger->Find("ab")->reason, RevocationReason::kSuperseded);
}

TEST(ParseLedger, RefusesAMalformedLineNamingIt) {
  const char* bad[] = {
      "aa 2030-01-01T00:00:00Z keyCompromise",                             // a field short
      "zz 2030-01-01T00:00:00Z keyCompromise 2031-01-01T00:00:00Z",        // not hex
      "aa yesterday keyCompromise 2031-01-01T00:00:00Z",                   // not a time
      "aa 2030-01-01T00:00:00Z removeFromCRL 2031-01-01T00:00:00Z",        // not a reason
      "aa 2030-01-01T00:00:00Z keyCompromise 2031-01-01T00:00:00Z extra",  // a field too many
  };
  for (const char* line : bad) {
    auto ledger = ParseLedger(std::string("# ok\n") + line + "\n");
    ASSERT_FALSE(ledger.ok()) << line;
    EXPECT_THAT(ledger.status().message(), HasSubstr("revoked.txt line 2")) << line;
  }
}

TEST(CanonicalSerialHex, LowerCasesPadsAndDropsLeadingZeroOctets) {
  EXPECT_EQ(*CanonicalSerialHex("ABC"), "0abc");
  EXPECT_EQ(*CanonicalSerialHex("0000ff"), "ff");
  EXPECT_EQ(*CanonicalSerialHex("00"), "00");
  EXPECT_FALSE(CanonicalSerialHex("").ok());
  EXPECT_FALSE(CanonicalSerialHex("0x12").ok());
}

}  // namespace
}  // namespace certplane::reconcile

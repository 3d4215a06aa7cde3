#include "inventory.h"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builders.h"
#include "yaml_json.h"

namespace certplane::plugin {
namespace {

using testing::Days;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kNow;
using testing::MakeCertificate;
using testing::MakeSync;
using testing::MakeSyncEntry;
using ::testing::Not;

struct StateCase {
  std::string name;
  api::Certificate certificate;
  CertificateState want;
};
void PrintTo(const StateCase& c, std::ostream* os) { *os << c.name; }

class Classify : public ::testing::TestWithParam<StateCase> {};

TEST_P(Classify, GivesTheFirstStateThatApplies) {
  EXPECT_EQ(StateName(plugin::Classify(GetParam().certificate, kNow)), StateName(GetParam().want));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Classify,
    ::testing::Values(
        StateCase{"ActiveBeforeItsRenewalTime",
                  MakeCertificate("a", "c").Issued(kNow - Days(1), kNow + Days(29)).RenewAt(kNow + Days(19)),
                  CertificateState::kActive},
        StateCase{"ExpiringOnceTheRenewalTimeHasPassedWithoutARenewal",
                  MakeCertificate("a", "c").Issued(kNow - Days(25), kNow + Days(5)).RenewAt(kNow - Days(1)),
                  CertificateState::kExpiring},
        StateCase{"ExpiringExactlyAtTheRenewalTime",
                  MakeCertificate("a", "c").Issued(kNow - Days(25), kNow + Days(5)).RenewAt(kNow),
                  CertificateState::kExpiring},
        StateCase{"RenewingWhileIssuingIsTrue",
                  MakeCertificate("a", "c").Issued(kNow - Days(25), kNow + Days(5)).RenewAt(kNow - Days(1)).Issuing(),
                  CertificateState::kRenewing},
        StateCase{"ExpiredOnceNotAfterHasPassedEvenWhileRenewing",
                  MakeCertificate("a", "c").Issued(kNow - Days(31), kNow - Days(1)).Issuing(),
                  CertificateState::kExpired},
        StateCase{"ExpiredExactlyAtNotAfter", MakeCertificate("a", "c").Issued(kNow - Days(30), kNow),
                  CertificateState::kExpired},
        StateCase{"RevokedWhenTheControllerConfirmedIt",
                  MakeCertificate("a", "c")
                      .Issued(kNow - Days(1), kNow + Days(29))
                      .Revoked(api::RevocationReason::kKeyCompromise, kNow - std::chrono::hours(1)),
                  CertificateState::kRevoked},
        StateCase{"RevokedWinsOverExpired",
                  MakeCertificate("a", "c")
                      .Issued(kNow - Days(31), kNow - Days(1))
                      .Revoked(api::RevocationReason::kSuperseded, kNow - Days(2)),
                  CertificateState::kRevoked},
        StateCase{"RevokingWhileOnlyTheSpecAsksForIt",
                  MakeCertificate("a", "c")
                      .Issued(kNow - Days(1), kNow + Days(29))
                      .RevocationRequested(api::RevocationReason::kKeyCompromise),
                  CertificateState::kRevoking},
        StateCase{"PendingBeforeTheFirstIssuance", MakeCertificate("a", "c"), CertificateState::kPending},
        StateCase{"PendingWhenTheFirstIssuanceFails", MakeCertificate("a", "c").Issuing(), CertificateState::kPending},
        StateCase{"WithoutAutoRenewActiveWithMoreThanAThirdLeft",
                  MakeCertificate("a", "c").Issued(kNow - Days(10), kNow + Days(20)), CertificateState::kActive},
        StateCase{"WithoutAutoRenewExpiringWithLessThanAThirdLeft",
                  MakeCertificate("a", "c").Issued(kNow - Days(21), kNow + Days(9)), CertificateState::kExpiring}),
    [](const ::testing::TestParamInfo<StateCase>& info) { return info.param.name; });

std::vector<api::Certificate> Fleet() {
  return {
      MakeCertificate("shop", "frontend").Issued(kNow - Days(1), kNow + Days(29), "aa01").RenewAt(kNow + Days(19)),
      MakeCertificate("shop", "api")
          .Profile("internal")
          .Issued(kNow - Days(80), kNow + Days(10), "0123", "internal-ca")
          .RenewAt(kNow - Days(1)),
      MakeCertificate("bank", "ledger")
          .Issued(kNow - Days(1), kNow + Days(89), "bb02")
          .Revoked(api::RevocationReason::kKeyCompromise, kNow - std::chrono::hours(2)),
      MakeCertificate("bank", "old").Issued(kNow - Days(40), kNow - Days(10), "cc03"),
      MakeCertificate("bank", "new"),
  };
}

std::vector<std::string> Names(const std::vector<InventoryRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.ns + "/" + r.name);
  return out;
}

TEST(BuildInventory, SortsByNamespaceThenName) {
  EXPECT_THAT(Names(BuildInventory(Fleet(), {}, kNow)),
              ElementsAre("bank/ledger", "bank/new", "bank/old", "shop/api", "shop/frontend"));
}

TEST(BuildInventory, FiltersByProfile) {
  EXPECT_THAT(Names(BuildInventory(Fleet(), {.profile = "internal"}, kNow)), ElementsAre("shop/api"));
}

TEST(BuildInventory, ExpiringWithinKeepsNotAfterBeforeNowPlusTheSpanExpiredIncluded) {
  InventoryFilter f;
  f.expiring_within = std::chrono::duration_cast<std::chrono::seconds>(Days(30));
  EXPECT_THAT(Names(BuildInventory(Fleet(), f, kNow)), ElementsAre("bank/old", "shop/api", "shop/frontend"));
  f.expiring_within = std::chrono::duration_cast<std::chrono::seconds>(Days(10));
  EXPECT_THAT(Names(BuildInventory(Fleet(), f, kNow)), ElementsAre("bank/old", "shop/api"))
      << "notAfter exactly now + 10d is within 10d";
}

TEST(BuildInventory, RevokedKeepsRevokedAndRevoking) {
  std::vector<api::Certificate> fleet = Fleet();
  fleet.push_back(MakeCertificate("shop", "leaked")
                      .Issued(kNow - Days(1), kNow + Days(29))
                      .RevocationRequested(api::RevocationReason::kKeyCompromise));
  EXPECT_THAT(Names(BuildInventory(fleet, {.revoked_only = true}, kNow)), ElementsAre("bank/ledger", "shop/leaked"));
}

TEST(BuildInventory, FiltersCombineWithAnd) {
  InventoryFilter f;
  f.profile = "web";
  f.expiring_within = std::chrono::duration_cast<std::chrono::seconds>(Days(30));
  f.revoked_only = true;
  EXPECT_THAT(Names(BuildInventory(Fleet(), f, kNow)), ::testing::IsEmpty());
  f.revoked_only = false;
  EXPECT_THAT(Names(BuildInventory(Fleet(), f, kNow)), ElementsAre("bank/old", "shop/frontend"));
}

TEST(RenderInventory, TableHasTheColumnsAlignedAndNoneForWhatIsMissing) {
  std::string table = RenderInventory(BuildInventory(Fleet(), {}, kNow), OutputFormat::kTable);
  EXPECT_EQ(table,
            "NAMESPACE   NAME       PROFILE    CA            SERIAL   NOT AFTER              STATE\n"
            "bank        ledger     web        issuing       bb02     2030-08-29T12:00:00Z   revoked\n"
            "bank        new        web        <none>        <none>   <none>                 pending\n"
            "bank        old        web        issuing       cc03     2030-05-22T12:00:00Z   expired\n"
            "shop        api        internal   internal-ca   0123     2030-06-11T12:00:00Z   expiring\n"
            "shop        frontend   web        issuing       aa01     2030-06-30T12:00:00Z   active\n");
}

TEST(RenderInventory, WideAddsSecretValidityRenewalReadinessAndRevocation) {
  std::vector<InventoryRow> rows = BuildInventory(Fleet(), {.revoked_only = true}, kNow);
  std::string table = RenderInventory(rows, OutputFormat::kWide);
  EXPECT_THAT(table, HasSubstr("SECRET       NOT BEFORE             RENEWAL   READY   REASON   REVOCATION"));
  EXPECT_THAT(table, HasSubstr("ledger-tls   2030-05-31T12:00:00Z   <none>    True    Ready    keyCompromise"));
}

TEST(RenderInventory, JsonHasOneItemPerRowAndOmitsWhatIsMissing) {
  std::vector<InventoryRow> rows = BuildInventory(Fleet(), {}, kNow);
  nlohmann::json j = nlohmann::json::parse(RenderInventory(rows, OutputFormat::kJson));
  ASSERT_EQ(j["items"].size(), 5u);
  const nlohmann::json& ledger = j["items"][0];
  EXPECT_EQ(ledger["namespace"], "bank");
  EXPECT_EQ(ledger["name"], "ledger");
  EXPECT_EQ(ledger["profile"], "web");
  EXPECT_EQ(ledger["ca"], "issuing");
  EXPECT_EQ(ledger["serialNumber"], "bb02");
  EXPECT_EQ(ledger["notAfter"], "2030-08-29T12:00:00Z");
  EXPECT_EQ(ledger["state"], "revoked");
  EXPECT_EQ(ledger["secretName"], "ledger-tls");
  EXPECT_EQ(ledger["revocationReason"], "keyCompromise");
  EXPECT_EQ(ledger["revokedAt"], "2030-06-01T10:00:00Z");
  EXPECT_EQ(ledger["ready"], "True");
  const nlohmann::json& pending = j["items"][1];
  EXPECT_EQ(pending["state"], "pending");
  EXPECT_FALSE(pending.contains("serialNumber"));
  EXPECT_FALSE(pending.contains("notAfter"));
  EXPECT_FALSE(pending.contains("ca"));
  EXPECT_EQ(j["items"][4]["renewalTime"], "2030-06-20T12:00:00Z");
}

TEST(RenderInventory, ShowsACsrEnrollmentWithoutASecret) {
  std::vector<api::Certificate> fleet = {
      MakeCertificate("shop", "device").Csr().Issued(kNow - Days(1), kNow + Days(29), "cc03"),
      MakeCertificate("certplane-system", "order-9").Csr("order-9").Issued(kNow - Days(1), kNow + Days(29), "dd04")};
  std::vector<InventoryRow> rows = BuildInventory(fleet, {}, kNow);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].state, CertificateState::kActive);
  EXPECT_EQ(rows[1].enrollment, "csr");
  EXPECT_EQ(rows[0].enrollment, "acme");
  const std::string wide = RenderInventory(rows, OutputFormat::kWide);
  EXPECT_THAT(wide, HasSubstr("<csr>"));
  EXPECT_THAT(wide, HasSubstr("<acme>"));
  nlohmann::json j = nlohmann::json::parse(RenderInventory(rows, OutputFormat::kJson));
  EXPECT_FALSE(j["items"][1].contains("secretName"));
  EXPECT_EQ(j["items"][1]["enrollment"], "csr");
  EXPECT_EQ(j["items"][1]["serialNumber"], "cc03");
}

TEST(RenderInventory, YamlReadsBackAsTheSameDocumentWithSerialsAndTimesAsStrings) {
  std::vector<InventoryRow> rows = BuildInventory(Fleet(), {}, kNow);
  std::string yaml = RenderInventory(rows, OutputFormat::kYaml);
  std::vector<nlohmann::json> docs = testing_support::YamlToJson(yaml);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0], InventoryJson(rows)) << yaml;
  EXPECT_THAT(yaml, HasSubstr("serialNumber: \"0123\"")) << "an all-digit serial stays a string";
  EXPECT_THAT(yaml, HasSubstr("state: expiring"));
}

TEST(RenderInventory, EmptyJsonAndYamlStillHaveItems) {
  EXPECT_EQ(nlohmann::json::parse(RenderInventory({}, OutputFormat::kJson)),
            nlohmann::json({{"items", nlohmann::json::array()}}));
  std::vector<nlohmann::json> docs = testing_support::YamlToJson(RenderInventory({}, OutputFormat::kYaml));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["items"], nlohmann::json::array());
  EXPECT_THAT(RenderInventory({}, OutputFormat::kTable), Not(HasSubstr("\n\n")));
}

TEST(MakeRow, ARequestedRevocationShowsItsReasonBeforeTheControllerConfirms) {
  InventoryRow row = MakeRow(MakeCertificate("a", "c")
                                 .Issued(kNow - Days(1), kNow + Days(29))
                                 .RevocationRequested(api::RevocationReason::kCessationOfOperation),
                             kNow);
  EXPECT_EQ(row.state, CertificateState::kRevoking);
  EXPECT_EQ(row.revocation_reason, api::RevocationReason::kCessationOfOperation);
  EXPECT_FALSE(row.revoked_at.has_value());
}

constexpr const char* kArn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e";

nlohmann::json PushedTo(const std::string& sync, const std::string& serial, const std::string& ns = "shop",
                        const std::string& certificate = "frontend") {
  return MakeSync(ns, sync, "awsCertificateManager").Entry(MakeSyncEntry(certificate).Pushed(kArn, serial, kNow));
}

nlohmann::json FailingTo(const std::string& sync) {
  return MakeSync("shop", sync, "azureKeyVault")
      .Entry(MakeSyncEntry("frontend").Failed("Throttled", "429", 1, kNow + std::chrono::minutes(1)));
}

struct SyncedCase {
  std::string name;
  std::vector<nlohmann::json> syncs;
  std::string error;  // the listing's
  std::string want;
};
void PrintTo(const SyncedCase& c, std::ostream* os) { *os << c.name; }

class SyncedColumn : public ::testing::TestWithParam<SyncedCase> {};

TEST_P(SyncedColumn, CountsTheEntriesThatHoldTheCurrentSerial) {
  std::vector<InventoryRow> rows = {
      MakeRow(MakeCertificate("shop", "frontend").Issued(kNow - Days(1), kNow + Days(29), "bb02"), kNow)};
  nlohmann::json items = nlohmann::json::array();
  for (const nlohmann::json& sync : GetParam().syncs) items.push_back(sync);
  AttachSyncs(rows, {.views = DecodeSyncViews(items), .error = GetParam().error});
  EXPECT_EQ(SyncedCount(rows[0]), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SyncedColumn,
    ::testing::Values(
        SyncedCase{"ADashWithoutAnySync", {}, "", "-"},
        SyncedCase{"ADashWhenNoSyncHasAnEntryForIt", {PushedTo("to-acm", "0123", "shop", "api")}, "", "-"},
        SyncedCase{"OneOfOneWhenTheSyncHoldsTheCurrentSerial", {PushedTo("to-acm", "bb02")}, "", "1/1"},
        SyncedCase{
            "TwoOfTwoWhenBothSyncsHoldIt", {PushedTo("to-acm", "bb02"), PushedTo("to-acm-us", "bb02")}, "", "2/2"},
        SyncedCase{"OneOfTwoWhenOneSyncFails", {PushedTo("to-acm", "bb02"), FailingTo("to-vault")}, "", "1/2"},
        SyncedCase{
            "ZeroOfTwoWhenNeitherHasPushed",
            {FailingTo("to-vault"), MakeSync("shop", "new", "awsSecretsManager").Entry(MakeSyncEntry("frontend"))},
            "",
            "0/2"},
        SyncedCase{"ATrueEntryWithAStaleSerialIsNotSynced", {PushedTo("to-acm", "aa01")}, "", "0/1"},
        SyncedCase{"AnEntryInAnotherNamespaceIsNotAboutIt", {PushedTo("to-acm", "bb02", "bank")}, "", "-"},
        SyncedCase{"AnEntryForADeletedNamesakeIsNotAboutIt",
                   {MakeSync("shop", "to-acm", "awsCertificateManager")
                        .Entry(MakeSyncEntry("frontend").Uid("uid-deleted").Pushed(kArn, "bb02", kNow))},
                   "",
                   "-"},
        SyncedCase{"AQuestionMarkWhenTheSyncsCouldNotBeListed",
                   {},
                   "listing certificatesyncs in namespace shop: forbidden: no",
                   "?"}),
    [](const ::testing::TestParamInfo<SyncedCase>& info) { return info.param.name; });

// Fleet() with shop/frontend (aa01) pushed to ACM and bank/ledger's push pending.
std::vector<InventoryRow> FleetWithSyncs(const std::string& error = {}) {
  std::vector<InventoryRow> rows = BuildInventory(Fleet(), {}, kNow);
  nlohmann::json items = nlohmann::json::array(
      {PushedTo("to-acm", "aa01"), MakeSync("bank", "to-secrets", "awsSecretsManager").Entry(MakeSyncEntry("ledger"))});
  SyncListing syncs;
  syncs.error = error;
  if (error.empty()) syncs.views = DecodeSyncViews(items);
  AttachSyncs(rows, syncs);
  return rows;
}

std::vector<std::string> LastColumn(const std::string& table) {
  std::vector<std::string> out;
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) out.push_back(line.substr(line.rfind(' ') + 1));
  return out;
}

TEST(RenderInventory, WideEndsWithSyncedAndThePlainTableStaysAsItWas) {
  std::vector<InventoryRow> rows = FleetWithSyncs();
  EXPECT_THAT(LastColumn(RenderInventory(rows, OutputFormat::kWide)),
              ElementsAre("SYNCED", "0/1", "-", "-", "-", "1/1"));
  EXPECT_THAT(RenderInventory(rows, OutputFormat::kWide), HasSubstr("REVOCATION      SYNCED\n"));
  EXPECT_EQ(RenderInventory(rows, OutputFormat::kTable),
            RenderInventory(BuildInventory(Fleet(), {}, kNow), OutputFormat::kTable));
  EXPECT_THAT(RenderInventory(rows, OutputFormat::kTable), Not(HasSubstr("SYNCED")));
}

TEST(RenderInventory, JsonListsTheSyncsOfEachRow) {
  nlohmann::json j = nlohmann::json::parse(RenderInventory(FleetWithSyncs(), OutputFormat::kJson));
  ASSERT_EQ(j["items"].size(), 5u);
  EXPECT_EQ(j["items"][0]["name"], "ledger");
  EXPECT_EQ(j["items"][0]["syncs"], nlohmann::json::parse(R"([{"sync": "to-secrets",
                                                               "destination": "awsSecretsManager",
                                                               "synced": "Unknown"}])"))
      << "no id or serial before the first push";
  EXPECT_EQ(j["items"][1]["syncs"], nlohmann::json::array()) << "bank/new is not synced anywhere";
  EXPECT_EQ(j["items"][4]["name"], "frontend");
  EXPECT_EQ(j["items"][4]["syncs"], nlohmann::json::parse(R"([{"sync": "to-acm",
                                                               "destination": "awsCertificateManager",
                                                               "id": "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e",
                                                               "serial": "aa01",
                                                               "synced": "True"}])"));
}

TEST(RenderInventory, ASyncListingErrorShowsAQuestionMarkAndLeavesSyncsOutOfJson) {
  std::vector<InventoryRow> rows = FleetWithSyncs("listing certificatesyncs in all namespaces: forbidden: no");
  EXPECT_THAT(LastColumn(RenderInventory(rows, OutputFormat::kWide)), ElementsAre("SYNCED", "?", "?", "?", "?", "?"));
  nlohmann::json j = nlohmann::json::parse(RenderInventory(rows, OutputFormat::kJson));
  for (const nlohmann::json& item : j["items"]) EXPECT_FALSE(item.contains("syncs")) << item.dump();
}

TEST(RenderInventory, YamlWithSyncsReadsBackAsTheSameDocument) {
  std::vector<InventoryRow> rows = FleetWithSyncs();
  std::string yaml = RenderInventory(rows, OutputFormat::kYaml);
  std::vector<nlohmann::json> docs = testing_support::YamlToJson(yaml);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0], InventoryJson(rows)) << yaml;
}

}  // namespace
}  // namespace certplane::plugin

#include "status_view.h"

#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builders.h"

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

nlohmann::json Event(const std::string& reason, const std::string& note, const std::string& when,
                     const std::string& uid = "uid-frontend") {
  return {{"type", "Normal"},
          {"reason", reason},
          {"note", note},
          {"eventTime", when},
          {"regarding", {{"kind", "Certificate"}, {"name", "frontend"}, {"uid", uid}}}};
}

TEST(DecodeEvents, ReadsEventsK8sIoAndCoreV1Shapes) {
  nlohmann::json items = nlohmann::json::array();
  items.push_back(Event("Issued", "issued serial aa01", "2030-06-01T11:00:00.123456Z"));
  nlohmann::json series = Event("IssuanceFailed", "the CA is not ready", "2030-06-01T09:00:00.000000Z");
  series["series"] = {{"count", 4}, {"lastObservedTime", "2030-06-01T11:30:00.000000Z"}};
  items.push_back(series);
  items.push_back({{"type", "Warning"},
                   {"reason", "Old"},
                   {"message", "core v1"},
                   {"count", 2},
                   {"lastTimestamp", "2030-06-01T10:00:00Z"},
                   {"involvedObject", {{"uid", "u"}}}});
  items.push_back("not an event");
  std::vector<EventView> events = DecodeEvents(items);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].reason, "Issued");
  EXPECT_EQ(events[0].note, "issued serial aa01");
  EXPECT_EQ(events[0].regarding_uid, "uid-frontend");
  EXPECT_EQ(events[0].last_seen, kNow - std::chrono::hours(1));
  EXPECT_EQ(events[1].count, 4);
  EXPECT_EQ(events[1].last_seen, kNow - std::chrono::minutes(30)) << "a series is as recent as its last observation";
  EXPECT_EQ(events[2].note, "core v1");
  EXPECT_EQ(events[2].count, 2);
  EXPECT_EQ(events[2].regarding_uid, "u");
  EXPECT_EQ(events[2].last_seen, kNow - std::chrono::hours(2));
}

api::Certificate Renewed() {
  api::CertificateHistoryEntry old;
  old.revision = 1;
  old.serial_number = "aa01";
  old.not_before = kNow - Days(40);
  old.not_after = kNow - Days(10);
  old.ca_name = "issuing";
  old.revocation_reason = api::RevocationReason::kSuperseded;
  old.revoked_at = kNow - Days(15);
  api::Certificate c = MakeCertificate("shop", "frontend")
                           .Issued(kNow - Days(15), kNow + Days(15), "bb02")
                           .RenewAt(kNow + Days(5))
                           .History(old)
                           .Annotation("certplane.io/renew-requested-at", "2030-05-17T12:00:00Z");
  c.status.revision = 2;
  return c;
}

TEST(RenderStatus, ShowsTheFactsConditionsHistoryAndEvents) {
  std::vector<EventView> events = DecodeEvents(nlohmann::json::array(
      {Event("Issued", "issued serial aa01", "2030-05-02T12:00:00.000000Z"),
       Event("Reissued", "reissued (ManuallyTriggered: ...) as serial bb02", "2030-05-17T12:00:00.000000Z")}));
  std::string text = RenderStatus(Renewed(), events, kNow);
  EXPECT_THAT(text, HasSubstr("Name:           frontend\n"));
  EXPECT_THAT(text, HasSubstr("Namespace:      shop\n"));
  EXPECT_THAT(text, HasSubstr("State:          active\n"));
  EXPECT_THAT(text, HasSubstr("Serial:         bb02\n"));
  EXPECT_THAT(text, HasSubstr("Not after:      2030-06-16T12:00:00Z (in 15d)\n"));
  EXPECT_THAT(text, HasSubstr("Renewal time:   2030-06-06T12:00:00Z (in 5d)\n"));
  EXPECT_THAT(text, HasSubstr("Renew asked:    2030-05-17T12:00:00Z\n"));
  EXPECT_THAT(text, HasSubstr("Conditions:\n  TYPE    STATUS   REASON   SINCE    MESSAGE\n"
                              "  Ready   True     Ready    1h ago   the certificate is valid\n"));
  EXPECT_THAT(
      text,
      HasSubstr("Serial history:\n"
                "  REVISION   SERIAL   CA        NOT BEFORE             NOT AFTER              REVOKED\n"
                "  2          bb02     issuing   2030-05-17T12:00:00Z   2030-06-16T12:00:00Z   -            current\n"
                "  1          aa01     issuing   2030-04-22T12:00:00Z   2030-05-22T12:00:00Z   superseded\n"));
  EXPECT_THAT(text, HasSubstr("Events:\n  LAST SEEN   TYPE     REASON     MESSAGE\n"
                              "  30d ago     Normal   Issued     issued serial aa01\n"
                              "  15d ago     Normal   Reissued   reissued (ManuallyTriggered: ...) as serial bb02\n"));
  EXPECT_THAT(text, Not(HasSubstr("Revocation:")));
}

TEST(RenderStatus, ShowsARevocationAndWhetherTheControllerConfirmedIt) {
  api::Certificate requested = MakeCertificate("shop", "frontend")
                                   .Issued(kNow - Days(1), kNow + Days(29))
                                   .RevocationRequested(api::RevocationReason::kKeyCompromise);
  EXPECT_THAT(RenderStatus(requested, {}, kNow),
              HasSubstr("Revocation:     keyCompromise, requested; not yet on the CRL\n"));
  EXPECT_THAT(RenderStatus(requested, {}, kNow), HasSubstr("State:          revoking\n"));
  api::Certificate revoked = MakeCertificate("shop", "frontend")
                                 .Issued(kNow - Days(1), kNow + Days(29))
                                 .Revoked(api::RevocationReason::kKeyCompromise, kNow - std::chrono::minutes(5));
  std::string text = RenderStatus(revoked, {}, kNow);
  EXPECT_THAT(text, HasSubstr("Revocation:     keyCompromise, revoked 2030-06-01T11:55:00Z (5m ago)\n"));
  EXPECT_THAT(text, HasSubstr("State:          revoked\n"));
  EXPECT_THAT(text, HasSubstr("  Revoked   True     Revoked"));
  EXPECT_THAT(text, HasSubstr("keyCompromise   current"));
}

TEST(RenderStatus, KeepsTheTenMostRecentEventsOfThisObjectOldestFirst) {
  nlohmann::json items = nlohmann::json::array();
  for (int i = 0; i < 14; ++i) {
    char when[48];  // room for any int: -Wformat-truncation checks the range at -O1
    std::snprintf(when, sizeof when, "2030-06-01T%02d:00:00.000000Z", i);
    items.push_back(Event("R" + std::to_string(i), "note " + std::to_string(i), when));
  }
  items.push_back(Event("OtherObject", "a deleted namesake's event", "2030-06-01T11:59:00.000000Z", "uid-old"));
  std::string text = RenderStatus(Renewed(), DecodeEvents(items), kNow);
  EXPECT_THAT(text, Not(HasSubstr("OtherObject")));
  EXPECT_THAT(text, Not(HasSubstr("note 3\n")));
  EXPECT_THAT(text, HasSubstr("note 4\n"));
  EXPECT_THAT(text, HasSubstr("note 13\n  (4 older events not shown)\n"));
  EXPECT_LT(text.find("note 4\n"), text.find("note 13\n"));
}

TEST(RenderStatus, SaysWhenEventsCouldNotBeListedOrThereAreNone) {
  EXPECT_THAT(RenderStatus(Renewed(), {}, kNow, "listing events: forbidden: no"),
              HasSubstr("Events:\n  <not available: listing events: forbidden: no>\n"));
  EXPECT_THAT(RenderStatus(Renewed(), {}, kNow), HasSubstr("Events:\n  <none>\n"));
}

TEST(RenderStatus, APendingCertificateSaysWhatIsMissing) {
  api::Certificate pending = MakeCertificate("shop", "frontend")
                                 .Condition(api::kConditionReady, api::ConditionStatus::kFalse, "PolicyViolation",
                                            "spec.dnsNames[0] \"x.evil.com\" is not allowed");
  std::string text = RenderStatus(pending, {}, kNow);
  EXPECT_THAT(text, HasSubstr("State:          pending\n"));
  EXPECT_THAT(text, HasSubstr("Serial:         <none>\n"));
  EXPECT_THAT(text, HasSubstr("Renewal time:   <none>\n"));
  EXPECT_THAT(text, HasSubstr("PolicyViolation   1h ago   spec.dnsNames[0] \"x.evil.com\" is not allowed"));
  EXPECT_THAT(text, HasSubstr("Serial history:\n  <none>\n"));
}

TEST(RenderStatus, SaysHowRevocationCanBeCheckedWhenTheCaIsKnown) {
  api::CertificateAuthority ca;
  ca.metadata.name = "issuing";
  ca.status.crl = api::CrlStatus{.number = 7, .config_map_name = "certplane-crl-issuing"};
  ca.status.ocsp = api::OcspStatus{.url = "http://certplane:8080/ocsp/issuing",
                                   .signers = {{.key_id = "0123456789abcdef", .serial_number = "5f"}}};
  std::string text = RenderStatus(Renewed(), {}, kNow, {}, &ca);
  EXPECT_THAT(text, HasSubstr("Revocation check:\n"));
  EXPECT_THAT(text, HasSubstr("openssl verify -crl_check -crl_download"));
  EXPECT_THAT(text, HasSubstr("CRL 7, ConfigMap certplane-crl-issuing"));
  EXPECT_THAT(text, HasSubstr("openssl ocsp -issuer ca.crt -cert tls.crt -CAfile ca.crt -url "
                              "http://certplane:8080/ocsp/issuing\n"));
  EXPECT_THAT(RenderStatus(Renewed(), {}, kNow), Not(HasSubstr("Revocation check")));
}

TEST(RenderStatus, ShowsHowToCheckWithTheDeltaCrlWhenTheCaPublishesOne) {
  api::CertificateAuthority ca;
  ca.status.crl = api::CrlStatus{.number = 7, .config_map_name = "certplane-crl-issuing"};
  EXPECT_THAT(RenderStatus(Renewed(), {}, kNow, {}, &ca), Not(HasSubstr("-use_deltas")));
  ca.status.crl->delta_number = 9;
  const std::string text = RenderStatus(Renewed(), {}, kNow, {}, &ca);
  EXPECT_THAT(text,
              HasSubstr("openssl verify -crl_check -use_deltas -CAfile ca.crt -CRLfile base.crl -CRLfile delta.crl"));
  EXPECT_THAT(text, HasSubstr("delta CRL 9)"));
}

constexpr const char* kArn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e";

// "sync/certificate destination synced serial": what a view shows, in one string.
std::vector<std::string> Described(const std::vector<SyncView>& views) {
  std::vector<std::string> out;
  for (const SyncView& v : views) {
    out.push_back(v.sync + "/" + v.certificate + " " + v.destination + " " + v.synced + " " +
                  (v.serial.empty() ? "-" : v.serial));
  }
  return out;
}

TEST(DecodeSyncViews, ReadsEveryEntryOfEverySyncWithItsDestinationSorted) {
  nlohmann::json items = nlohmann::json::array(
      {MakeSync("shop", "to-vault", "azureKeyVault")
           .Entry(MakeSyncEntry("frontend").Failed("PermissionDenied", "Forbidden", 3, kNow + std::chrono::minutes(4))),
       MakeSync("shop", "to-acm", "awsCertificateManager")
           .Entry(MakeSyncEntry("frontend").Pushed(kArn, "bb02", kNow - std::chrono::hours(2)))
           .Entry(MakeSyncEntry("api")),
       MakeSync("bank", "to-secrets", "awsSecretsManager").Entry(MakeSyncEntry("ledger"))});
  std::vector<SyncView> views = DecodeSyncViews(items);
  EXPECT_THAT(
      Described(views),
      ElementsAre("to-secrets/ledger awsSecretsManager Unknown -", "to-acm/api awsCertificateManager Unknown -",
                  "to-acm/frontend awsCertificateManager True bb02", "to-vault/frontend azureKeyVault False -"));
  ASSERT_EQ(views.size(), 4u);
  const SyncView& pushed = views[2];
  EXPECT_EQ(pushed.ns, "shop");
  EXPECT_EQ(pushed.certificate_uid, "uid-frontend");
  EXPECT_EQ(pushed.destination_id, kArn);
  EXPECT_EQ(pushed.reason, "Synced");
  EXPECT_EQ(pushed.synced_at, kNow - std::chrono::hours(2));
  const SyncView& failing = views[3];
  EXPECT_EQ(failing.reason, "PermissionDenied");
  EXPECT_EQ(failing.message, "Forbidden");
  EXPECT_EQ(failing.failed_attempts, 3);
  EXPECT_EQ(failing.next_attempt_time, kNow + std::chrono::minutes(4));
  EXPECT_FALSE(failing.synced_at.has_value());
}

struct MalformedCase {
  std::string name;
  nlohmann::json items;
  std::vector<std::string> want;  // Described()
};
void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name; }

class DecodeSyncViewsOfMalformedInput : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(DecodeSyncViewsOfMalformedInput, SkipsWhatItCannotReadAndKeepsTheRest) {
  EXPECT_EQ(Described(DecodeSyncViews(GetParam().items)), GetParam().want);
}

nlohmann::json GoodSync() {
  return MakeSync("shop", "to-acm", "awsCertificateManager")
      .Entry(MakeSyncEntry("frontend").Pushed(kArn, "bb02", kNow));
}
const std::string kGood = "to-acm/frontend awsCertificateManager True bb02";

nlohmann::json WithStatusCertificates(nlohmann::json certificates) {
  nlohmann::json sync = MakeSync("shop", "odd", "awsCertificateManager");
  sync["status"]["certificates"] = std::move(certificates);
  return sync;
}

nlohmann::json WithoutName() {
  nlohmann::json sync = GoodSync();
  sync["metadata"].erase("name");
  return sync;
}

nlohmann::json WithoutStatus() {
  nlohmann::json sync = GoodSync();
  sync.erase("status");
  return sync;
}

nlohmann::json WithUndecodableSpec() {
  nlohmann::json sync = GoodSync();
  sync["spec"]["awsCertificateManager"].erase("region");
  return sync;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeSyncViewsOfMalformedInput,
    ::testing::Values(
        MalformedCase{"ItemsThatAreNotAListGiveNothing", {{"items", "x"}}, {}},
        MalformedCase{
            "ASyncThatIsNotAnObjectIsSkipped", nlohmann::json::array({"a string", 42, nullptr, GoodSync()}), {kGood}},
        MalformedCase{"ASyncWithoutANameIsSkipped", nlohmann::json::array({WithoutName(), GoodSync()}), {kGood}},
        MalformedCase{"ASyncWithoutStatusHasNoEntries", nlohmann::json::array({WithoutStatus(), GoodSync()}), {kGood}},
        MalformedCase{"EntriesThatAreNotAListAreIgnored",
                      nlohmann::json::array({WithStatusCertificates("frontend"), GoodSync()}),
                      {kGood}},
        MalformedCase{
            "AnEntryThatIsNotAnObjectOrHasNoNameIsSkipped",
            nlohmann::json::array({WithStatusCertificates(nlohmann::json::array(
                {42, "api", nlohmann::json::object(), {{"name", 7}}, {{"name", ""}}, MakeSyncEntry("api")}))}),
            {"odd/api awsCertificateManager Unknown -"}},
        MalformedCase{
            "AFieldOfTheWrongTypeReadsAsAbsent",
            nlohmann::json::array({WithStatusCertificates(nlohmann::json::array({MakeSyncEntry("api")
                                                                                     .Set("synced", true)
                                                                                     .Set("serialNumber", 5)
                                                                                     .Set("failedAttempts", "3")
                                                                                     .Set("syncedAt", "yesterday")}))}),
            {"odd/api awsCertificateManager Unknown -"}},
        MalformedCase{"ASpecThatDoesNotDecodeKeepsItsEntriesWithAnUnknownDestination",
                      nlohmann::json::array({WithUndecodableSpec()}),
                      {"to-acm/frontend unknown True bb02"}},
        MalformedCase{
            "ADestinationThisPluginDoesNotKnowIsUnknown",
            nlohmann::json::array({MakeSync("shop", "to-gcp", "gcpSecretManager").Entry(MakeSyncEntry("frontend"))}),
            {"to-gcp/frontend unknown Unknown -"}}),
    [](const ::testing::TestParamInfo<MalformedCase>& info) { return info.param.name; });

TEST(DecodeSyncViews, AWrongTypedFieldDoesNotCrashAndReadsAsItsDefault) {
  std::vector<SyncView> views = DecodeSyncViews(nlohmann::json::array({WithStatusCertificates(
      nlohmann::json::array({MakeSyncEntry("api").Set("failedAttempts", 1e12).Set("nextAttemptTime", 5)}))}));
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].failed_attempts, 0) << "a float is not an attempt count";
  EXPECT_FALSE(views[0].next_attempt_time.has_value());
  views = DecodeSyncViews(nlohmann::json::array(
      {WithStatusCertificates(nlohmann::json::array({MakeSyncEntry("api").Set("failedAttempts", 99999999999LL)}))}));
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].failed_attempts, std::numeric_limits<std::int32_t>::max());
}

TEST(DecodeSyncViews, KeepsTheEntriesForThisCertificateByNameAndByUidWhenBothHaveOne) {
  nlohmann::json items = nlohmann::json::array(
      {MakeSync("shop", "a-current", "awsCertificateManager").Entry(MakeSyncEntry("frontend")),
       MakeSync("shop", "b-namesake", "awsCertificateManager").Entry(MakeSyncEntry("frontend").Uid("uid-deleted")),
       MakeSync("shop", "c-no-uid-yet", "azureKeyVault").Entry(MakeSyncEntry("frontend").Uid("")),
       MakeSync("shop", "d-other", "awsSecretsManager").Entry(MakeSyncEntry("api"))});
  std::vector<std::string> syncs;
  for (const SyncView& v : DecodeSyncViews(items, "frontend", "uid-frontend")) syncs.push_back(v.sync);
  EXPECT_THAT(syncs, ElementsAre("a-current", "c-no-uid-yet"));
  syncs.clear();
  for (const SyncView& v : DecodeSyncViews(items, "frontend", "")) syncs.push_back(v.sync);
  EXPECT_THAT(syncs, ElementsAre("a-current", "b-namesake", "c-no-uid-yet")) << "no uid to tell namesakes apart";
}

SyncListing ToAcmAndToVault() {
  nlohmann::json items = nlohmann::json::array(
      {MakeSync("shop", "to-acm", "awsCertificateManager")
           .Entry(MakeSyncEntry("frontend").Pushed(kArn, "bb02", kNow - std::chrono::hours(2))),
       MakeSync("shop", "to-vault", "azureKeyVault")
           .Entry(MakeSyncEntry("frontend")
                      .Failed("PermissionDenied", "Forbidden: the caller does not have secrets/set permission", 3,
                              kNow + std::chrono::minutes(4)))});
  return {.views = DecodeSyncViews(items, "frontend", "uid-frontend")};
}

TEST(RenderStatus, ShowsEachSyncWithItsDestinationIdPushedSerialAndWhyOneFails) {
  const std::string text = RenderStatus(Renewed(), {}, kNow, {}, nullptr, ToAcmAndToVault());
  EXPECT_THAT(text, HasSubstr("Syncs:\n"
                              "  SYNC       DESTINATION             ID                                                 "
                              "   SERIAL   SYNCED                     AT\n"
                              "  to-acm     awsCertificateManager   arn:aws:acm:eu-west-1:123456789012:certificate/0f1e"
                              "   bb02     True                       2030-06-01T10:00:00Z\n"
                              "  to-vault   azureKeyVault           -                                                  "
                              "   -        False (PermissionDenied)   -\n"
                              "  to-vault: Forbidden: the caller does not have secrets/set permission (3 failed "
                              "attempts, next in 4m)\n"
                              "\nEvents:\n"));
  EXPECT_LT(text.find("Serial history:"), text.find("Syncs:"));
}

TEST(RenderStatus, SaysWhenASyncHoldsAnOlderSerialThanTheCurrentOne) {
  nlohmann::json items = nlohmann::json::array({MakeSync("shop", "to-acm", "awsCertificateManager")
                                                    .Entry(MakeSyncEntry("frontend").Pushed(kArn, "aa01", kNow))});
  const std::string text =
      RenderStatus(Renewed(), {}, kNow, {}, nullptr, {.views = DecodeSyncViews(items, "frontend", "uid-frontend")});
  EXPECT_THAT(text, HasSubstr("   aa01     True (stale serial)   2030-06-01T12:00:00Z\n"));
}

TEST(RenderStatus, LeavesOutSyncEntriesForAnotherCertificate) {
  SyncListing syncs = ToAcmAndToVault();
  syncs.views[0].certificate = "api";
  syncs.views[1].certificate_uid = "uid-deleted";
  EXPECT_THAT(RenderStatus(Renewed(), {}, kNow, {}, nullptr, syncs), HasSubstr("Syncs:\n  <none>\n"));
}

TEST(RenderStatus, SaysWhenSyncsCouldNotBeListedOrThereAreNone) {
  EXPECT_THAT(RenderStatus(Renewed(), {}, kNow, {}, nullptr,
                           {.error = "listing certificatesyncs in namespace shop: forbidden: no"}),
              HasSubstr("Syncs:\n  <not available: listing certificatesyncs in namespace shop: forbidden: no>\n"
                        "\nEvents:\n"));
  EXPECT_THAT(RenderStatus(Renewed(), {}, kNow), HasSubstr("Syncs:\n  <none>\n"));
}

}  // namespace
}  // namespace certplane::plugin

#include "status_view.h"

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
    char when[32];
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

}  // namespace
}  // namespace certplane::plugin

#include "reconcile/operator_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/condition.h"

namespace certplane::reconcile {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<const api::Certificate> Cert(const std::string& ns, const std::string& name,
                                             std::optional<api::ConditionStatus> ready) {
  api::Certificate c;
  c.metadata.ns = ns;
  c.metadata.name = name;
  c.spec.profile_ref.name = "web";
  if (ready) {
    c.status.ca_name = "example-issuing";
    c.status.conditions = {api::MakeCondition(api::kConditionReady, *ready, "Ready", "valid", 1)};
    c.status.not_after = api::Time(std::chrono::seconds(1767225600));
    c.status.renewal_time = api::Time(std::chrono::seconds(1765000000));
  }
  return std::make_shared<const api::Certificate>(std::move(c));
}

TEST(OperatorMetrics, PerCertificateSeriesAreReadFromTheCertificatesAtEachScrape) {
  metrics::MetricsRegistry registry;
  OperatorMetrics metrics(registry);
  std::vector<std::shared_ptr<const api::Certificate>> cached = {Cert("shop", "frontend", api::ConditionStatus::kTrue)};
  metrics.CollectCertificates([&cached](const auto& visit) {
    for (const auto& c : cached) visit(c);
  });
  std::string out = registry.Render();
  const std::string labels = "name=\"frontend\",namespace=\"shop\",issuer_name=\"example-issuing\",profile=\"web\"";
  EXPECT_THAT(out, HasSubstr("certplane_certificate_expiration_timestamp_seconds{" + labels + "} 1767225600\n"));
  EXPECT_THAT(out, HasSubstr("certplane_certificate_renewal_timestamp_seconds{" + labels + "} 1765000000\n"));
  EXPECT_THAT(out, HasSubstr("certplane_certificate_ready_status{" + labels +
                             ",condition=\"False\"} 0\n"
                             "certplane_certificate_ready_status{" +
                             labels +
                             ",condition=\"True\"} 1\n"
                             "certplane_certificate_ready_status{" +
                             labels + ",condition=\"Unknown\"} 0\n"));
  cached.clear();  // deleted: its series go with it
  EXPECT_THAT(registry.Render(), Not(HasSubstr("frontend")));
}

TEST(OperatorMetrics, ACertificateWithoutStatusIsReadyUnknownWithNoTimes) {
  metrics::MetricsRegistry registry;
  OperatorMetrics metrics(registry);
  metrics.CollectCertificates([](const auto& visit) { visit(Cert("shop", "new", std::nullopt)); });
  std::string out = registry.Render();
  EXPECT_THAT(out, HasSubstr("certplane_certificate_ready_status{name=\"new\",namespace=\"shop\",issuer_name=\"\","
                             "profile=\"web\",condition=\"Unknown\"} 1\n"));
  EXPECT_THAT(out, Not(HasSubstr("certplane_certificate_expiration_timestamp_seconds{")));
  EXPECT_THAT(out, Not(HasSubstr("certplane_certificate_renewal_timestamp_seconds{")));
}

TEST(OperatorMetrics, SeriesComeInTheOrderTheSourceVisits) {
  metrics::MetricsRegistry registry;
  OperatorMetrics metrics(registry);
  metrics.CollectCertificates([](const auto& visit) {
    visit(Cert("a", "y", api::ConditionStatus::kTrue));
    visit(Cert("b", "x", api::ConditionStatus::kTrue));
  });
  std::string out = registry.Render();
  auto at = [&out](const std::string& ns, const std::string& name) {
    return out.find("certplane_certificate_expiration_timestamp_seconds{name=\"" + name + "\",namespace=\"" + ns +
                    "\"");
  };
  ASSERT_NE(at("a", "y"), std::string::npos);
  EXPECT_LT(at("a", "y"), at("b", "x"));
}

TEST(OperatorMetrics, NoSourceNoPerCertificateSeries) {
  metrics::MetricsRegistry registry;
  OperatorMetrics metrics(registry);
  metrics.CollectCertificates([](const auto& visit) { visit(Cert("shop", "frontend", api::ConditionStatus::kTrue)); });
  metrics.CollectCertificates(nullptr);  // no longer leading
  std::string out = registry.Render();
  EXPECT_THAT(out, HasSubstr("# TYPE certplane_certificate_ready_status gauge\n"));
  EXPECT_THAT(out, Not(HasSubstr("frontend")));
}

std::shared_ptr<const api::CertificateAuthority> Ca(const std::string& name, bool has_crl) {
  api::CertificateAuthority ca;
  ca.metadata.name = name;
  if (has_crl) {
    api::CrlStatus crl;
    crl.this_update = api::Time(std::chrono::seconds(1767225600));
    crl.next_update = api::Time(std::chrono::seconds(1767312000));
    ca.status.crl = crl;
  }
  return std::make_shared<const api::CertificateAuthority>(std::move(ca));
}

TEST(OperatorMetrics, CrlTimesAreReadFromTheCertificateAuthoritiesAtEachScrape) {
  metrics::MetricsRegistry registry;
  OperatorMetrics metrics(registry);
  std::vector<std::shared_ptr<const api::CertificateAuthority>> cached = {Ca("example-issuing", true),
                                                                          Ca("not-published-yet", false)};
  metrics.CollectCertificateAuthorities([&cached](const auto& visit) {
    for (const auto& ca : cached) visit(ca);
  });
  std::string out = registry.Render();
  EXPECT_THAT(out, HasSubstr("certplane_crl_this_update_timestamp_seconds{name=\"example-issuing\"} 1767225600\n"));
  EXPECT_THAT(out, HasSubstr("certplane_crl_next_update_timestamp_seconds{name=\"example-issuing\"} 1767312000\n"));
  // A CA without a CRL yet has no series, rather than a nextUpdate of 1970 that would
  // look like an expired CRL.
  EXPECT_THAT(out, Not(HasSubstr("not-published-yet")));
  cached.clear();
  EXPECT_THAT(registry.Render(), Not(HasSubstr("example-issuing")));

  metrics.CollectCertificateAuthorities([](const auto& visit) { visit(Ca("example-issuing", true)); });
  metrics.CollectCertificateAuthorities(nullptr);  // no longer leading
  out = registry.Render();
  EXPECT_THAT(out, HasSubstr("# TYPE certplane_crl_next_update_timestamp_seconds gauge\n"));
  EXPECT_THAT(out, Not(HasSubstr("example-issuing")));
}

TEST(OperatorMetrics, TheLeaderStatusIsZeroUntilTheControllersRunAndZeroAgainAfter) {
  metrics::MetricsRegistry registry;
  OperatorMetrics metrics(registry);
  EXPECT_THAT(registry.Render(), HasSubstr("# TYPE certplane_leader_election_status gauge\n"
                                           "certplane_leader_election_status 0\n"));
  metrics.Leading(true);
  EXPECT_THAT(registry.Render(), HasSubstr("\ncertplane_leader_election_status 1\n"));
  metrics.Leading(false);
  EXPECT_THAT(registry.Render(), HasSubstr("\ncertplane_leader_election_status 0\n"));
}

}  // namespace
}  // namespace certplane::reconcile

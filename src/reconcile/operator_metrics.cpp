#include "reconcile/operator_metrics.h"

#include "api/condition.h"

namespace certplane::reconcile {
namespace {

const std::vector<std::string> kCertLabels = {"name", "namespace", "issuer_name", "profile"};

double Seconds(api::Time t) { return static_cast<double>(t.time_since_epoch().count()); }

metrics::LabelValues LabelsOf(const api::Certificate& c) {
  return {c.metadata.name, c.metadata.ns, c.status.ca_name, c.spec.profile_ref.name};
}

}  // namespace

OperatorMetrics::OperatorMetrics(metrics::MetricsRegistry& registry)
    : expiration_(registry.GaugeFunc("certplane_certificate_expiration_timestamp_seconds",
                                     "The date after which the certificate expires, in seconds since the Unix epoch.",
                                     kCertLabels,
                                     [this](const metrics::MetricFamily::Emit& emit) {
                                       ForEachCertificate([&emit](const auto& c) {
                                         if (c->status.not_after) emit(LabelsOf(*c), Seconds(*c->status.not_after));
                                       });
                                     })),
      renewal_(registry.GaugeFunc("certplane_certificate_renewal_timestamp_seconds",
                                  "The time at which the certificate will be renewed, in seconds since the Unix epoch.",
                                  kCertLabels,
                                  [this](const metrics::MetricFamily::Emit& emit) {
                                    ForEachCertificate([&emit](const auto& c) {
                                      if (c->status.renewal_time) emit(LabelsOf(*c), Seconds(*c->status.renewal_time));
                                    });
                                  })),
      ready_(registry.GaugeFunc(
          "certplane_certificate_ready_status",
          "The Ready condition of the certificate: 1 for the status it has, 0 for the others.",
          {"name", "namespace", "issuer_name", "profile", "condition"},
          [this](const metrics::MetricFamily::Emit& emit) {
            ForEachCertificate([&emit](const auto& c) {
              const api::Condition* ready = api::FindCondition(c->status.conditions, api::kConditionReady);
              const std::string_view status = ready ? api::ToString(ready->status) : "Unknown";
              metrics::LabelValues labels = LabelsOf(*c);
              labels.emplace_back();
              for (const char* condition : {"False", "True", "Unknown"}) {  // the order the series sort in
                labels.back() = condition;
                emit(labels, status == condition ? 1 : 0);
              }
            });
          })),
      issuances_(registry.Counter("certplane_certificate_issuances_total",
                                  "Certificates signed, by profile and the reason they were (re)issued.",
                                  {"profile", "reason"})),
      failures_(registry.Counter("certplane_certificate_issuance_failures_total",
                                 "Issuances that failed or were refused, by profile and reason.",
                                 {"profile", "reason"})),
      reconcile_(registry.Histogram("certplane_reconcile_duration_seconds", "Time taken by one reconcile.",
                                    {"controller"}, metrics::DefaultLatencyBuckets())),
      depth_(registry.Gauge("certplane_workqueue_depth", "Keys waiting in a work queue.", {"name"})),
      api_requests_(registry.Counter("certplane_kube_api_requests_total",
                                     "Requests to the Kubernetes API server, by HTTP method and status code "
                                     "(0: no response).",
                                     {"method", "code"})),
      sync_pushes_(registry.Counter("certplane_certificate_sync_pushes_total",
                                    "Certificates pushed to an external key store, by destination kind.",
                                    {"destination"})),
      sync_failures_(registry.Counter("certplane_certificate_sync_failures_total",
                                      "Pushes and removals that failed, by destination kind and reason.",
                                      {"destination", "reason"})),
      leader_(registry.Gauge("certplane_leader_election_status",
                             "1 while this replica holds the leader Lease and runs the controllers, else 0.", {})) {
  leader_.Set({}, 0);
  // CRLs whose nextUpdate comes close have not been refreshed: the alert compares the
  // time left with the CRL's own validity (next - this), so it fits every CA's spec.crl.
  // One gauge per CRL time, both read from status.crl at scrape time.
  const auto crl_time = [this](std::optional<api::Time> api::CrlStatus::*field) {
    return [this, field](const metrics::MetricFamily::Emit& emit) {
      ForEachCertificateAuthority([&emit, field](const auto& ca) {
        if (!ca->status.crl) return;
        if (const std::optional<api::Time>& time = (*ca->status.crl).*field) emit({ca->metadata.name}, Seconds(*time));
      });
    };
  };
  registry.GaugeFunc("certplane_crl_this_update_timestamp_seconds",
                     "Per CertificateAuthority, the latest thisUpdate of its CRL shards, in seconds since the Unix "
                     "epoch.",
                     {"name"}, crl_time(&api::CrlStatus::this_update));
  registry.GaugeFunc("certplane_crl_next_update_timestamp_seconds",
                     "Per CertificateAuthority, the earliest nextUpdate of its CRL shards, in seconds since the Unix "
                     "epoch.",
                     {"name"}, crl_time(&api::CrlStatus::next_update));
  registry.GaugeFunc("certplane_certificate_sync_unsynced_age_seconds",
                     "Per CertificateSync, how long the oldest issuance it has not pushed yet has waited (0: none).",
                     {"namespace", "name"}, [this](const metrics::MetricFamily::Emit& emit) {
                       SyncLagSource source;
                       {
                         std::lock_guard lock(mu_);
                         source = sync_lag_;
                       }
                       if (source) source(emit);
                     });
}

void OperatorMetrics::CollectSyncLag(SyncLagSource source) {
  std::lock_guard lock(mu_);
  sync_lag_ = std::move(source);
}

void OperatorMetrics::CollectCertificates(CertificateSource source) {
  std::lock_guard lock(mu_);
  source_ = std::move(source);
}

void OperatorMetrics::CollectCertificateAuthorities(CaSource source) {
  std::lock_guard lock(mu_);
  ca_source_ = std::move(source);
}

void OperatorMetrics::ForEachCertificateAuthority(const CaVisitor& visit) const {
  CaSource source;
  {
    std::lock_guard lock(mu_);
    source = ca_source_;
  }
  if (source) source(visit);
}

void OperatorMetrics::ForEachCertificate(const CertificateVisitor& visit) const {
  CertificateSource source;
  {
    std::lock_guard lock(mu_);
    source = source_;
  }
  if (source) source(visit);
}

}  // namespace certplane::reconcile

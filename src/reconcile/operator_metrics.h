// The operator's Prometheus metrics, named like cert-manager's so that existing
// dashboards and alerts carry over (certmanager_ -> certplane_):
//
//   certplane_certificate_expiration_timestamp_seconds{name,namespace,issuer_name,profile}
//   certplane_certificate_renewal_timestamp_seconds{name,namespace,issuer_name,profile}
//   certplane_certificate_ready_status{name,namespace,issuer_name,profile,condition}
//   certplane_certificate_issuances_total{profile,reason}
//   certplane_certificate_issuance_failures_total{profile,reason}
//   certplane_reconcile_duration_seconds{controller}      (histogram)
//   certplane_workqueue_depth{name}
//   certplane_kube_api_requests_total{method,code}          (client-go's rest_client_requests_total)
//   certplane_certificate_sync_pushes_total{destination}
//   certplane_certificate_sync_failures_total{destination,reason}
//   certplane_certificate_sync_unsynced_age_seconds{namespace,name}  (per CertificateSync: how
//       long the oldest issuance it has not pushed yet has waited; 0 when all are pushed)
//   certplane_crl_this_update_timestamp_seconds{name}   (per CertificateAuthority: its CRL's
//   certplane_crl_next_update_timestamp_seconds{name}    thisUpdate and nextUpdate, status.crl)
//   certplane_leader_election_status                    (1 while this replica leads, else 0)
//
// The three per-certificate families are computed at each scrape from the Certificate
// cache (like cert-manager's certificate collector), so 10,000 certificates cost no
// stored series: issuer_name is status.caName, profile spec.profileRef, and the values
// come from status. They are exported while the controllers run (CollectCertificates),
// that is by the leader, visiting the cached Certificates one at a time. The CRL families
// are read the same way from the CertificateAuthorities (CollectCertificateAuthorities),
// so exactly one replica exports them, and the leader status says which one that is.
//
//   OperatorMetrics metrics(registry);
//   metrics.CollectCertificates([&caches](const auto& visit) { caches.ForEachCertificate(visit); });
//   metrics.CollectCertificates(nullptr);   // no per-certificate series
//   metrics.Leading(true);                   // the controllers run here now
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/certificate.h"
#include "api/certificate_authority.h"
#include "metrics/metrics.h"

namespace certplane::reconcile {

class OperatorMetrics {
 public:
  explicit OperatorMetrics(metrics::MetricsRegistry& registry);

  using CertificateVisitor = std::function<void(const std::shared_ptr<const api::Certificate>&)>;
  // Calls its argument with every Certificate, in the order the series are rendered.
  using CertificateSource = std::function<void(const CertificateVisitor&)>;
  // Where the per-certificate series come from at each scrape; nullptr: none.
  void CollectCertificates(CertificateSource source);

  using CaVisitor = std::function<void(const std::shared_ptr<const api::CertificateAuthority>&)>;
  using CaSource = std::function<void(const CaVisitor&)>;
  // Where the per-CA CRL series come from at each scrape; nullptr: none.
  void CollectCertificateAuthorities(CaSource source);

  // Whether this replica runs the controllers (holds the leader Lease). A replica
  // starts at 0, so "no replica reports 1" means nobody reconciles.
  void Leading(bool leading) { leader_.Set({}, leading ? 1 : 0); }

  void Issued(const std::string& profile, std::string_view reason) { issuances_.Add({profile, std::string(reason)}); }
  void IssuanceFailed(const std::string& profile, std::string_view reason) {
    failures_.Add({profile, std::string(reason)});
  }
  void ReconcileTook(const std::string& controller, double seconds) { reconcile_.Observe({controller}, seconds); }
  void QueueDepth(const std::string& queue, double depth) { depth_.Set({queue}, depth); }
  void SyncPushed(const std::string& destination) { sync_pushes_.Add({destination}); }
  void SyncPushFailed(const std::string& destination, std::string_view reason) {
    sync_failures_.Add({destination, std::string(reason)});
  }
  // Where the unsynced ages come from at each scrape (the leader sets it); nullptr: none.
  using SyncLagSource = std::function<void(const metrics::MetricFamily::Emit& emit)>;
  void CollectSyncLag(SyncLagSource source);

  // For kube::ClientOptions::on_response.
  void ApiRequest(const std::string& method, int code) { api_requests_.Add({method, std::to_string(code)}); }

 private:
  // Calls `visit` with each Certificate of the source; none without one.
  void ForEachCertificate(const CertificateVisitor& visit) const;
  // Calls `visit` with each CertificateAuthority of the source; none without one.
  void ForEachCertificateAuthority(const CaVisitor& visit) const;

  metrics::MetricFamily& expiration_;
  metrics::MetricFamily& renewal_;
  metrics::MetricFamily& ready_;
  metrics::MetricFamily& issuances_;
  metrics::MetricFamily& failures_;
  metrics::MetricFamily& reconcile_;
  metrics::MetricFamily& depth_;
  metrics::MetricFamily& api_requests_;
  metrics::MetricFamily& sync_pushes_;
  metrics::MetricFamily& sync_failures_;
  metrics::MetricFamily& leader_;
  mutable std::mutex mu_;
  CertificateSource source_;  // guarded by mu_
  CaSource ca_source_;        // guarded by mu_
  SyncLagSource sync_lag_;    // guarded by mu_
};

}  // namespace certplane::reconcile

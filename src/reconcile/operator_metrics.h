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
#pragma once

#include <string>

#include "api/certificate.h"
#include "http/metrics.h"

namespace certplane::reconcile {

class OperatorMetrics {
 public:
  explicit OperatorMetrics(http::MetricsRegistry& registry);

  // Sets the per-certificate series from its status (expiry, renewal, readiness).
  void ObserveCertificate(const api::Certificate& cert, const std::string& ca_name);
  // Drops them when the Certificate is deleted.
  void ForgetCertificate(const std::string& ns, const std::string& name);

  void Issued(const std::string& profile, std::string_view reason) { issuances_.Add({profile, std::string(reason)}); }
  void IssuanceFailed(const std::string& profile, std::string_view reason) {
    failures_.Add({profile, std::string(reason)});
  }
  void ReconcileTook(const std::string& controller, double seconds) { reconcile_.Observe({controller}, seconds); }
  void QueueDepth(const std::string& queue, double depth) { depth_.Set({queue}, depth); }
  // For kube::ClientOptions::on_response.
  void ApiRequest(const std::string& method, int code) { api_requests_.Add({method, std::to_string(code)}); }

 private:
  struct Labels {
    std::string issuer, profile;
  };
  http::MetricFamily& expiration_;
  http::MetricFamily& renewal_;
  http::MetricFamily& ready_;
  http::MetricFamily& issuances_;
  http::MetricFamily& failures_;
  http::MetricFamily& reconcile_;
  http::MetricFamily& depth_;
  http::MetricFamily& api_requests_;
  std::mutex mu_;
  std::map<std::string, Labels> labels_;  // guarded by mu_; by ns/name, to remove old series
};

}  // namespace certplane::reconcile

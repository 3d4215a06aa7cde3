#include "reconcile/operator_metrics.h"

#include "api/condition.h"

namespace certplane::reconcile {
namespace {

const std::vector<std::string> kCertLabels = {"name", "namespace", "issuer_name", "profile"};

double Seconds(api::Time t) { return static_cast<double>(t.time_since_epoch().count()); }

}  // namespace

OperatorMetrics::OperatorMetrics(http::MetricsRegistry& registry)
    : expiration_(registry.Gauge("certplane_certificate_expiration_timestamp_seconds",
                                 "The date after which the certificate expires, in seconds since the Unix epoch.",
                                 kCertLabels)),
      renewal_(registry.Gauge("certplane_certificate_renewal_timestamp_seconds",
                              "The time at which the certificate will be renewed, in seconds since the Unix epoch.",
                              kCertLabels)),
      ready_(registry.Gauge("certplane_certificate_ready_status",
                            "The Ready condition of the certificate: 1 for the status it has, 0 for the others.",
                            {"name", "namespace", "issuer_name", "profile", "condition"})),
      issuances_(registry.Counter("certplane_certificate_issuances_total",
                                  "Certificates signed, by profile and the reason they were (re)issued.",
                                  {"profile", "reason"})),
      failures_(registry.Counter("certplane_certificate_issuance_failures_total",
                                 "Issuances that failed or were refused, by profile and reason.",
                                 {"profile", "reason"})),
      reconcile_(registry.Histogram("certplane_reconcile_duration_seconds", "Time taken by one reconcile.",
                                    {"controller"}, http::DefaultLatencyBuckets())),
      depth_(registry.Gauge("certplane_workqueue_depth", "Keys waiting in a work queue.", {"name"})),
      api_requests_(registry.Counter("certplane_kube_api_requests_total",
                                     "Requests to the Kubernetes API server, by HTTP method and status code "
                                     "(0: no response).",
                                     {"method", "code"})) {}

void OperatorMetrics::ObserveCertificate(const api::Certificate& cert, const std::string& ca_name) {
  const std::string& ns = cert.metadata.ns;
  const std::string& name = cert.metadata.name;
  const std::string& profile = cert.spec.profile_ref.name;
  {
    std::lock_guard lock(mu_);
    auto it = labels_.find(ns + "/" + name);
    if (it != labels_.end() && (it->second.issuer != ca_name || it->second.profile != profile)) {
      expiration_.Remove({name, ns, it->second.issuer, it->second.profile});
      renewal_.Remove({name, ns, it->second.issuer, it->second.profile});
      for (const char* c : {"True", "False", "Unknown"}) ready_.Remove({name, ns, it->second.issuer, it->second.profile, c});
    }
    labels_[ns + "/" + name] = Labels{ca_name, profile};
  }
  const std::vector<std::string> l = {name, ns, ca_name, profile};
  if (cert.status.not_after) expiration_.Set(l, Seconds(*cert.status.not_after));
  if (cert.status.renewal_time) {
    renewal_.Set(l, Seconds(*cert.status.renewal_time));
  } else {
    renewal_.Remove(l);
  }
  const api::Condition* ready = api::FindCondition(cert.status.conditions, api::kConditionReady);
  std::string status = ready ? std::string(api::ToString(ready->status)) : "Unknown";
  for (const char* c : {"True", "False", "Unknown"}) ready_.Set({name, ns, ca_name, profile, c}, status == c ? 1 : 0);
}

void OperatorMetrics::ForgetCertificate(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = labels_.find(ns + "/" + name);
  if (it == labels_.end()) return;
  expiration_.Remove({name, ns, it->second.issuer, it->second.profile});
  renewal_.Remove({name, ns, it->second.issuer, it->second.profile});
  for (const char* c : {"True", "False", "Unknown"}) ready_.Remove({name, ns, it->second.issuer, it->second.profile, c});
  labels_.erase(it);
}

}  // namespace certplane::reconcile

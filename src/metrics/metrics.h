// Metrics: a small Prometheus registry and its text exposition format (version 0.0.4).
//
// Families are declared once, at start-up, with a name, help text and label names;
// samples are then set or added by label values from any thread. Render() produces
// the body of GET /metrics.
//
//   MetricsRegistry registry;
//   auto& issued = registry.Counter("certplane_certificate_issuances_total",
//                                   "Certificates issued, by profile and reason.",
//                                   {"profile", "reason"});
//   issued.Add({"web", "Renewing"});
//   auto& expiry = registry.Gauge("certplane_certificate_expiration_timestamp_seconds",
//                                 "The date after which the certificate expires.",
//                                 {"namespace", "name", "issuer_name"});
//   expiry.Set({"shop", "frontend", "example-issuing"}, 1.7e9);
//   expiry.Remove({"shop", "frontend", "example-issuing"});   // when the object goes
//   std::string body = registry.Render();
//
// A family with a series per object (a gauge per certificate) need not store them:
// GaugeFunc computes its samples at each Render from state kept elsewhere (the
// informer cache), as cert-manager's certificate collector does.
//
//   registry.GaugeFunc("certplane_certificate_ready_status", "...", {"name", "namespace"},
//                      [&](const MetricFamily::Emit& emit) {
//                        for (const auto& c : certificates) emit({c.name, c.ns}, 1);
//                      });
//
// Declaring a family twice with the same name returns the first one when the type and
// labels agree; anything else is a programming error and throws std::logic_error at
// start-up, where it is found at once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace certplane::metrics {

using LabelValues = std::vector<std::string>;

enum class MetricType { kCounter, kGauge, kHistogram };

class MetricFamily {
 public:
  // For collected families (GaugeFunc): called with one sample at a time.
  using Emit = std::function<void(const LabelValues& labels, double value)>;
  using Collect = std::function<void(const Emit& emit)>;

  MetricFamily(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
               std::vector<double> buckets = {}, Collect collect = nullptr);

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Counter: adds delta (>= 0; negative deltas are ignored, counters never go down).
  void Add(const LabelValues& labels, double delta = 1);
  // Gauge: sets the value.
  void Set(const LabelValues& labels, double value);
  // Histogram: records one observation.
  void Observe(const LabelValues& labels, double value);
  // Drops one series, e.g. when the object it describes is deleted.
  void Remove(const LabelValues& labels);
  // The current value of a counter or gauge series; 0 when absent. For tests and
  // for callers that derive one metric from another.
  double Value(const LabelValues& labels) const;

  // The stored series, then (for a collected family) the collected samples. A
  // collected sample with the wrong number of label values is skipped.
  void RenderTo(std::string& out) const;

 private:
  struct Series {
    double value = 0;                     // counter or gauge
    std::vector<uint64_t> bucket_counts;  // histogram, cumulative at render time
    double sum = 0;
    uint64_t count = 0;
  };
  Series& SeriesFor(const LabelValues& labels);  // requires mu_ held

  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;
  const Collect collect_;  // null unless collected (GaugeFunc)

  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_;  // guarded by mu_
};

class MetricsRegistry {
 public:
  MetricFamily& Counter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  MetricFamily& Gauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  // Buckets are upper bounds in ascending order; +Inf is implied.
  MetricFamily& Histogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                          std::vector<double> buckets);
  // A gauge whose samples `collect` computes at each Render (see the header). It must
  // be thread-safe and must not call back into the registry. Declaring the name again
  // is a logic_error: a second function would be silently ignored.
  MetricFamily& GaugeFunc(const std::string& name, const std::string& help, std::vector<std::string> labels,
                          MetricFamily::Collect collect);

  std::string Render() const;

 private:
  MetricFamily& Declare(const std::string& name, const std::string& help, MetricType type,
                        std::vector<std::string> labels, std::vector<double> buckets,
                        MetricFamily::Collect collect = nullptr);

  mutable std::mutex mu_;
  // Families live as long as the registry and never move, so references stay valid.
  std::map<std::string, std::unique_ptr<MetricFamily>> families_;  // guarded by mu_
};

// Escapes a label value for the exposition format (backslash, quote, newline).
std::string EscapeLabelValue(const std::string& value);

// Default latency buckets in seconds, from 1 ms to 60 s.
std::vector<double> DefaultLatencyBuckets();

}  // namespace certplane::metrics

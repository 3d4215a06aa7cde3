#include "metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace certplane::metrics {
namespace {

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // %.17g round-trips a double; integers print without a fraction.
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

void AppendLabels(std::string& out, const std::vector<std::string>& names, const LabelValues& values,
                  const std::string* extra_name = nullptr, const std::string* extra_value = nullptr) {
  if (names.empty() && extra_name == nullptr) return;
  out += '{';
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out += '"';
  }
  if (extra_name != nullptr) {
    if (!first) out += ',';
    out += *extra_name;
    out += "=\"";
    out += *extra_value;
    out += '"';
  }
  out += '}';
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

MetricFamily::MetricFamily(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
                           std::vector<double> buckets, Collect collect)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)),
      collect_(std::move(collect)) {}

MetricFamily::Series& MetricFamily::SeriesFor(const LabelValues& labels) {
  if (labels.size() != label_names_.size()) {
    throw std::logic_error("metric " + name_ + ": expected " + std::to_string(label_names_.size()) +
                           " label values, got " + std::to_string(labels.size()));
  }
  auto [it, inserted] = series_.try_emplace(labels);
  if (inserted && type_ == MetricType::kHistogram) it->second.bucket_counts.assign(buckets_.size(), 0);
  return it->second;
}

void MetricFamily::Add(const LabelValues& labels, double delta) {
  if (delta < 0 && type_ == MetricType::kCounter) return;
  std::lock_guard lock(mu_);
  SeriesFor(labels).value += delta;
}

void MetricFamily::Set(const LabelValues& labels, double value) {
  std::lock_guard lock(mu_);
  SeriesFor(labels).value = value;
}

void MetricFamily::Observe(const LabelValues& labels, double value) {
  std::lock_guard lock(mu_);
  Series& s = SeriesFor(labels);
  // Buckets are stored non-cumulatively and summed at render time, so an observation
  // costs one increment, not one per bucket.
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), value);
  if (it != buckets_.end()) ++s.bucket_counts[static_cast<size_t>(it - buckets_.begin())];
  s.sum += value;
  ++s.count;
}

void MetricFamily::Remove(const LabelValues& labels) {
  std::lock_guard lock(mu_);
  series_.erase(labels);
}

double MetricFamily::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.value;
}

void MetricFamily::RenderTo(std::string& out) const {
  std::lock_guard lock(mu_);
  out += "# HELP " + name_ + " " + help_ + "\n";
  out += "# TYPE " + name_ + " " + std::string(TypeName(type_)) + "\n";
  for (const auto& [labels, s] : series_) {
    if (type_ != MetricType::kHistogram) {
      out += name_;
      AppendLabels(out, label_names_, labels);
      out += ' ' + FormatValue(s.value) + '\n';
      continue;
    }
    static const std::string kLe = "le";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      cumulative += s.bucket_counts[i];
      std::string bound = FormatValue(buckets_[i]);
      out += name_ + "_bucket";
      AppendLabels(out, label_names_, labels, &kLe, &bound);
      out += ' ' + std::to_string(cumulative) + '\n';
    }
    std::string inf = "+Inf";
    out += name_ + "_bucket";
    AppendLabels(out, label_names_, labels, &kLe, &inf);
    out += ' ' + std::to_string(s.count) + '\n';
    out += name_ + "_sum";
    AppendLabels(out, label_names_, labels);
    out += ' ' + FormatValue(s.sum) + '\n';
    out += name_ + "_count";
    AppendLabels(out, label_names_, labels);
    out += ' ' + std::to_string(s.count) + '\n';
  }
  if (collect_) {
    collect_([&](const LabelValues& labels, double value) {
      if (labels.size() != label_names_.size()) return;
      out += name_;
      AppendLabels(out, label_names_, labels);
      out += ' ' + FormatValue(value) + '\n';
    });
  }
}

MetricFamily& MetricsRegistry::Declare(const std::string& name, const std::string& help, MetricType type,
                                       std::vector<std::string> labels, std::vector<double> buckets,
                                       MetricFamily::Collect collect) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end() && collect) throw std::logic_error("metric " + name + " declared twice");
  if (it != families_.end()) {
    if (it->second->type() != type || it->second->label_names() != labels) {
      throw std::logic_error("metric " + name + " declared twice with different type or labels");
    }
    return *it->second;
  }
  if (!std::is_sorted(buckets.begin(), buckets.end())) {
    throw std::logic_error("metric " + name + ": histogram buckets must be ascending");
  }
  auto family =
      std::make_unique<MetricFamily>(name, help, type, std::move(labels), std::move(buckets), std::move(collect));
  return *families_.emplace(name, std::move(family)).first->second;
}

MetricFamily& MetricsRegistry::Counter(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels) {
  return Declare(name, help, MetricType::kCounter, std::move(labels), {});
}

MetricFamily& MetricsRegistry::Gauge(const std::string& name, const std::string& help,
                                     std::vector<std::string> labels) {
  return Declare(name, help, MetricType::kGauge, std::move(labels), {});
}

MetricFamily& MetricsRegistry::Histogram(const std::string& name, const std::string& help,
                                         std::vector<std::string> labels, std::vector<double> buckets) {
  return Declare(name, help, MetricType::kHistogram, std::move(labels), std::move(buckets));
}

MetricFamily& MetricsRegistry::GaugeFunc(const std::string& name, const std::string& help,
                                         std::vector<std::string> labels, MetricFamily::Collect collect) {
  if (!collect) throw std::logic_error("metric " + name + ": GaugeFunc needs a function");
  return Declare(name, help, MetricType::kGauge, std::move(labels), {}, std::move(collect));
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) family->RenderTo(out);
  return out;
}

}  // namespace certplane::metrics

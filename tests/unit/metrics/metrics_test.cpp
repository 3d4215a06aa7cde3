#include "metrics/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace certplane::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, CounterRendersHelpTypeAndLabelledSamples) {
  MetricsRegistry registry;
  auto& issued = registry.Counter("certplane_issuances_total", "Certificates issued.", {"profile", "reason"});
  issued.Add({"web", "DoesNotExist"});
  issued.Add({"web", "DoesNotExist"}, 2);
  std::string out = registry.Render();
  EXPECT_THAT(out, HasSubstr("# HELP certplane_issuances_total Certificates issued.\n"));
  EXPECT_THAT(out, HasSubstr("# TYPE certplane_issuances_total counter\n"));
  EXPECT_THAT(out, HasSubstr("certplane_issuances_total{profile=\"web\",reason=\"DoesNotExist\"} 3\n"));
}

TEST(Metrics, CountersNeverGoDown) {
  MetricsRegistry registry;
  auto& c = registry.Counter("c_total", "c");
  c.Add({}, 5);
  c.Add({}, -3);
  EXPECT_EQ(c.Value({}), 5);
}

TEST(Metrics, GaugeSetsAndRemovedSeriesDisappear) {
  MetricsRegistry registry;
  auto& expiry = registry.Gauge("certplane_certificate_expiration_timestamp_seconds", "Expiry.", {"namespace", "name"});
  expiry.Set({"shop", "frontend"}, 1767225600);
  EXPECT_THAT(
      registry.Render(),
      HasSubstr(
          "certplane_certificate_expiration_timestamp_seconds{namespace=\"shop\",name=\"frontend\"} 1767225600\n"));
  expiry.Remove({"shop", "frontend"});
  EXPECT_THAT(registry.Render(), Not(HasSubstr("frontend")));
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  auto& h = registry.Histogram("reconcile_seconds", "Reconcile time.", {"kind"}, {0.1, 1});
  h.Observe({"Certificate"}, 0.05);
  h.Observe({"Certificate"}, 0.5);
  h.Observe({"Certificate"}, 5);
  std::string out = registry.Render();
  EXPECT_THAT(out, HasSubstr("reconcile_seconds_bucket{kind=\"Certificate\",le=\"0.10000000000000001\"} 1\n"));
  EXPECT_THAT(out, HasSubstr("reconcile_seconds_bucket{kind=\"Certificate\",le=\"1\"} 2\n"));
  EXPECT_THAT(out, HasSubstr("reconcile_seconds_bucket{kind=\"Certificate\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(out, HasSubstr("reconcile_seconds_sum{kind=\"Certificate\"} 5.5499999999999998\n"));
  EXPECT_THAT(out, HasSubstr("reconcile_seconds_count{kind=\"Certificate\"} 3\n"));
}

TEST(Metrics, LabelValuesAreEscaped) { EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd"); }

TEST(Metrics, RedeclaringWithSameShapeReturnsTheSameFamily) {
  MetricsRegistry registry;
  auto& a = registry.Counter("x_total", "x", {"l"});
  auto& b = registry.Counter("x_total", "x", {"l"});
  EXPECT_EQ(&a, &b);
}

TEST(Metrics, RedeclaringWithAnotherShapeIsAProgrammingError) {
  MetricsRegistry registry;
  registry.Counter("x_total", "x", {"l"});
  EXPECT_THROW(registry.Gauge("x_total", "x", {"l"}), std::logic_error);
  EXPECT_THROW(registry.Counter("x_total", "x", {"other"}), std::logic_error);
}

TEST(Metrics, AGaugeFuncComputesItsSamplesAtEachRender) {
  MetricsRegistry registry;
  std::vector<std::pair<std::string, double>> state = {{"frontend", 1}, {"backend", 0}};
  registry.GaugeFunc("certplane_ready", "Ready.", {"name"}, [&state](const MetricFamily::Emit& emit) {
    for (const auto& [name, value] : state) emit({name}, value);
  });
  std::string out = registry.Render();
  EXPECT_THAT(out, HasSubstr("# TYPE certplane_ready gauge\n"));
  EXPECT_THAT(out, HasSubstr("certplane_ready{name=\"frontend\"} 1\ncertplane_ready{name=\"backend\"} 0\n"));
  state.pop_back();
  EXPECT_THAT(registry.Render(), Not(HasSubstr("backend")));
}

TEST(Metrics, AGaugeFuncSkipsSamplesWithTheWrongNumberOfLabelValues) {
  MetricsRegistry registry;
  registry.GaugeFunc("g", "g", {"a", "b"}, [](const MetricFamily::Emit& emit) {
    emit({"only-one"}, 1);
    emit({"x", "y"}, 2);
  });
  std::string out = registry.Render();
  EXPECT_THAT(out, Not(HasSubstr("only-one")));
  EXPECT_THAT(out, HasSubstr("g{a=\"x\",b=\"y\"} 2\n"));
}

TEST(Metrics, DeclaringAGaugeFuncTwiceIsAProgrammingError) {
  MetricsRegistry registry;
  auto none = [](const MetricFamily::Emit&) {};
  registry.GaugeFunc("g", "g", {}, none);
  EXPECT_THROW(registry.GaugeFunc("g", "g", {}, none), std::logic_error);
  EXPECT_THROW(registry.GaugeFunc("h", "h", {}, nullptr), std::logic_error);
}

TEST(Metrics, WrongNumberOfLabelValuesIsAProgrammingError) {
  MetricsRegistry registry;
  auto& c = registry.Counter("x_total", "x", {"a", "b"});
  EXPECT_THROW(c.Add({"only-one"}), std::logic_error);
}

}  // namespace
}  // namespace certplane::metrics

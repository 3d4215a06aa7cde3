#include "api/duration.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>

namespace certplane::api {
namespace {

using namespace std::chrono_literals;

struct ParseCase {
  const char* name;
  const char* text;
  Duration want;
};
void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class ParsesGoDurations : public testing::TestWithParam<ParseCase> {};

TEST_P(ParsesGoDurations, ToTheSameNanosecondsAsGo) {
  Result<Duration> d = ParseDuration(GetParam().text);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Durations, ParsesGoDurations,
    testing::Values(ParseCase{"hours_as_the_examples_write_them", "720h", 720h},
                    ParseCase{"ten_years", "87600h", 87600h}, ParseCase{"minutes_and_seconds", "59m50s", 59min + 50s},
                    ParseCase{"hours_and_minutes", "1h30m", 90min}, ParseCase{"a_fraction_of_an_hour", "1.5h", 90min},
                    ParseCase{"a_fraction_of_a_second", "0.25s", 250ms}, ParseCase{"milliseconds", "300ms", 300ms},
                    ParseCase{"microseconds_in_ascii", "2us", 2us},
                    ParseCase{"microseconds_with_the_micro_sign", "2\xC2\xB5s", 2us},
                    ParseCase{"microseconds_with_greek_mu", "2\xCE\xBCs", 2us}, ParseCase{"nanoseconds", "7ns", 7ns},
                    ParseCase{"a_bare_zero", "0", 0s}, ParseCase{"zero_with_a_unit", "0s", 0s},
                    ParseCase{"a_negative_duration", "-1h", -1h}, ParseCase{"an_explicit_plus_sign", "+5m", 5min},
                    ParseCase{"units_in_any_order", "10s1h", 1h + 10s},
                    ParseCase{"a_leading_dot_fraction", ".5s", 500ms},
                    ParseCase{"the_largest_go_duration", "2562047h47m16.854775807s", Duration::max()}),
    [](const testing::TestParamInfo<ParseCase>& i) { return std::string(i.param.name); });

struct RejectCase {
  const char* name;
  const char* text;
};
void PrintTo(const RejectCase& c, std::ostream* os) { *os << c.name; }

class RejectsMalformedDurations : public testing::TestWithParam<RejectCase> {};

TEST_P(RejectsMalformedDurations, NamingTheText) {
  Result<Duration> d = ParseDuration(GetParam().text);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d.status().message(), std::string("invalid duration \"") + GetParam().text +
                                      "\" (want a Go duration such as 720h, 90m or 1h30m)");
}

INSTANTIATE_TEST_SUITE_P(Durations, RejectsMalformedDurations,
                         testing::Values(RejectCase{"an_empty_string", ""},
                                         RejectCase{"a_number_without_a_unit", "720"},
                                         RejectCase{"days_which_go_does_not_know", "30d"},
                                         RejectCase{"words", "ten years"}, RejectCase{"a_unit_without_a_number", "h"},
                                         RejectCase{"a_lone_sign", "-"}, RejectCase{"a_dot_without_digits", ".h"},
                                         RejectCase{"a_space_inside", "1h 30m"}, RejectCase{"an_overflow", "2562048h"},
                                         RejectCase{"a_huge_number", "99999999999999999999h"}),
                         [](const testing::TestParamInfo<RejectCase>& i) { return std::string(i.param.name); });

struct FormatCase {
  const char* name;
  Duration d;
  const char* want;
};
void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.name; }

class FormatsShortestGoDurations : public testing::TestWithParam<FormatCase> {};

TEST_P(FormatsShortestGoDurations, ThatParseBack) {
  EXPECT_EQ(FormatDuration(GetParam().d), GetParam().want);
  Result<Duration> back = ParseDuration(GetParam().want);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, GetParam().d);
}

INSTANTIATE_TEST_SUITE_P(Durations, FormatsShortestGoDurations,
                         testing::Values(FormatCase{"whole_hours_without_zero_minutes", 720h, "720h"},
                                         FormatCase{"hours_and_minutes", 90min, "1h30m"},
                                         FormatCase{"minutes_and_seconds", 59min + 50s, "59m50s"},
                                         FormatCase{"hours_and_seconds", 1h + 5s, "1h5s"}, FormatCase{"zero", 0s, "0s"},
                                         FormatCase{"fractional_seconds", 1500ms, "1.5s"},
                                         FormatCase{"milliseconds", 300ms, "300ms"},
                                         FormatCase{"fractional_milliseconds", 1500us, "1.5ms"},
                                         FormatCase{"microseconds", 2us, "2us"}, FormatCase{"nanoseconds", 7ns, "7ns"},
                                         FormatCase{"negative", -90min, "-1h30m"},
                                         FormatCase{"the_largest", Duration::max(), "2562047h47m16.854775807s"}),
                         [](const testing::TestParamInfo<FormatCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace certplane::api

#include "api/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>

namespace certplane::api {
namespace {

using namespace std::chrono;

Time At(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return Time{sys_days{year{y} / month{m} / day{d}}} + hours{hh} + minutes{mm} + seconds{ss};
}

struct ParseCase {
  const char* name;
  const char* text;
  Time want;
};
void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class ParsesRfc3339 : public testing::TestWithParam<ParseCase> {};

TEST_P(ParsesRfc3339, ToUtcSeconds) {
  Result<Time> t = ParseTime(GetParam().text);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Times, ParsesRfc3339,
    testing::Values(ParseCase{"utc_as_kubernetes_writes_it", "2030-01-31T00:00:00Z", At(2030, 1, 31)},
                    ParseCase{"a_time_of_day", "2024-02-29T23:59:58Z", At(2024, 2, 29, 23, 59, 58)},
                    ParseCase{"a_fraction_which_is_dropped", "2030-01-31T00:00:00.999999Z", At(2030, 1, 31)},
                    ParseCase{"a_positive_offset", "2030-01-31T01:30:00+01:30", At(2030, 1, 31)},
                    ParseCase{"a_negative_offset", "2030-01-30T19:00:00-05:00", At(2030, 1, 31)},
                    ParseCase{"lower_case_separators", "2030-01-31t00:00:00z", At(2030, 1, 31)},
                    ParseCase{"the_epoch", "1970-01-01T00:00:00Z", Time{}}),
    [](const testing::TestParamInfo<ParseCase>& i) { return std::string(i.param.name); });

struct RejectCase {
  const char* name;
  const char* text;
};
void PrintTo(const RejectCase& c, std::ostream* os) { *os << c.name; }

class RejectsNonRfc3339 : public testing::TestWithParam<RejectCase> {};

TEST_P(RejectsNonRfc3339, NamingTheText) {
  Result<Time> t = ParseTime(GetParam().text);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            std::string("invalid time \"") + GetParam().text + "\" (want RFC 3339 such as 2030-01-31T00:00:00Z)");
}

INSTANTIATE_TEST_SUITE_P(Times, RejectsNonRfc3339,
                         testing::Values(RejectCase{"a_date_alone", "2030-01-31"},
                                         RejectCase{"no_zone", "2030-01-31T00:00:00"},
                                         RejectCase{"february_thirtieth", "2030-02-30T00:00:00Z"},
                                         RejectCase{"hour_twenty_four", "2030-01-31T24:00:00Z"},
                                         RejectCase{"a_space_for_t", "2030-01-31 00:00:00Z"},
                                         RejectCase{"trailing_text", "2030-01-31T00:00:00Zabc"},
                                         RejectCase{"a_bad_offset", "2030-01-31T00:00:00+1:00"},
                                         RejectCase{"an_empty_fraction", "2030-01-31T00:00:00.Z"},
                                         RejectCase{"unix_seconds", "1893456000"}),
                         [](const testing::TestParamInfo<RejectCase>& i) { return std::string(i.param.name); });

TEST(FormatTime, WritesUtcWithWholeSeconds) {
  EXPECT_EQ(FormatTime(At(2030, 1, 31, 7, 5, 9)), "2030-01-31T07:05:09Z");
  EXPECT_EQ(FormatTime(Time{}), "1970-01-01T00:00:00Z");
}

TEST(FormatTime, RoundTripsThroughParse) {
  const Time t = At(2099, 12, 31, 23, 59, 59);
  Result<Time> back = ParseTime(FormatTime(t));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, t);
}

}  // namespace
}  // namespace certplane::api

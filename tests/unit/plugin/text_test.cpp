#include "text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "yaml_json.h"

namespace certplane::plugin {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(FormatTable, AlignsColumnsWithThreeSpacesAndNoTrailingBlanks) {
  EXPECT_EQ(FormatTable({"NAME", "STATE"}, {{"frontend", "active"}, {"api", ""}}),
            "NAME       STATE\n"
            "frontend   active\n"
            "api\n");
}

TEST(FormatTable, PadsShortRows) { EXPECT_EQ(FormatTable({"A", "B", "C"}, {{"1"}}), "A   B   C\n1\n"); }

struct AgeCase {
  std::string name;
  seconds d;
  std::string want;
};
void PrintTo(const AgeCase& c, std::ostream* os) { *os << c.name; }

class FormatAgeLike : public ::testing::TestWithParam<AgeCase> {};

TEST_P(FormatAgeLike, Kubectl) { EXPECT_EQ(FormatAge(GetParam().d), GetParam().want); }

INSTANTIATE_TEST_SUITE_P(
    Cases, FormatAgeLike,
    ::testing::Values(AgeCase{"Seconds", seconds(45), "45s"}, AgeCase{"MinutesAndSeconds", seconds(90), "1m30s"},
                      AgeCase{"WholeMinutes", minutes(12), "12m"}, AgeCase{"HoursAndMinutes", minutes(303), "5h3m"},
                      AgeCase{"DaysAndHours", hours(49), "2d1h"}, AgeCase{"ManyDaysOnly", hours(24 * 400 + 5), "400d"},
                      AgeCase{"NegativeAsMagnitude", -seconds(90), "1m30s"}, AgeCase{"Zero", seconds(0), "0s"}),
    [](const ::testing::TestParamInfo<AgeCase>& info) { return info.param.name; });

TEST(Relative, SaysInOrAgo) {
  const std::chrono::sys_seconds now{std::chrono::seconds(2'000'000'000)};
  EXPECT_EQ(Relative(now + hours(49), now), "in 2d1h");
  EXPECT_EQ(Relative(now - minutes(12), now), "12m ago");
  EXPECT_EQ(Relative(now, now), "now");
}

TEST(JsonToYaml, QuotesStringsThatWouldReadAsOtherTypes) {
  nlohmann::json doc = {{"serial", "0123"},
                        {"hex", "abc"},
                        {"time", "2030-06-01T12:00:00Z"},
                        {"yes", "yes"},
                        {"null", "null"},
                        {"empty", ""},
                        {"negative", "-5"},
                        {"count", 3},
                        {"flag", true},
                        {"list", {"a", "1.5"}},
                        {"nested", {{"k", "v"}}}};
  std::string yaml = JsonToYaml(doc);
  std::vector<nlohmann::json> back = testing_support::YamlToJson(yaml);
  ASSERT_EQ(back.size(), 1u) << yaml;
  EXPECT_EQ(back[0], doc) << yaml;
  EXPECT_THAT(yaml, ::testing::HasSubstr("hex: abc\n")) << "plain when it is safe";
}

}  // namespace
}  // namespace certplane::plugin

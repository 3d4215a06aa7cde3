#include "api/merge_patch.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace certplane::api {
namespace {

using nlohmann::json;

struct PatchCase {
  const char* name;
  const char* from;
  const char* to;
  const char* want;
};
void PrintTo(const PatchCase& c, std::ostream* os) { *os << c.name; }

class CreatesMergePatch : public testing::TestWithParam<PatchCase> {};

TEST_P(CreatesMergePatch, ThatTurnsFromIntoTo) {
  const json from = json::parse(GetParam().from);
  const json to = json::parse(GetParam().to);
  const json patch = CreateMergePatch(from, to);
  EXPECT_EQ(patch, json::parse(GetParam().want));
  json applied = from;
  applied.merge_patch(patch);  // nlohmann's RFC 7386 implementation
  EXPECT_EQ(applied, to);
}

INSTANTIATE_TEST_SUITE_P(
    MergePatch, CreatesMergePatch,
    testing::Values(
        PatchCase{"nothing_for_equal_documents", R"({"a": 1, "b": {"c": 2}})", R"({"a": 1, "b": {"c": 2}})", "{}"},
        PatchCase{"a_changed_value", R"({"a": 1})", R"({"a": 2})", R"({"a": 2})"},
        PatchCase{"a_removed_field_becomes_null", R"({"a": 1, "b": 2})", R"({"a": 1})", R"({"b": null})"},
        PatchCase{"an_added_field", R"({})", R"({"a": [1]})", R"({"a": [1]})"},
        PatchCase{"nested_objects_are_diffed", R"({"s": {"x": 1, "y": 2}})", R"({"s": {"x": 1, "y": 3}})",
                  R"({"s": {"y": 3}})"},
        PatchCase{"lists_are_replaced_whole", R"({"l": [1, 2, 3]})", R"({"l": [1, 3]})", R"({"l": [1, 3]})"},
        PatchCase{"an_object_replaced_by_a_value", R"({"s": {"x": 1}})", R"({"s": 5})", R"({"s": 5})"}),
    [](const testing::TestParamInfo<PatchCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace certplane::api

#include "policy/namespace_selector.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "builders.h"

namespace certplane::policy {
namespace {

using namespace testing_builders;
using api::LabelSelector;
using api::SelectorOperator;
using api::StringMap;

struct SelectorCase {
  const char* name;
  LabelSelector selector;
  StringMap labels;
  bool selected;
};
void PrintTo(const SelectorCase& c, std::ostream* os) { *os << c.name; }

class SelectsNamespaces : public testing::TestWithParam<SelectorCase> {};

TEST_P(SelectsNamespaces, AsKubernetesLabelSelectorsDo) {
  EXPECT_EQ(SelectorMatches(GetParam().selector, GetParam().labels), GetParam().selected);
}

const SelectorCase kSelectorCases[] = {
    {"the_empty_selector_selects_every_namespace", {}, {}, true},
    {"match_labels_needs_the_exact_value", {{{"team", "web"}}, {}}, {{"team", "web"}, {"env", "prod"}}, true},
    {"match_labels_refuses_another_value", {{{"team", "web"}}, {}}, {{"team", "db"}}, false},
    {"match_labels_refuses_a_missing_label", {{{"team", "web"}}, {}}, {}, false},
    {"in_selects_one_of_the_values",
     {{}, {{"env", SelectorOperator::kIn, {"prod", "staging"}}}},
     {{"env", "staging"}},
     true},
    {"in_refuses_other_values", {{}, {{"env", SelectorOperator::kIn, {"prod", "staging"}}}}, {{"env", "dev"}}, false},
    {"in_refuses_a_missing_label", {{}, {{"env", SelectorOperator::kIn, {"prod"}}}}, {}, false},
    {"not_in_refuses_a_listed_value", {{}, {{"env", SelectorOperator::kNotIn, {"dev"}}}}, {{"env", "dev"}}, false},
    {"not_in_selects_a_missing_label", {{}, {{"env", SelectorOperator::kNotIn, {"dev"}}}}, {}, true},
    {"exists_needs_the_label", {{}, {{"certs", SelectorOperator::kExists, {}}}}, {{"certs", ""}}, true},
    {"exists_refuses_without_it", {{}, {{"certs", SelectorOperator::kExists, {}}}}, {{"other", "x"}}, false},
    {"does_not_exist_refuses_with_it",
     {{}, {{"legacy", SelectorOperator::kDoesNotExist, {}}}},
     {{"legacy", "1"}},
     false},
    {"every_requirement_must_hold",
     {{{"team", "web"}}, {{"env", SelectorOperator::kIn, {"prod"}}, {"legacy", SelectorOperator::kDoesNotExist, {}}}},
     {{"team", "web"}, {"env", "prod"}, {"legacy", "yes"}},
     false},
};

INSTANTIATE_TEST_SUITE_P(Namespaces, SelectsNamespaces, testing::ValuesIn(kSelectorCases),
                         [](const testing::TestParamInfo<SelectorCase>& i) { return std::string(i.param.name); });

TEST(CheckNamespace, AllowsASelectedNamespace) { EXPECT_EQ(CheckNamespace(MakeProfile(), "shop", {}), std::nullopt); }

TEST(CheckNamespace, NamesTheNamespaceTheProfileAndTheSelector) {
  const api::CertificateProfile profile = MakeProfile().WithNamespaceSelector(
      {{{"team", "web"}},
       {{"env", SelectorOperator::kIn, {"prod", "staging"}}, {"legacy", SelectorOperator::kDoesNotExist, {}}}});
  std::optional<PolicyViolation> v = CheckNamespace(profile, "shop", {{"team", "db"}});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->field, "metadata.namespace");
  EXPECT_EQ(v->message,
            "namespace shop is not selected by the namespaceSelector of profile web "
            "(team=web, env in (prod, staging), !legacy)");
}

TEST(FormatSelector, PrintsTheEmptySelectorAsEverything) {
  EXPECT_EQ(FormatSelector({}), "everything");
  EXPECT_EQ(FormatSelector({{}, {{"a", SelectorOperator::kExists, {}}, {"b", SelectorOperator::kNotIn, {"x"}}}}),
            "a, b notin (x)");
}

}  // namespace
}  // namespace certplane::policy

#include "sync/name_template.h"

#include <gtest/gtest.h>

namespace certplane::sync {
namespace {

struct TemplateCase {
  std::string name;
  std::string templ;
  bool apart;
  std::string why;  // part of the refusal's message
};

class CheckNamesApartTest : public ::testing::TestWithParam<TemplateCase> {};

TEST_P(CheckNamesApartTest, RefusesExactlyTheTemplatesThatCanCollide) {
  Status s = CheckNamesApart(GetParam().templ);
  if (GetParam().apart) {
    EXPECT_TRUE(s.ok()) << s;
  } else {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(GetParam().why), std::string::npos) << s;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CheckNamesApartTest,
    ::testing::Values(TemplateCase{"UidAloneIsEnough", "cp-{uid}", true, ""},
                      TemplateCase{"NamespaceSlashNameIsApart", "certplane/{namespace}/{name}", true, ""},
                      TemplateCase{"NameBeforeNamespaceWithSlashIsApart", "{name}/{namespace}", true, ""},
                      TemplateCase{"UnderscoreAfterNamespaceIsApart", "{namespace}_{name}", true, ""},
                      TemplateCase{"KeyVaultStyleWithUidIsApart", "{namespace}-{name}-{uid}", true, ""},
                      TemplateCase{"HyphenAfterNamespaceCollides", "{namespace}-{name}", false, "after {namespace}"},
                      TemplateCase{"DotAfterNameCollides", "{name}.{namespace}", false, "after {name}"},
                      TemplateCase{"AdjacentFieldsCollide", "{namespace}{name}", false, "after {namespace}"},
                      TemplateCase{"NameAloneCollidesAcrossNamespaces", "certs/{name}", false, "needs {uid}"},
                      TemplateCase{"ALiteralAloneNamesEveryCertificateTheSame", "fixed", false, "needs {uid}"},
                      TemplateCase{"UnknownPlaceholderIsRefused", "{namespace}/{nmae}", false,
                                   "unknown placeholder {nmae}"},
                      TemplateCase{"UnclosedBraceIsRefused", "{namespace/{name}", false, "unknown placeholder"},
                      TemplateCase{"StrayClosingBraceIsRefused", "a}{uid}", false, "'}' without '{'"},
                      TemplateCase{"OpenBraceAtTheEndIsRefused", "{uid}{", false, "'{' without '}'"}),
    [](const auto& info) { return info.param.name; });

TEST(RenderNameTest, ReplacesEveryPlaceholder) {
  Result<std::string> name = RenderName("certplane/{namespace}/{name}-{uid}", {"shop", "web", "1234"});
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(*name, "certplane/shop/web-1234");
}

TEST(RenderNameTest, RefusesToRenderATemplateThatCanCollide) {
  Result<std::string> name = RenderName("{namespace}-{name}", {"shop", "web", "1234"});
  EXPECT_EQ(name.status().code(), StatusCode::kInvalidArgument);
}

TEST(RenderNameTest, TwoCertificatesThatWouldCollideUnderAHyphenTemplateRenderApartWithTheUid) {
  Result<std::string> a = RenderName("{namespace}-{name}-{uid}", {"a-b", "c", "uid-1"});
  Result<std::string> b = RenderName("{namespace}-{name}-{uid}", {"a", "b-c", "uid-2"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace certplane::sync

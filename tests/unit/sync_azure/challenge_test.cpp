// The WWW-Authenticate challenge of a Key Vault 401: both shapes Key Vault sends, the
// tenant taken from the authority, and what is not a Bearer challenge.
#include "sync/azure/challenge.h"

#include <gtest/gtest.h>

namespace certplane::sync::azure {
namespace {

TEST(ParseBearerChallenge, ReadsAuthorityTenantAndResource) {
  std::optional<BearerChallenge> c = ParseBearerChallenge(
      R"(Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net")");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->authorization, "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47");
  EXPECT_EQ(c->tenant, "72f988bf-86f1-41af-91ab-2d7cd011db47");
  EXPECT_EQ(c->resource, "https://vault.azure.net");
  EXPECT_EQ(c->scope, "");
}

TEST(ParseBearerChallenge, ReadsTheScopeFormAndAnAuthorizationUriWithATrailingSlash) {
  std::optional<BearerChallenge> c = ParseBearerChallenge(
      R"(bearer  authorization_uri="https://login.microsoftonline.us/contoso.onmicrosoft.com/" ,scope="https://vault.usgovcloudapi.net/.default")");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->tenant, "contoso.onmicrosoft.com");
  EXPECT_EQ(c->scope, "https://vault.usgovcloudapi.net/.default");
}

TEST(ParseBearerChallenge, ReadsBareTokensAndEscapedQuotes) {
  std::optional<BearerChallenge> c = ParseBearerChallenge(
      R"(Bearer resource=https://vault.azure.net, authorization="https://a/t\"x", error=invalid_token)");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->resource, "https://vault.azure.net");
  EXPECT_EQ(c->authorization, "https://a/t\"x");
  EXPECT_EQ(c->tenant, "t\"x");
}

TEST(ParseBearerChallenge, HasNoTenantWhenTheAuthorityHasNoPath) {
  std::optional<BearerChallenge> c = ParseBearerChallenge(R"(Bearer authorization="https://login.example")");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->tenant, "");
}

class NotABearerChallenge : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(NotABearerChallenge, IsRefused) { EXPECT_FALSE(ParseBearerChallenge(GetParam().second).has_value()); }

INSTANTIATE_TEST_SUITE_P(Table, NotABearerChallenge,
                         ::testing::Values(std::pair{"an_empty_header", ""},
                                           std::pair{"a_basic_challenge", R"(Basic realm="vault")"},
                                           std::pair{"an_unterminated_quote", R"(Bearer authorization="https://a)"},
                                           std::pair{"a_parameter_without_a_value", "Bearer authorization"},
                                           std::pair{"two_values_without_a_comma", R"(Bearer a="1" b="2")"}),
                         [](const auto& info) { return std::string(info.param.first); });

}  // namespace
}  // namespace certplane::sync::azure

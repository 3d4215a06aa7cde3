// Feeds every file of corpus/malformed to every parser of the Azure Key Vault sync and
// expects a refusal with a message, never a crash, a leak or undefined behaviour (CI
// runs this under ASan and UBSan in the sanitizer build). corpus/seeds holds well-formed
// answers, which are parsed too, to check that the parsers under test accept what they
// should.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "corpus.h"
#include "parsers.h"

namespace certplane::sync::azure::fuzz {
namespace {

namespace fs = std::filesystem;
using corpus::SeedCase;

class SyncAzureMalformedInput : public ::testing::TestWithParam<fs::path> {};

TEST_P(SyncAzureMalformedInput, IsRefusedByEveryParserWithARetryableOrInvalidCode) {
  std::string input = corpus::Read<std::string>(GetParam());
  for (const Parser& parser : AllParsers()) {
    std::optional<Status> refused = parser.parse(input);
    ASSERT_TRUE(refused.has_value()) << parser.name << " accepted it";
    EXPECT_THAT(refused->code(), ::testing::AnyOf(StatusCode::kInvalidArgument, StatusCode::kUnavailable,
                                                  StatusCode::kFailedPrecondition))
        << parser.name << ": " << *refused;
    EXPECT_FALSE(refused->message().empty()) << parser.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, SyncAzureMalformedInput, ::testing::ValuesIn(corpus::Files("malformed")),
                         [](const auto& info) { return corpus::TestName(info.param); });

TEST(SyncAzureMalformedCorpus, HasAtLeastTwentyFiveInputs) { EXPECT_GE(corpus::Files("malformed").size(), 25u); }

class SyncAzureSeed : public ::testing::TestWithParam<SeedCase> {};

TEST_P(SyncAzureSeed, IsAcceptedByItsParser) {
  const Parser* parser = corpus::FindParser(AllParsers(), GetParam().parser);
  ASSERT_NE(parser, nullptr) << "no parser named " << GetParam().parser;
  std::string input = corpus::Read<std::string>(corpus::Dir("seeds") / GetParam().file);
  std::optional<Status> refused = parser->parse(input);
  EXPECT_FALSE(refused.has_value()) << *refused;
}

INSTANTIATE_TEST_SUITE_P(Corpus, SyncAzureSeed,
                         ::testing::Values(SeedCase{"token.json", "ParseTokenResponse"},
                                           SeedCase{"token-expires-in-string.json", "ParseTokenResponse"},
                                           SeedCase{"bundle.json", "ParseCertificateBundle"},
                                           SeedCase{"deleted-bundle.json", "ParseCertificateBundle"},
                                           SeedCase{"error-conflict.json", "KeyVaultError"},
                                           SeedCase{"error-forbidden-inner.json", "KeyVaultError"},
                                           SeedCase{"challenge-resource.txt", "ParseBearerChallenge"},
                                           SeedCase{"challenge-scope.txt", "ParseBearerChallenge"},
                                           SeedCase{"challenge-query-after-tenant.txt", "ParseBearerChallenge"}),
                         [](const auto& info) { return corpus::SeedCaseName(info.param); });

}  // namespace
}  // namespace certplane::sync::azure::fuzz

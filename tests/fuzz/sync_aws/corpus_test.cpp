// Feeds every file of corpus/malformed to every reader of AWS answers and expects a
// refusal a caller can act on (kUnavailable for a 200 answer that is not what the API
// defines, kInvalidArgument for an error answer that names no code), never a crash, a
// leak or undefined behaviour (CI runs this under ASan and UBSan). corpus/seeds holds
// well-formed answers, which are read too, to check that the readers accept them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "corpus.h"
#include "parsers.h"

namespace certplane::sync::aws::fuzz {
namespace {

namespace fs = std::filesystem;
using corpus::SeedCase;

class AwsMalformedAnswer : public ::testing::TestWithParam<fs::path> {};

TEST_P(AwsMalformedAnswer, IsRefusedByEveryReaderWithACodeThatSaysWhetherToRetry) {
  std::string input = corpus::Read<std::string>(GetParam());
  for (const Parser& parser : AllParsers()) {
    std::optional<SyncError> error = parser.parse(input);
    ASSERT_TRUE(error.has_value()) << parser.name << " accepted it";
    EXPECT_THAT(error->status.code(), ::testing::AnyOf(StatusCode::kUnavailable, StatusCode::kInvalidArgument))
        << parser.name << ": " << error->status;
    EXPECT_FALSE(error->status.message().empty()) << parser.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, AwsMalformedAnswer, ::testing::ValuesIn(corpus::Files("malformed")),
                         [](const auto& info) { return corpus::TestName(info.param); });

TEST(AwsMalformedCorpus, HasAtLeastFortyInputs) { EXPECT_GE(corpus::Files("malformed").size(), 40u); }

class AwsSeed : public ::testing::TestWithParam<SeedCase> {};

TEST_P(AwsSeed, IsAcceptedByItsReader) {
  const Parser* parser = corpus::FindParser(AllParsers(), GetParam().parser);
  ASSERT_NE(parser, nullptr) << "no parser named " << GetParam().parser;
  std::string input = corpus::Read<std::string>(corpus::Dir("seeds") / GetParam().file);
  std::optional<SyncError> error = parser->parse(input);
  EXPECT_FALSE(error.has_value()) << error->status;
}

INSTANTIATE_TEST_SUITE_P(Corpus, AwsSeed,
                         ::testing::Values(SeedCase{"error-throttling.json", "MapJsonError"},
                                           SeedCase{"error-not-found-namespaced.json", "MapJsonError"},
                                           SeedCase{"error-signature-xml.xml", "MapJsonError"},
                                           SeedCase{"acm-import.json", "ReadCertificateArn"},
                                           SeedCase{"acm-list.json", "ReadCertificatePage"},
                                           SeedCase{"acm-list-last-page.json", "ReadCertificatePage"},
                                           SeedCase{"acm-tags.json", "ReadTagList"},
                                           SeedCase{"sm-describe.json", "ReadSecretDescription"},
                                           SeedCase{"sm-describe-deleted.json", "ReadSecretDescription"},
                                           SeedCase{"sm-version.json", "ReadSecretVersion"},
                                           SeedCase{"sts-credentials.xml", "ReadAssumeRoleWithWebIdentityResponse"}),
                         [](const auto& info) { return corpus::SeedCaseName(info.param); });

}  // namespace
}  // namespace certplane::sync::aws::fuzz

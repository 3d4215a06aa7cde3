// Feeds every file of corpus/malformed to every parser of the ACME protocol core and
// expects a refusal with one of the problem types a client can act on, never a crash, a
// leak or undefined behaviour (CI runs this under ASan and UBSan). corpus/seeds holds
// well-formed inputs, which are parsed too, to check that the parsers under test do
// accept what they should.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "corpus.h"
#include "parsers.h"

namespace certplane::acme::fuzz {
namespace {

namespace fs = std::filesystem;
using corpus::SeedCase;

class AcmeMalformedInput : public ::testing::TestWithParam<fs::path> {};

TEST_P(AcmeMalformedInput, IsRefusedByEveryParserWithAProblemAClientCanActOn) {
  std::string input = corpus::Read<std::string>(GetParam());
  for (const Parser& parser : AllParsers()) {
    std::optional<Problem> problem = parser.parse(input);
    ASSERT_TRUE(problem.has_value()) << parser.name << " accepted it";
    EXPECT_THAT(problem->type, ::testing::AnyOf(ProblemType::kMalformed, ProblemType::kBadSignatureAlgorithm,
                                                ProblemType::kBadPublicKey, ProblemType::kUnauthorized))
        << parser.name << ": " << ProblemTypeName(problem->type) << ": " << problem->detail;
    EXPECT_FALSE(problem->detail.empty()) << parser.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, AcmeMalformedInput, ::testing::ValuesIn(corpus::Files("malformed")),
                         [](const auto& info) { return corpus::TestName(info.param); });

TEST(AcmeMalformedCorpus, HasAtLeastFiftyInputs) { EXPECT_GE(corpus::Files("malformed").size(), 50u); }

class AcmeSeed : public ::testing::TestWithParam<SeedCase> {};

TEST_P(AcmeSeed, IsAcceptedByItsParser) {
  const Parser* parser = corpus::FindParser(AllParsers(), GetParam().parser);
  ASSERT_NE(parser, nullptr) << "no parser named " << GetParam().parser;
  std::string input = corpus::Read<std::string>(corpus::Dir("seeds") / GetParam().file);
  std::optional<Problem> problem = parser->parse(input);
  EXPECT_FALSE(problem.has_value()) << ProblemTypeName(problem->type) << ": " << problem->detail;
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, AcmeSeed,
    ::testing::Values(SeedCase{"jws-jwk-rs256.json", "ParseJws"}, SeedCase{"jws-jwk-es256.json", "ParseJws"},
                      SeedCase{"jws-jwk-es384.json", "ParseJws"}, SeedCase{"jws-jwk-eddsa.json", "ParseJws"},
                      SeedCase{"jws-kid-es256.json", "ParseJws"}, SeedCase{"jws-kid-post-as-get.json", "ParseJws"},
                      SeedCase{"jwk-rsa.json", "Jwk::FromJson"}, SeedCase{"jwk-p256.json", "Jwk::FromJson"},
                      SeedCase{"jwk-p384.json", "Jwk::FromJson"}, SeedCase{"jwk-ed25519.json", "Jwk::FromJson"},
                      SeedCase{"eab-hs256.json", "VerifyExternalAccountBinding"}),
    [](const auto& info) { return corpus::SeedCaseName(info.param); });

}  // namespace
}  // namespace certplane::acme::fuzz

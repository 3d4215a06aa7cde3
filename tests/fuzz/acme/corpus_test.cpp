// Feeds every file of corpus/malformed to every parser of the ACME protocol core and
// expects a refusal with one of the problem types a client can act on, never a crash, a
// leak or undefined behaviour (CI runs this under ASan and UBSan). corpus/seeds holds
// well-formed inputs, which are parsed too, to check that the parsers under test do
// accept what they should.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "parsers.h"

namespace certplane::acme::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path CorpusDir(const char* which) { return fs::path(CERTPLANE_ACME_CORPUS_DIR) / which; }

std::vector<fs::path> Files(const char* which) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(CorpusDir(which))) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string TestName(const fs::path& path) {
  std::string name = path.filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class AcmeMalformedInput : public ::testing::TestWithParam<fs::path> {};

TEST_P(AcmeMalformedInput, IsRefusedByEveryParserWithAProblemAClientCanActOn) {
  std::string input = Read(GetParam());
  for (const Parser& parser : AllParsers()) {
    std::optional<Problem> problem = parser.parse(input);
    ASSERT_TRUE(problem.has_value()) << parser.name << " accepted it";
    EXPECT_THAT(problem->type, ::testing::AnyOf(ProblemType::kMalformed, ProblemType::kBadSignatureAlgorithm,
                                                ProblemType::kBadPublicKey, ProblemType::kUnauthorized))
        << parser.name << ": " << ProblemTypeName(problem->type) << ": " << problem->detail;
    EXPECT_FALSE(problem->detail.empty()) << parser.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, AcmeMalformedInput, ::testing::ValuesIn(Files("malformed")),
                         [](const auto& info) { return TestName(info.param); });

TEST(AcmeMalformedCorpus, HasAtLeastFiftyInputs) { EXPECT_GE(Files("malformed").size(), 50u); }

struct SeedCase {
  std::string file;
  std::string parser;
};

class AcmeSeed : public ::testing::TestWithParam<SeedCase> {};

TEST_P(AcmeSeed, IsAcceptedByItsParser) {
  std::string input = Read(CorpusDir("seeds") / GetParam().file);
  bool found = false;
  for (const Parser& parser : AllParsers()) {
    if (parser.name != GetParam().parser) continue;
    found = true;
    std::optional<Problem> problem = parser.parse(input);
    EXPECT_FALSE(problem.has_value()) << ProblemTypeName(problem->type) << ": " << problem->detail;
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Corpus, AcmeSeed,
                         ::testing::Values(SeedCase{"jws-jwk-rs256.json", "ParseJws"},
                                           SeedCase{"jws-jwk-es256.json", "ParseJws"},
                                           SeedCase{"jws-jwk-es384.json", "ParseJws"},
                                           SeedCase{"jws-jwk-eddsa.json", "ParseJws"},
                                           SeedCase{"jws-kid-es256.json", "ParseJws"},
                                           SeedCase{"jws-kid-post-as-get.json", "ParseJws"},
                                           SeedCase{"jwk-rsa.json", "Jwk::FromJson"},
                                           SeedCase{"jwk-p256.json", "Jwk::FromJson"},
                                           SeedCase{"jwk-p384.json", "Jwk::FromJson"},
                                           SeedCase{"jwk-ed25519.json", "Jwk::FromJson"},
                                           SeedCase{"eab-hs256.json", "VerifyExternalAccountBinding"}),
                         [](const auto& info) { return TestName(info.param.file) + "_" + TestName(info.param.parser); });

}  // namespace
}  // namespace certplane::acme::fuzz

// Feeds every file of corpus/malformed to every parser of the PKI engine and expects an
// InvalidArgument each time, never a crash, a leak or undefined behaviour (CI runs this
// under ASan and UBSan). corpus/seeds holds well-formed inputs, which are parsed too,
// to check that the parsers under test do accept what they should.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "parsers.h"

namespace certplane::pki::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path CorpusDir(const char* which) { return fs::path(CERTPLANE_PKI_CORPUS_DIR) / which; }

std::vector<fs::path> Files(const char* which) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(CorpusDir(which))) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Bytes Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string TestName(const fs::path& path) {
  std::string name = path.filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class MalformedInput : public ::testing::TestWithParam<fs::path> {};

TEST_P(MalformedInput, IsRefusedByEveryParserWithInvalidArgument) {
  Bytes input = Read(GetParam());
  for (const Parser& parser : AllParsers()) {
    Status status = parser.parse(input);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << parser.name << ": " << status;
    EXPECT_FALSE(status.message().empty()) << parser.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedInput, ::testing::ValuesIn(Files("malformed")),
                         [](const auto& info) { return TestName(info.param); });

TEST(MalformedCorpus, HasAtLeastFiftyInputs) { EXPECT_GE(Files("malformed").size(), 50u); }

struct SeedCase {
  std::string file;
  std::string parser;
};

class Seed : public ::testing::TestWithParam<SeedCase> {};

TEST_P(Seed, IsAcceptedByItsParser) {
  Bytes input = Read(CorpusDir("seeds") / GetParam().file);
  bool found = false;
  for (const Parser& parser : AllParsers()) {
    if (parser.name != GetParam().parser) continue;
    found = true;
    EXPECT_TRUE(parser.parse(input).ok()) << parser.parse(input);
  }
  EXPECT_TRUE(found);
}

INSTANTIATE_TEST_SUITE_P(Corpus, Seed,
                         ::testing::Values(SeedCase{"cert.pem", "ParseCertificatePem"},
                                           SeedCase{"cert.pem", "ParseCertificateChainPem"},
                                           SeedCase{"cert.der", "ParseCertificateDer"},
                                           SeedCase{"csr.pem", "ParseCsrPem"}, SeedCase{"csr.der", "ParseCsrDer"},
                                           SeedCase{"key.pem", "ParsePrivateKeyPem"},
                                           SeedCase{"key.der", "ParsePrivateKeyDer"},
                                           SeedCase{"pub.pem", "ParsePublicKeyPem"},
                                           SeedCase{"pub.der", "ParsePublicKeyDer"},
                                           SeedCase{"crl.pem", "ParseCrlPem"}, SeedCase{"crl.der", "ParseCrlDer"},
                                           SeedCase{"p12.der", "ParsePkcs12"}),
                         [](const auto& info) { return TestName(info.param.file) + "_" + info.param.parser; });

}  // namespace
}  // namespace certplane::pki::fuzz

// Feeds every file of corpus/malformed to every parser of the PKI engine and expects an
// InvalidArgument each time, never a crash, a leak or undefined behaviour (CI runs this
// under ASan and UBSan). corpus/seeds holds well-formed inputs, which are parsed too,
// to check that the parsers under test do accept what they should.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "corpus.h"
#include "parsers.h"

namespace certplane::pki::fuzz {
namespace {

namespace fs = std::filesystem;
using corpus::SeedCase;

class MalformedInput : public ::testing::TestWithParam<fs::path> {};

TEST_P(MalformedInput, IsRefusedByEveryParserWithInvalidArgument) {
  Bytes input = corpus::Read<Bytes>(GetParam());
  for (const Parser& parser : AllParsers()) {
    Status status = parser.parse(input);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << parser.name << ": " << status;
    EXPECT_FALSE(status.message().empty()) << parser.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedInput, ::testing::ValuesIn(corpus::Files("malformed")),
                         [](const auto& info) { return corpus::TestName(info.param); });

TEST(MalformedCorpus, HasAtLeastFiftyInputs) { EXPECT_GE(corpus::Files("malformed").size(), 50u); }

class Seed : public ::testing::TestWithParam<SeedCase> {};

TEST_P(Seed, IsAcceptedByItsParser) {
  const Parser* parser = corpus::FindParser(AllParsers(), GetParam().parser);
  ASSERT_NE(parser, nullptr) << "no parser named " << GetParam().parser;
  Bytes input = corpus::Read<Bytes>(corpus::Dir("seeds") / GetParam().file);
  EXPECT_TRUE(parser->parse(input).ok()) << parser->parse(input);
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, Seed,
    ::testing::Values(SeedCase{"cert.pem", "ParseCertificatePem"}, SeedCase{"cert.pem", "ParseCertificateChainPem"},
                      SeedCase{"cert.der", "ParseCertificateDer"}, SeedCase{"csr.pem", "ParseCsrPem"},
                      SeedCase{"csr.der", "ParseCsrDer"}, SeedCase{"key.pem", "ParsePrivateKeyPem"},
                      SeedCase{"key.der", "ParsePrivateKeyDer"}, SeedCase{"pub.pem", "ParsePublicKeyPem"},
                      SeedCase{"pub.der", "ParsePublicKeyDer"}, SeedCase{"crl.pem", "ParseCrlPem"},
                      SeedCase{"crl.der", "ParseCrlDer"}, SeedCase{"p12.der", "ParsePkcs12"}),
    [](const auto& info) { return corpus::SeedCaseName(info.param); });

}  // namespace
}  // namespace certplane::pki::fuzz

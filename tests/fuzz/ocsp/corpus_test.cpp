// Feeds every file of corpus/malformed to the OCSP request handling and expects an
// InvalidArgument (the responder's malformedRequest), never a crash, a leak or
// undefined behaviour (CI runs this under ASan and UBSan). corpus/seeds holds
// well-formed requests, which must be accepted and answered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "corpus.h"
#include "parsers.h"

namespace certplane::pki::ocsp_fuzz {
namespace {

namespace fs = std::filesystem;

class OcspMalformedRequest : public ::testing::TestWithParam<fs::path> {};

TEST_P(OcspMalformedRequest, IsRefusedWithInvalidArgument) {
  Bytes input = corpus::Read<Bytes>(GetParam());
  Status status = HandleOcspRequest(input);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status;
  EXPECT_FALSE(status.message().empty());
}

INSTANTIATE_TEST_SUITE_P(Corpus, OcspMalformedRequest, ::testing::ValuesIn(corpus::Files("malformed")),
                         [](const auto& info) { return corpus::TestName(info.param); });

TEST(OcspMalformedCorpus, HasAtLeastFortyInputs) { EXPECT_GE(corpus::Files("malformed").size(), 40u); }

class OcspSeedRequest : public ::testing::TestWithParam<fs::path> {};

TEST_P(OcspSeedRequest, IsAcceptedAndAnswered) {
  Bytes input = corpus::Read<Bytes>(GetParam());
  EXPECT_TRUE(HandleOcspRequest(input).ok()) << HandleOcspRequest(input);
}

INSTANTIATE_TEST_SUITE_P(Corpus, OcspSeedRequest, ::testing::ValuesIn(corpus::Files("seeds")),
                         [](const auto& info) { return corpus::TestName(info.param); });

}  // namespace
}  // namespace certplane::pki::ocsp_fuzz

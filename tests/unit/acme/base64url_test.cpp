#include "acme/base64url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certplane::acme {
namespace {

TEST(Base64Url, EncodesTheRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, UsesMinusAndUnderscoreInsteadOfPlusAndSlash) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), std::string("\xfb\xff"));
}

TEST(Base64Url, RoundTripsEveryByteAtEveryLengthModuloThree) {
  for (std::size_t length = 0; length < 8; ++length) {
    for (int b = 0; b < 256; ++b) {
      std::string bytes(length, static_cast<char>(b));
      if (length > 0) bytes[0] = static_cast<char>(255 - b);
      std::optional<std::string> back = Base64UrlDecode(Base64UrlEncode(bytes));
      ASSERT_TRUE(back.has_value()) << length << " " << b;
      EXPECT_EQ(*back, bytes);
    }
  }
}

struct RefusedText {
  std::string name;
  std::string text;
};

class Base64UrlRefuses : public ::testing::TestWithParam<RefusedText> {};

TEST_P(Base64UrlRefuses, TheText) { EXPECT_EQ(Base64UrlDecode(GetParam().text), std::nullopt) << GetParam().text; }

INSTANTIATE_TEST_SUITE_P(
    Strictness, Base64UrlRefuses,
    ::testing::Values(RefusedText{"padding_after_two_characters", "Zg=="}, RefusedText{"padding_after_three", "Zm8="},
                      RefusedText{"a_lone_padding_character", "="}, RefusedText{"a_space_inside", "Zm9v YmFy"},
                      RefusedText{"a_trailing_newline", "Zm9v\n"}, RefusedText{"plus_of_standard_base64", "Zm9v+mFy"},
                      RefusedText{"slash_of_standard_base64", "Zm9v/mFy"},
                      RefusedText{"a_nul_byte", std::string("Zm\0v", 4)},
                      RefusedText{"length_one_modulo_four", "Zm9vY"}, RefusedText{"a_single_character", "Z"},
                      RefusedText{"nonzero_unused_bits_after_two_characters", "Zh"},
                      RefusedText{"nonzero_unused_bits_after_three_characters", "Zm9"},
                      RefusedText{"a_high_byte", "Zm\xc3\xa9v"}),
    [](const auto& info) { return info.param.name; });

TEST(Base64Url, AcceptsTheCanonicalTwinOfEachNonCanonicalText) {
  EXPECT_EQ(Base64UrlDecode("Zg"), std::string("f"));
  EXPECT_EQ(Base64UrlDecode("Zm8"), std::string("fo"));
  EXPECT_EQ(Base64UrlDecode(""), std::string(""));
}

}  // namespace
}  // namespace certplane::acme

#include "logging_setup.h"

#include <gtest/gtest.h>

namespace certplane::controller {
namespace {

TEST(JsonEscape, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonEscape("plain"), "plain");
  EXPECT_EQ(JsonEscape("say \"hi\"\\"), "say \\\"hi\\\"\\\\");
  EXPECT_EQ(JsonEscape("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(JsonEscape(std::string("\x01", 1)), "\\u0001");
}

TEST(JsonEscape, LeavesUtf8Alone) { EXPECT_EQ(JsonEscape("grüße µs"), "grüße µs"); }

}  // namespace
}  // namespace certplane::controller

// Utf8Validator against the shapes of Markus Kuhn's "UTF-8 decoder
// capability and stress test", every code point, and every split point of
// valid multi-byte text.
#include "server/websocket/utf8_validator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gale::websocket {
namespace {

// The UTF-8 encoding of `cp`, surrogates included (so they can be tested).
std::string encode(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

// Whether the text is valid however it is fed: whole, in two pieces at
// every split point, one byte at a time. Fails the test if the ways differ.
bool valid_every_way(std::string_view text) {
  const bool whole = Utf8Validator::is_valid(text);
  for (std::size_t k = 0; k <= text.size(); ++k) {
    Utf8Validator v;
    const bool ok = v.feed(text.substr(0, k)) & v.feed(text.substr(k));
    EXPECT_EQ(ok && v.complete(), whole) << "split at " << k;
  }
  Utf8Validator v;
  bool ok = true;
  for (char c : text)
    ok = v.feed(&c, 1) && ok;
  EXPECT_EQ(ok && v.complete(), whole) << "one byte at a time";
  return whole;
}

// The index of the byte at which feeding one byte at a time first fails.
std::size_t failing_byte(std::string_view text) {
  Utf8Validator v;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!v.feed(text.data() + i, 1)) return i;
  return text.size();
}

TEST(Utf8ValidatorTest, AsciiAndKuhnsGreekWordAreValid) {
  EXPECT_TRUE(valid_every_way(""));
  EXPECT_TRUE(valid_every_way("Hello, world! long enough for the fast path"));
  EXPECT_TRUE(valid_every_way("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"));
}

TEST(Utf8ValidatorTest, BoundaryCodePointsAreValidAtEverySplitPoint) {
  // Kuhn §2: first and last of each length, and other boundaries.
  std::string text;
  for (std::uint32_t cp :
       {0x00u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFEu,
        0xFFFFu, 0x10000u, 0x10FFFFu}) {
    EXPECT_TRUE(valid_every_way(encode(cp))) << std::hex << cp;
    text += encode(cp) + "x";
  }
  EXPECT_TRUE(valid_every_way(text));
}

TEST(Utf8ValidatorTest, EveryScalarValueIsValidAndEverySurrogateIsNot) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    const std::string s = encode(cp);
    if (Utf8Validator::is_valid(s) == surrogate) {
      ADD_FAILURE() << std::hex << "U+" << cp;
      return;
    }
  }
}

TEST(Utf8ValidatorTest, UnexpectedContinuationBytesAreInvalid) {
  // Kuhn §3.1, every continuation byte alone and in runs.
  for (int b = 0x80; b <= 0xBF; ++b)
    EXPECT_FALSE(valid_every_way(std::string(1, static_cast<char>(b)))) << b;
  EXPECT_FALSE(valid_every_way("\x80\xBF\x80\xBF"));
  EXPECT_FALSE(valid_every_way("a\xC2\x80\x80"));
}

TEST(Utf8ValidatorTest, LonelyStartBytesAreInvalid) {
  // Kuhn §3.2: every start byte followed by a space.
  for (int b = 0xC0; b <= 0xFF; ++b) {
    EXPECT_FALSE(valid_every_way(std::string{static_cast<char>(b), ' '})) << b;
  }
}

TEST(Utf8ValidatorTest, TruncatedSequencesAreIncompleteNotFailed) {
  // Kuhn §3.3: the last continuation byte missing. Nothing proves the
  // bytes wrong yet, but the text may not end there.
  for (std::string_view s : {"\xC2", "\xDF", "\xE0\xA0", "\xEF\xBF",
                             "\xF0\x90\x80", "\xF4\x8F\xBF", "ab\xE2\x82"}) {
    Utf8Validator v;
    EXPECT_TRUE(v.feed(s)) << ::testing::PrintToString(s);
    EXPECT_FALSE(v.complete()) << ::testing::PrintToString(s);
    EXPECT_FALSE(valid_every_way(s));
  }
  // Kuhn §3.4: all of them concatenated.
  EXPECT_FALSE(valid_every_way("\xC2\xE0\xA0\xF0\x90\x80\xDF\xEF\xBF"));
}

TEST(Utf8ValidatorTest, ImpossibleBytesAreInvalid) {
  // Kuhn §3.5, and everything past F4.
  for (int b : {0xF5, 0xF7, 0xF8, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF})
    EXPECT_FALSE(valid_every_way(std::string(1, static_cast<char>(b)))) << b;
  EXPECT_FALSE(valid_every_way("\xFE\xFE\xFF\xFF"));
}

TEST(Utf8ValidatorTest, OverlongFormsAreInvalid) {
  // Kuhn §4: "/" overlong, maximum overlongs, overlong NUL.
  for (std::string_view s :
       {"\xC0\xAF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF", "\xF8\x80\x80\x80\xAF",
        "\xFC\x80\x80\x80\x80\xAF", "\xC1\xBF", "\xE0\x9F\xBF",
        "\xF0\x8F\xBF\xBF", "\xC0\x80", "\xE0\x80\x80", "\xF0\x80\x80\x80"})
    EXPECT_FALSE(valid_every_way(s)) << ::testing::PrintToString(s);
}

TEST(Utf8ValidatorTest, SurrogatesAreInvalid) {
  // Kuhn §5.1 and §5.2: single and paired UTF-16 surrogates.
  for (std::string_view s :
       {"\xED\xA0\x80", "\xED\xAD\xBF", "\xED\xAE\x80", "\xED\xAF\xBF",
        "\xED\xB0\x80", "\xED\xBE\x80", "\xED\xBF\xBF",
        "\xED\xA0\x80\xED\xB0\x80", "\xED\xAF\xBF\xED\xBF\xBF"})
    EXPECT_FALSE(valid_every_way(s)) << ::testing::PrintToString(s);
}

TEST(Utf8ValidatorTest, CodePointsAboveU10FFFFAreInvalid) {
  for (std::string_view s : {"\xF4\x90\x80\x80", "\xF4\xBF\xBF\xBF",
                             "\xF5\x80\x80\x80", "\xF7\xBF\xBF\xBF"})
    EXPECT_FALSE(valid_every_way(s)) << ::testing::PrintToString(s);
}

TEST(Utf8ValidatorTest, FailsAtTheFirstByteThatProvesTheTextInvalid) {
  EXPECT_EQ(failing_byte("ab\xC0\xAF"), 2u);             // C0 is never valid
  EXPECT_EQ(failing_byte("\xE0\x80\x80"), 1u);           // overlong after E0
  EXPECT_EQ(failing_byte("\xED\xA0\x80"), 1u);           // surrogate after ED
  EXPECT_EQ(failing_byte("\xF4\x90\x80\x80"), 1u);       // past U+10FFFF
  EXPECT_EQ(failing_byte("\xE2\x82\x28"), 2u);           // bad continuation
  EXPECT_EQ(failing_byte("0123456789abcdef\xFF"), 16u);  // after fast path
}

TEST(Utf8ValidatorTest, FailureIsStickyUntilReset) {
  Utf8Validator v;
  EXPECT_FALSE(v.feed("\xFF"));
  EXPECT_TRUE(v.failed());
  EXPECT_FALSE(v.feed("a"));
  EXPECT_FALSE(v.complete());
  v.reset();
  EXPECT_TRUE(v.feed("a"));
  EXPECT_TRUE(v.complete());
}

TEST(Utf8ValidatorTest, ACodePointCarriesAcrossManyFeeds) {
  Utf8Validator v;
  EXPECT_TRUE(v.feed("\xF0"));
  EXPECT_TRUE(v.feed(""));
  EXPECT_TRUE(v.feed("\x9F"));
  EXPECT_TRUE(v.feed("\x98"));
  EXPECT_FALSE(v.complete());
  EXPECT_TRUE(v.feed("\x80"));
  EXPECT_TRUE(v.complete());
}

}  // namespace
}  // namespace gale::websocket

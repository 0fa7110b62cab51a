// Percent-decoding, form arguments and request-target splitting.
#include "server/http/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gale {
namespace {

// ---- percent_decode ---------------------------------------------------------

TEST(UrlTest, PercentDecodeDecodesEscapesInEitherCase) {
  EXPECT_EQ(percent_decode("a%20b"), "a b");
  EXPECT_EQ(percent_decode("%2F%2f"), "//");
  EXPECT_EQ(percent_decode("%C3%A9"), "\xc3\xa9");
  EXPECT_EQ(percent_decode("%e2%82%AC"), "\xe2\x82\xac");
}

TEST(UrlTest, PercentDecodeLeavesOtherBytesAlone) {
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain-text_~.!*'()"), "plain-text_~.!*'()");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
}

TEST(UrlTest, PercentDecodeOfEscapesAtTheEdges) {
  EXPECT_EQ(percent_decode("%41"), "A");
  EXPECT_EQ(percent_decode("x%41"), "xA");
  EXPECT_EQ(percent_decode("%41x"), "Ax");
  EXPECT_EQ(percent_decode("%25%25"), "%%");
}

TEST(UrlTest, PercentDecodeOfNulAndHighBytes) {
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("%FF"), "\xff");
}

TEST(UrlTest, PercentDecodeRejectsMalformedEscapes) {
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("a%"));
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("a%4"));
  EXPECT_FALSE(percent_decode("%G1"));
  EXPECT_FALSE(percent_decode("%1G"));
  EXPECT_FALSE(percent_decode("%%41"));
  EXPECT_FALSE(percent_decode("% 1"));
  EXPECT_FALSE(percent_decode("%-1"));
}

TEST(UrlTest, PercentDecodeTreatsPlusAsSpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");  // an encoded + stays +
  EXPECT_EQ(percent_decode("++", true), "  ");
}

// ---- percent_encode
// -------------------------------------------------------------

TEST(UrlTest, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(percent_encode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(percent_encode("a b/c?d"), "a%20b%2Fc%3Fd");
  EXPECT_EQ(percent_encode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(percent_encode(std::string(1, '\0')), "%00");
}

TEST(UrlTest, PercentEncodeCanKeepSlashes) {
  EXPECT_EQ(percent_encode("/a b/c", true), "/a%20b/c");
}

TEST(UrlTest, PercentEncodeRoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c)
    all += static_cast<char>(c);
  EXPECT_EQ(percent_decode(percent_encode(all)), all);
}

// ---- parse_form_urlencoded
// ----------------------------------------------------

Arguments parse(std::string_view s) {
  Arguments out;
  parse_form_urlencoded(s, out);
  return out;
}

TEST(UrlTest, FormArgumentsInOrderWithRepeats) {
  EXPECT_EQ(parse("a=1&b=2&a=3"),
            (Arguments{{"a", "1"}, {"b", "2"}, {"a", "3"}}));
}

TEST(UrlTest, FormArgumentsDecodePlusAsSpaceAndEscapes) {
  EXPECT_EQ(parse("q=hello+world&x=%26%3D&n%20m=v"),
            (Arguments{{"q", "hello world"}, {"x", "&="}, {"n m", "v"}}));
}

TEST(UrlTest, FormArgumentsKeepBlankValues) {
  // As Tornado (keep_blank_values=True).
  EXPECT_EQ(parse("a=&b&c=1"), (Arguments{{"a", ""}, {"b", ""}, {"c", "1"}}));
}

TEST(UrlTest, FormArgumentValueMayContainEquals) {
  EXPECT_EQ(parse("a=b=c"), (Arguments{{"a", "b=c"}}));
}

TEST(UrlTest, FormArgumentsSkipEmptyPairs) {
  EXPECT_EQ(parse("&&a=1&&"), (Arguments{{"a", "1"}}));
  EXPECT_EQ(parse(""), Arguments{});
}

TEST(UrlTest, FormArgumentsSkipMalformedEscapes) {
  EXPECT_EQ(parse("a=%ZZ&b=2&c%=3"), (Arguments{{"b", "2"}}));
}

TEST(UrlTest, FormArgumentsAppendToWhatIsThere) {
  Arguments out{{"x", "0"}};
  parse_form_urlencoded("y=1", out);
  EXPECT_EQ(out, (Arguments{{"x", "0"}, {"y", "1"}}));
}

// ---- split_target
// ---------------------------------------------------------------

void expect_split(std::string_view target, std::string_view path,
                  std::string_view query) {
  TargetParts p = split_target(target);
  EXPECT_EQ(p.path, path) << target;
  EXPECT_EQ(p.query, query) << target;
}

TEST(UrlTest, SplitOriginForm) {
  expect_split("/a/b", "/a/b", "");
  expect_split("/a/b?x=1&y=2", "/a/b", "x=1&y=2");
  expect_split("/?", "/", "");
  expect_split("/a?b?c", "/a", "b?c");
}

TEST(UrlTest, SplitDropsAFragment) {
  expect_split("/a#frag", "/a", "");
  expect_split("/a?x=1#frag", "/a", "x=1");
  expect_split("/a#frag?notquery", "/a", "");
}

TEST(UrlTest, SplitAbsoluteForm) {
  expect_split("http://example.com/a/b?x=1", "/a/b", "x=1");
  expect_split("https://example.com:8443/a", "/a", "");
  expect_split("http://user@example.com/", "/", "");
}

TEST(UrlTest, SplitAbsoluteFormWithoutPathIsTheRoot) {
  expect_split("http://example.com", "/", "");
}

TEST(UrlTest, SplitAbsoluteFormWithQueryButNoPathIsTheRoot) {
  // Regression: "http://h?x=1" gave an empty path, which no route matches;
  // RFC 9112 §3.2.2: an empty path in absolute-form means "/".
  expect_split("http://example.com?x=1", "/", "x=1");
}

TEST(UrlTest, SplitAsteriskAndAuthorityForm) {
  expect_split("*", "*", "");
  expect_split("example.com:443", "example.com:443", "");
}

}  // namespace
}  // namespace gale

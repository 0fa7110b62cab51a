// Every ParseError maps to exactly the status SPEC §4 names, with a reason.
#include "server/http/parse_error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

namespace gale {
namespace {

TEST(ParseErrorTest, FramingErrorsAre400) {
  for (ParseError e : {ParseError::bad_request_line, ParseError::bad_header,
                       ParseError::obs_fold, ParseError::bad_content_length,
                       ParseError::conflicting_content_length,
                       ParseError::content_length_with_transfer_encoding,
                       ParseError::bad_chunk})
    EXPECT_EQ(status_for(e), 400) << describe(e);
}

TEST(ParseErrorTest, UnsupportedTransferCodingIs501) {
  EXPECT_EQ(status_for(ParseError::unsupported_transfer_coding), 501);
}

TEST(ParseErrorTest, RequestLineTooLongIs414) {
  EXPECT_EQ(status_for(ParseError::request_line_too_long), 414);
}

TEST(ParseErrorTest, HeadersTooLargeIs431) {
  EXPECT_EQ(status_for(ParseError::headers_too_large), 431);
}

TEST(ParseErrorTest, BodyTooLargeIs413) {
  EXPECT_EQ(status_for(ParseError::body_too_large), 413);
}

TEST(ParseErrorTest, VersionNotSupportedIs505) {
  EXPECT_EQ(status_for(ParseError::version_not_supported), 505);
}

TEST(ParseErrorTest, UnknownMethodIs501_Issue14) {
  EXPECT_EQ(status_for(ParseError::unknown_method), 501);
}

TEST(ParseErrorTest, EveryErrorHasItsOwnShortDescription) {
  std::set<std::string_view> seen;
  for (int i = 0; i <= static_cast<int>(kLastParseError); ++i) {
    std::string_view d = describe(static_cast<ParseError>(i));
    EXPECT_FALSE(d.empty());
    EXPECT_LT(d.size(), 60u);
    EXPECT_EQ(d.find('\n'), std::string_view::npos);
    EXPECT_TRUE(seen.insert(d).second) << d;
  }
}

}  // namespace
}  // namespace gale

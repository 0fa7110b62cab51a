// The Date cache: IMF-fixdate and CLF formatting, refreshed only on a new
// second, and parsing of the three RFC 9110 §5.6.7 date formats.
#include "server/http/date_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gale {
namespace {

// RFC 9110's example instant: Sun, 06 Nov 1994 08:49:37 GMT.
constexpr std::time_t kExample = 784111777;

std::string format(std::time_t t) {
  char buf[30];
  format_http_date(t, buf);
  return buf;
}

TEST(DateCacheTest, FormatsImfFixdate) {
  EXPECT_EQ(format(kExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format(4102444799), "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST(DateCacheTest, CacheHoldsBothFormatsOfOneInstant) {
  DateCache cache;
  cache.refresh(kExample);
  EXPECT_EQ(cache.http_date(), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(cache.clf_date(), "06/Nov/1994:08:49:37 +0000");
  EXPECT_EQ(cache.seconds(), kExample);
}

TEST(DateCacheTest, StartsAtTheCurrentTime) {
  std::time_t before = std::time(nullptr);
  DateCache cache;
  std::time_t after = std::time(nullptr);
  EXPECT_GE(cache.seconds(), before);
  EXPECT_LE(cache.seconds(), after);
  EXPECT_EQ(cache.http_date(), format(cache.seconds()));
}

TEST(DateCacheTest, RefreshChangesOnlyOnANewSecond) {
  DateCache cache;
  cache.refresh(kExample);
  const char* storage = cache.http_date().data();
  std::string first(cache.http_date());
  cache.refresh(kExample);
  EXPECT_EQ(cache.http_date(), first);
  EXPECT_EQ(cache.http_date().data(), storage);  // the same buffer, reused
  cache.refresh(kExample + 1);
  EXPECT_EQ(cache.http_date(), "Sun, 06 Nov 1994 08:49:38 GMT");
  EXPECT_EQ(cache.clf_date(), "06/Nov/1994:08:49:38 +0000");
  EXPECT_EQ(cache.http_date().data(), storage);
}

TEST(DateCacheTest, ViewsHaveTheExactLengths) {
  DateCache cache;
  cache.refresh(kExample);
  EXPECT_EQ(cache.http_date().size(), 29u);
  EXPECT_EQ(cache.clf_date().size(), 26u);
}

// ---- parse_http_date
// ---------------------------------------------------------

TEST(DateCacheTest, ParsesImfFixdate) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
}

TEST(DateCacheTest, ParsesRfc850Date) {
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kExample);
}

TEST(DateCacheTest, ParsesAsctimeDate) {
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kExample);
}

TEST(DateCacheTest, Rfc850TwoDigitYearsBelowSeventyAreThisCentury) {
  EXPECT_EQ(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT"), 0);
  EXPECT_EQ(parse_http_date("Saturday, 01-Jan-00 00:00:00 GMT"), 946684800);
}

TEST(DateCacheTest, FormatAndParseRoundTrip) {
  for (std::time_t t : {std::time_t{0}, kExample, std::time_t{1700000000},
                        std::time_t{4102444799}})
    EXPECT_EQ(parse_http_date(format(t)), t) << t;
}

TEST(DateCacheTest, InvalidDatesAreMinusOne) {
  for (const char* bad : {
           "",
           "garbage",
           "Sun, 06 Nov 1994 08:49:37",      // no zone
           "Sun, 06 Nov 1994 08:49:37 UTC",  // wrong zone
           "Sun, 06 Nov 1994 08:49:37 GMT junk",
           "Sun, 06 Foo 1994 08:49:37 GMT",  // no such month
           "Sun, 32 Nov 1994 08:49:37 GMT",
           "Sun, 00 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 24:49:37 GMT",
           "Sun, 06 Nov 1994 08:60:37 GMT",
           "Sun, 06 Nov 1994 08:49:61 GMT",
           "Sun, 06 Nov 1994 -1:49:37 GMT",  // negative fields
           "Sun, 06 Nov 1994 08:-1:37 GMT",
           "Sun, 06 Nov 1994 08:49:-1 GMT",
           "Sunday, 06-Nov-94 08:49:37",
           "Sun Nov  6 08:49:37",
           "1994-11-06T08:49:37Z",
       }) {
    EXPECT_EQ(parse_http_date(bad), -1) << bad;
  }
}

}  // namespace
}  // namespace gale

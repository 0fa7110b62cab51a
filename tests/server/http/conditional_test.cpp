#include "server/http/conditional.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "server/http/date_cache.hpp"

namespace gale {
namespace {

constexpr std::string_view kTag = "\"abc-1-2\"";
// Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::time_t kModified = 784111777;

std::string date(std::time_t t) {
  char buf[32];
  format_http_date(t, buf);
  return buf;
}

Precondition eval(std::initializer_list<HeaderView> fields) {
  RequestHeaders h;
  for (const HeaderView& f : fields)
    h.add(f.name, f.value);
  return evaluate_preconditions(h, Validators{kTag, kModified});
}

TEST(MakeEtag, StrongAndBuiltFromInodeSizeAndMtimeNanoseconds) {
  struct stat st {};
  st.st_ino = 0x1234;
  st.st_size = 4096;
  st.st_mtim.tv_sec = 1;
  st.st_mtim.tv_nsec = 5;
  // 1 s + 5 ns = 1000000005 ns = 0x3b9aca05.
  EXPECT_EQ(make_etag(st), "\"1234-1000-3b9aca05\"");
  EXPECT_EQ(make_etag(st, "gz"), "\"1234-1000-3b9aca05-gz\"");
  EXPECT_TRUE(std::regex_match(make_etag(st), std::regex("\"[0-9a-f-]+\"")));
}

TEST(MakeEtag, EveryPartChangesTheTag) {
  struct stat a {};
  a.st_ino = 1;
  a.st_size = 2;
  a.st_mtim.tv_sec = 3;
  struct stat b = a;
  b.st_ino = 9;
  EXPECT_NE(make_etag(a), make_etag(b));
  b = a;
  b.st_size = 9;
  EXPECT_NE(make_etag(a), make_etag(b));
  b = a;
  b.st_mtim.tv_nsec = 1;  // a rewrite within the same second
  EXPECT_NE(make_etag(a), make_etag(b));
  EXPECT_NE(make_etag(a), make_etag(a, "gz"));
}

TEST(EtagList, WeakComparison) {
  EXPECT_TRUE(etag_list_matches("\"abc-1-2\"", kTag, true));
  EXPECT_TRUE(etag_list_matches("W/\"abc-1-2\"", kTag, true));
  EXPECT_TRUE(etag_list_matches("\"x\", \"abc-1-2\"", kTag, true));
  EXPECT_TRUE(etag_list_matches("\"x\",W/\"abc-1-2\" ,\"y\"", kTag, true));
  EXPECT_FALSE(etag_list_matches("\"abc-1-3\"", kTag, true));
  EXPECT_FALSE(etag_list_matches("abc-1-2", kTag, true));  // unquoted
  EXPECT_FALSE(etag_list_matches("", kTag, true));
}

TEST(EtagList, StrongComparisonRefusesWeakTags) {
  EXPECT_TRUE(etag_list_matches("\"abc-1-2\"", kTag, false));
  EXPECT_FALSE(etag_list_matches("W/\"abc-1-2\"", kTag, false));
  EXPECT_TRUE(etag_list_matches("W/\"abc-1-2\", \"abc-1-2\"", kTag, false));
}

TEST(EtagList, AMalformedElementEndsTheList) {
  EXPECT_FALSE(etag_list_matches("junk, \"abc-1-2\"", kTag, true));
  EXPECT_TRUE(etag_list_matches("\"abc-1-2\", junk", kTag, true));
  EXPECT_FALSE(etag_list_matches("\"abc-1-2", kTag, true));  // unterminated
}

TEST(Preconditions, NoneIsProceed) {
  EXPECT_EQ(eval({}), Precondition::proceed);
}

TEST(Preconditions, IfNoneMatch) {
  EXPECT_EQ(eval({{"If-None-Match", kTag}}), Precondition::not_modified);
  EXPECT_EQ(eval({{"If-None-Match", "W/\"abc-1-2\""}}),
            Precondition::not_modified);
  EXPECT_EQ(eval({{"If-None-Match", "\"a\", \"abc-1-2\""}}),
            Precondition::not_modified);
  EXPECT_EQ(eval({{"If-None-Match", "*"}}), Precondition::not_modified);
  EXPECT_EQ(eval({{"If-None-Match", " * "}}), Precondition::not_modified);
  EXPECT_EQ(eval({{"If-None-Match", "\"other\""}}), Precondition::proceed);
  // Repeated fields are one list.
  EXPECT_EQ(eval({{"If-None-Match", "\"a\""}, {"If-None-Match", kTag}}),
            Precondition::not_modified);
}

TEST(Preconditions, IfModifiedSince) {
  EXPECT_EQ(eval({{"If-Modified-Since", date(kModified)}}),
            Precondition::not_modified);
  EXPECT_EQ(eval({{"If-Modified-Since", date(kModified + 3600)}}),
            Precondition::not_modified);
  EXPECT_EQ(eval({{"If-Modified-Since", date(kModified - 1)}}),
            Precondition::proceed);
  // The two obsolete formats RFC 9110 asks recipients to accept.
  EXPECT_EQ(eval({{"If-Modified-Since", "Sunday, 06-Nov-94 08:49:37 GMT"}}),
            Precondition::not_modified);
  EXPECT_EQ(eval({{"If-Modified-Since", "Sun Nov  6 08:49:37 1994"}}),
            Precondition::not_modified);
  // Not a date: ignored.
  EXPECT_EQ(eval({{"If-Modified-Since", "yesterday"}}), Precondition::proceed);
  EXPECT_EQ(eval({{"If-Modified-Since", ""}}), Precondition::proceed);
}

TEST(Preconditions, IfNoneMatchTakesPrecedenceOverIfModifiedSince) {
  // The tag differs: the date is not even looked at.
  EXPECT_EQ(eval({{"If-None-Match", "\"other\""},
                  {"If-Modified-Since", date(kModified + 10)}}),
            Precondition::proceed);
  EXPECT_EQ(eval({{"If-None-Match", kTag},
                  {"If-Modified-Since", date(kModified - 10)}}),
            Precondition::not_modified);
}

TEST(Preconditions, IfMatch) {
  EXPECT_EQ(eval({{"If-Match", kTag}}), Precondition::proceed);
  EXPECT_EQ(eval({{"If-Match", "*"}}), Precondition::proceed);
  EXPECT_EQ(eval({{"If-Match", "\"other\""}}),
            Precondition::precondition_failed);
  // Strong comparison: a weak tag never satisfies If-Match.
  EXPECT_EQ(eval({{"If-Match", "W/\"abc-1-2\""}}),
            Precondition::precondition_failed);
  // It is evaluated before If-None-Match.
  EXPECT_EQ(eval({{"If-Match", "\"other\""}, {"If-None-Match", kTag}}),
            Precondition::precondition_failed);
}

TEST(Preconditions, IfUnmodifiedSince) {
  EXPECT_EQ(eval({{"If-Unmodified-Since", date(kModified)}}),
            Precondition::proceed);
  EXPECT_EQ(eval({{"If-Unmodified-Since", date(kModified - 1)}}),
            Precondition::precondition_failed);
  EXPECT_EQ(eval({{"If-Unmodified-Since", "garbage"}}), Precondition::proceed);
  // Ignored when If-Match is present.
  EXPECT_EQ(
      eval({{"If-Match", kTag}, {"If-Unmodified-Since", date(kModified - 1)}}),
      Precondition::proceed);
}

TEST(IfRange, AbsentAllows) {
  EXPECT_TRUE(if_range_allows("", Validators{kTag, kModified}, kModified + 5));
}

TEST(IfRange, EntityTagNeedsAStrongMatch) {
  Validators v{kTag, kModified};
  EXPECT_TRUE(if_range_allows(kTag, v, kModified + 5));
  EXPECT_FALSE(if_range_allows("\"other\"", v, kModified + 5));
  EXPECT_FALSE(if_range_allows("W/\"abc-1-2\"", v, kModified + 5));
  // One tag only: If-Range takes no list.
  EXPECT_FALSE(if_range_allows("\"abc-1-2\", \"x\"", v, kModified + 5));
}

TEST(IfRange, DateMustEqualAStrongLastModified) {
  Validators v{kTag, kModified};
  EXPECT_TRUE(if_range_allows(date(kModified), v, kModified + 5));
  EXPECT_FALSE(if_range_allows(date(kModified + 1), v, kModified + 5));
  EXPECT_FALSE(if_range_allows(date(kModified - 1), v, kModified + 5));
  // Modified within the current second: the date is a weak validator.
  EXPECT_FALSE(if_range_allows(date(kModified), v, kModified));
  EXPECT_FALSE(if_range_allows("not a date", v, kModified + 5));
}

}  // namespace
}  // namespace gale

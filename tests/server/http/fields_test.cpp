// Header field helpers: case-insensitive names, token lists, OWS, the
// request's field views and the response's owned fields.
#include "server/http/fields.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

namespace gale {
namespace {

TEST(HttpHeadersTest, IequalsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("a", "ab"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_FALSE(iequals("\xc3\xa9", "\xc3\x89"));  // no Unicode folding
  EXPECT_FALSE(iequals("[", "{"));  // '[' + 32 is '{': not letters
  EXPECT_FALSE(iequals("@", "`"));
}

TEST(HttpHeadersTest, TrimOwsStripsSpacesAndTabsOnly) {
  EXPECT_EQ(trim_ows(" \t a b \t "), "a b");
  EXPECT_EQ(trim_ows(""), "");
  EXPECT_EQ(trim_ows(" \t "), "");
  EXPECT_EQ(trim_ows("\r\na\n"), "\r\na\n");
}

TEST(HttpHeadersTest, HasTokenFindsListElements) {
  EXPECT_TRUE(has_token("close", "close"));
  EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(has_token(" TE ,\tclose ", "close"));
  EXPECT_TRUE(has_token(",,close,", "close"));
  EXPECT_FALSE(has_token("closed", "close"));
  EXPECT_FALSE(has_token("not-close", "close"));
  EXPECT_FALSE(has_token("", "close"));
  EXPECT_FALSE(has_token("clo se", "close"));
}

TEST(HttpHeadersTest, RequestHeadersLookupsIgnoreCaseAndTakeTheFirst) {
  RequestHeaders h;
  h.add("Host", "a");
  h.add("X-Multi", "1");
  h.add("x-multi", "2");
  EXPECT_EQ(h.get("host"), "a");
  EXPECT_EQ(h.get("X-MULTI"), "1");
  EXPECT_EQ(h.get("missing"), "");
  EXPECT_EQ(h.get("missing", "fallback"), "fallback");
  EXPECT_TRUE(h.contains("HOST"));
  EXPECT_FALSE(h.contains("Hos"));
  EXPECT_EQ(h.size(), 3u);
  h.clear();
  EXPECT_EQ(h.size(), 0u);
  EXPECT_FALSE(h.contains("host"));
}

TEST(HttpHeadersTest, RequestHeadersIterateInArrivalOrder) {
  std::deque<std::string> values;  // the fields are views: keep them alive
  RequestHeaders h;
  for (int i = 0; i < 40; ++i)  // past the inline capacity
    h.add("N", values.emplace_back(std::to_string(i)));
  int i = 0;
  for (const HeaderView& f : h)
    EXPECT_EQ(f.value, std::to_string(i++));
  EXPECT_EQ(i, 40);
}

std::vector<ResponseHeaders::Field> fields(const ResponseHeaders& h) {
  return {h.begin(), h.end()};
}

TEST(HttpHeadersTest, ResponseSetReplacesEveryFieldOfThatName) {
  ResponseHeaders h;
  h.add("Set-Cookie", "a=1");
  h.add("X", "x");
  h.add("set-cookie", "b=2");
  h.set("SET-COOKIE", "c=3");
  using F = ResponseHeaders::Field;
  EXPECT_EQ(fields(h), (std::vector<F>{{"Set-Cookie", "c=3"}, {"X", "x"}}));
}

TEST(HttpHeadersTest, ResponseSetAppendsANewField) {
  ResponseHeaders h;
  h.set("A", "1");
  h.set("B", "2");
  h.set("a", "3");
  using F = ResponseHeaders::Field;
  EXPECT_EQ(fields(h), (std::vector<F>{{"A", "3"}, {"B", "2"}}));
}

TEST(HttpHeadersTest, ResponseAddKeepsEarlierFields) {
  ResponseHeaders h;
  h.add("Link", "<a>");
  h.add("Link", "<b>");
  using F = ResponseHeaders::Field;
  EXPECT_EQ(fields(h), (std::vector<F>{{"Link", "<a>"}, {"Link", "<b>"}}));
  ASSERT_NE(h.find("link"), nullptr);
  EXPECT_EQ(*h.find("link"), "<a>");
}

TEST(HttpHeadersTest, ResponseRemoveAndFind) {
  ResponseHeaders h;
  h.add("A", "1");
  h.add("B", "2");
  h.add("a", "3");
  h.remove("A");
  using F = ResponseHeaders::Field;
  EXPECT_EQ(fields(h), (std::vector<F>{{"B", "2"}}));
  EXPECT_EQ(h.find("a"), nullptr);
  h.remove("missing");
  h.clear();
  EXPECT_EQ(h.begin(), h.end());
}

TEST(HttpHeadersTest, ResponseValueWithCrOrLfIsRejected) {
  // A header can never smuggle a second response.
  ResponseHeaders h;
  EXPECT_THROW(h.set("Location", "/a\r\nSet-Cookie: x=1"),
               std::invalid_argument);
  EXPECT_THROW(h.add("X", "a\nb"), std::invalid_argument);
  EXPECT_THROW(h.add("X", "a\rb"), std::invalid_argument);
  EXPECT_EQ(h.begin(), h.end());
}

TEST(HttpHeadersTest, ResponseInvalidNameIsRejected) {
  ResponseHeaders h;
  for (const char* bad : {"", "A B", "A:B", "A\tB", "A\r\nB", "A\n"})
    EXPECT_THROW(h.set(bad, "v"), std::invalid_argument) << bad;
  EXPECT_EQ(h.begin(), h.end());
}

TEST(HttpHeadersTest, ResponseValueMayBeEmptyOrHoldObsText) {
  ResponseHeaders h;
  h.set("Empty", "");
  h.set("Utf8", "caf\xc3\xa9");
  EXPECT_EQ(*h.find("empty"), "");
  EXPECT_EQ(*h.find("utf8"), "caf\xc3\xa9");
}

}  // namespace
}  // namespace gale

// Json: every value kind, RFC 8259 string escaping, insertion order.
#include "server/web/json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace gale {
namespace {

TEST(JsonTest, Scalars) {
  EXPECT_EQ(Json().dump(), "null");
  EXPECT_EQ(Json(nullptr).dump(), "null");
  EXPECT_EQ(Json(true).dump(), "true");
  EXPECT_EQ(Json(false).dump(), "false");
  EXPECT_EQ(Json(0).dump(), "0");
  EXPECT_EQ(Json(-42).dump(), "-42");
  EXPECT_EQ(Json(42u).dump(), "42");
}

TEST(JsonTest, IntegerExtremes) {
  EXPECT_EQ(Json(std::numeric_limits<std::int64_t>::min()).dump(),
            "-9223372036854775808");
  EXPECT_EQ(Json(std::numeric_limits<std::uint64_t>::max()).dump(),
            "18446744073709551615");
  EXPECT_EQ(Json(static_cast<short>(-7)).dump(), "-7");
  EXPECT_EQ(Json(static_cast<unsigned char>(200)).dump(), "200");
}

TEST(JsonTest, DoublesAreShortestRoundTrip) {
  EXPECT_EQ(Json(1.5).dump(), "1.5");
  EXPECT_EQ(Json(0.1).dump(), "0.1");
  EXPECT_EQ(Json(-2.0).dump(), "-2");
  EXPECT_EQ(Json(1e300).dump(), "1e+300");
}

TEST(JsonTest, NonFiniteDoublesAreNull) {
  EXPECT_EQ(Json(std::nan("")).dump(), "null");
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()).dump(), "null");
  EXPECT_EQ(Json(-std::numeric_limits<double>::infinity()).dump(), "null");
}

TEST(JsonTest, StringsFromEveryStringType) {
  std::string s = "str";
  EXPECT_EQ(Json("lit").dump(), "\"lit\"");
  EXPECT_EQ(Json(std::string_view("view")).dump(), "\"view\"");
  EXPECT_EQ(Json(s).dump(), "\"str\"");
  EXPECT_EQ(Json("").dump(), "\"\"");
}

TEST(JsonTest, StringEscapesQuotesBackslashAndControls) {
  EXPECT_EQ(Json("a\"b\\c").dump(), R"("a\"b\\c")");
  EXPECT_EQ(Json("\n\r\t").dump(), R"("\n\r\t")");
  EXPECT_EQ(Json(std::string("\0\x01\x1f", 3)).dump(),
            R"("\u0000\u0001\u001f")");
  EXPECT_EQ(Json("\b\f").dump(), R"("\u0008\u000c")");
}

TEST(JsonTest, StringEscapesHtmlSpecialsForScriptSafety) {
  EXPECT_EQ(Json("</script><b>&").dump(),
            R"("\u003c/script\u003e\u003cb\u003e\u0026")");
}

TEST(JsonTest, StringPassesUtf8AndDelThrough) {
  EXPECT_EQ(Json("caf\xc3\xa9 \xe2\x82\xac\x7f").dump(),
            "\"caf\xc3\xa9 \xe2\x82\xac\x7f\"");
  EXPECT_EQ(Json("/").dump(), "\"/\"");
}

TEST(JsonTest, ObjectsKeepInsertionOrderAndEscapeKeys) {
  Json o = Json::object({{"z", 1}, {"a", "x"}});
  o.set("k\"ey", nullptr);
  EXPECT_EQ(o.dump(), R"({"z":1,"a":"x","k\"ey":null})");
  EXPECT_EQ(Json::object().dump(), "{}");
}

TEST(JsonTest, ArraysAndNesting) {
  Json a = Json::array({1, "two", Json::array(), Json::object({{"x", true}})});
  a.push_back(2.5);
  EXPECT_EQ(a.dump(), R"([1,"two",[],{"x":true},2.5])");
  EXPECT_EQ(Json::array(Json::Array{Json(1), Json(2)}).dump(), "[1,2]");
}

TEST(JsonTest, SetOnANonObjectAndPushOnANonArrayThrow) {
  Json a = Json::array();
  Json o = Json::object();
  Json n;
  EXPECT_THROW(a.set("k", 1), std::logic_error);
  EXPECT_THROW(n.set("k", 1), std::logic_error);
  EXPECT_THROW(o.push_back(1), std::logic_error);
  EXPECT_THROW(n.push_back(1), std::logic_error);
}

TEST(JsonTest, DumpToAppends) {
  std::string out = "x=";
  Json::object({{"a", 1}}).dump_to(out);
  EXPECT_EQ(out, R"(x={"a":1})");
}

TEST(JsonTest, AppendJsonStringAlone) {
  std::string out;
  append_json_string(out, "a\"");
  EXPECT_EQ(out, R"("a\"")");
}

}  // namespace
}  // namespace gale

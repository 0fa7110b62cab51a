// JSON in and out of a handler, on Boost.JSON, through the in-memory
// harness: write(json) with its Content-Type and HTML-safe escaping,
// json_body() with a 400 that names the parser's complaint.
//
// Decided here: json_body() parses whatever the Content-Type says (as
// Tornado handlers call json.loads(self.request.body)); a handler that
// wants to insist on application/json checks the field itself.
#include "server/web/json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "server/web/application.hpp"
#include "server/web/testing/handler_harness.hpp"

namespace gale {
namespace {

namespace json = boost::json;
using testing::SentResponse;

struct WriteJsonHandler : RequestHandler {
  explicit WriteJsonHandler(json::value v) : value_(std::move(v)) {}
  void get() override { write(value_); }
  json::value value_;
};

// Answers the body it parsed, re-serialized.
struct EchoJsonHandler : RequestHandler {
  void post() override { write(json_body()); }
};

SentResponse written(json::value v) {
  Application app({{"/", handler<WriteJsonHandler>(std::move(v))}});
  return testing::fetch(app, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
}

SentResponse posted(std::string_view body,
                    std::string_view type = "application/json") {
  Application app({{"/", handler<EchoJsonHandler>()}});
  std::string raw = "POST / HTTP/1.1\r\nHost: t\r\n";
  if (!type.empty()) raw.append("Content-Type: ").append(type).append("\r\n");
  raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  raw += body;
  ::testing::internal::CaptureStderr();  // a 400 logs a warning
  SentResponse r = testing::fetch(app, raw);
  ::testing::internal::GetCapturedStderr();
  return r;
}

// ---- write(json)
// -------------------------------------------------------------

TEST(JsonWriteTest, AnObjectWithItsContentTypeAndLength) {
  SentResponse r = written({{"pid", 1}, {"ok", true}, {"none", nullptr}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.field("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.body(), R"({"pid":1,"ok":true,"none":null})");
  EXPECT_EQ(r.length, r.body().size());
}

TEST(JsonWriteTest, NestedArraysAndObjectsKeepInsertionOrder) {
  json::object o;
  o["z"] = json::array{1, "two", json::array{}, json::object{{"x", true}}};
  o["a"] = json::object{};
  EXPECT_EQ(written(o).body(), R"({"z":[1,"two",[],{"x":true}],"a":{}})");
}

TEST(JsonWriteTest, IntegerExtremes) {
  EXPECT_EQ(written(json::array{std::numeric_limits<std::int64_t>::min(),
                                std::numeric_limits<std::uint64_t>::max()})
                .body(),
            "[-9223372036854775808,18446744073709551615]");
}

// Boost.JSON's form; any JSON reader takes it.
TEST(JsonWriteTest, DoublesInShortestRoundTripFormWithAnExponent) {
  EXPECT_EQ(written(json::array{1.5, 0.1, -2.0}).body(), "[1.5E0,1E-1,-2E0]");
}

// Boost.JSON 1.81 alone writes NaN and Infinity, which are not JSON.
TEST(JsonWriteTest, NonFiniteDoublesAreNull) {
  double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(written(json::array{std::nan(""), inf, -inf, 1.0}).body(),
            "[null,null,null,1E0]");
  EXPECT_EQ(written(-inf).body(), "null");
}

TEST(JsonWriteTest, StringEscapesQuotesBackslashAndControls) {
  EXPECT_EQ(written("a\"b\\c\n\r\t").body(), R"("a\"b\\c\n\r\t")");
  EXPECT_EQ(written(json::string("\0\x01\x1f", 3)).body(),
            R"("\u0000\u0001\u001f")");
}

// Kept from gale's own serializer: JSON inside a <script> cannot end it.
TEST(JsonWriteTest, HtmlSpecialsAreEscapedInValuesAndKeys) {
  EXPECT_EQ(written("</script><b>&").body(),
            R"("\u003c/script\u003e\u003cb\u003e\u0026")");
  EXPECT_EQ(written({{"<k&>", "\\<"}}).body(),
            R"({"\u003ck\u0026\u003e":"\\\u003c"})");
}

TEST(JsonWriteTest, Utf8PassesThroughUnescaped) {
  EXPECT_EQ(written("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80/").body(),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80/\"");
}

TEST(JsonWriteTest, AppendJsonStringAlone) {
  std::string out = "x=";
  append_json_string(out, "a\"<");
  EXPECT_EQ(out, R"(x="a\"\u003c")");
}

// ---- json_body()
// ---------------------------------------------------------------

TEST(JsonBodyTest, AnObjectParsesAndComesBack) {
  SentResponse r = posted(R"( {"a": [1, 2.5, "x"], "b": {"c": null}} )");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), R"({"a":[1,2.5E0,"x"],"b":{"c":null}})");
}

TEST(JsonBodyTest, NestedAndScalarTexts) {
  EXPECT_EQ(posted(R"([[[{"deep":[true]}]]])").body(),
            R"([[[{"deep":[true]}]]])");
  EXPECT_EQ(posted("42").body(), "42");
  EXPECT_EQ(posted("null").body(), "null");
}

TEST(JsonBodyTest, UnicodeEscapesBecomeUtf8) {
  SentResponse r = posted(R"(["caf\u00e9", "\ud83d\ude00", "€"])");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), "[\"caf\xc3\xa9\",\"\xf0\x9f\x98\x80\",\"€\"]");
}

TEST(JsonBodyTest, MalformedIs400WithTheParsersMessage) {
  SentResponse r = posted(R"({"a":1,})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body(),
            "400 Bad Request\ninvalid JSON body: syntax error at byte 7\n");
  EXPECT_EQ(r.ends, 1);
}

TEST(JsonBodyTest, EmptyBodyIs400) {
  SentResponse r = posted("");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body(),
            "400 Bad Request\ninvalid JSON body: empty, JSON expected\n");
}

TEST(JsonBodyTest, EveryKindOfBadTextIs400) {
  for (std::string_view bad : {"  ", "{", "[1] [2]", "{'a':1}", "[1,]",
                               "\"\xff\"", "tru", "// c\n1", "NaN"}) {
    SentResponse r = posted(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(r.body().starts_with("400 Bad Request\ninvalid JSON body: "))
        << r.body();
  }
  EXPECT_EQ(posted("[1] x").body(),
            "400 Bad Request\ninvalid JSON body: extra data at byte 4\n");
}

TEST(JsonBodyTest, NestingDeeperThan32Is400) {
  EXPECT_EQ(posted(std::string(32, '[') + std::string(32, ']')).status, 200);
  EXPECT_EQ(posted(std::string(33, '[') + std::string(33, ']')).status, 400);
}

TEST(JsonBodyTest, ContentTypeIsNotChecked) {
  EXPECT_EQ(posted(R"({"a":1})", "text/plain").body(), R"({"a":1})");
  EXPECT_EQ(posted(R"({"a":1})", "").body(), R"({"a":1})");
  EXPECT_EQ(posted(R"({"a":1})", "application/x-www-form-urlencoded").body(),
            R"({"a":1})");
}

// ---- parse_json() alone
// ----------------------------------------------------------

TEST(ParseJsonTest, RoundTripsThroughAppendJson) {
  std::string error = "stale";
  json::value v = parse_json(R"({"k":[1,"<",{"n":-0.5}]})", error);
  EXPECT_EQ(error, "");
  std::string out;
  append_json(out, v);
  EXPECT_EQ(out, R"({"k":[1,"\u003c",{"n":-5E-1}]})");
  EXPECT_EQ(parse_json(out, error), v);
}

TEST(ParseJsonTest, FailureGivesNullAndAnError) {
  std::string error;
  EXPECT_TRUE(parse_json("[", error).is_null());
  EXPECT_EQ(error, "incomplete JSON at byte 1");
}

}  // namespace
}  // namespace gale

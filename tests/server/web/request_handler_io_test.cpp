// RequestHandler over an in-memory ResponseChannel: redirects, cookies set
// and read, query/form/path arguments, the request as a handler sees it,
// and write(json).
#include "server/web/request_handler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/server/web/request_handler_fixture.hpp"

namespace gale {
namespace {

using web_test::kGet;
using web_test::RequestHandlerTest;

// ---- redirect
// -----------------------------------------------------------------

struct RedirectHandler : RequestHandler {
  explicit RedirectHandler(bool permanent = false, int status = 0)
      : permanent_(permanent), status_(status) {}
  void get() override { redirect("/new?a=1", permanent_, status_); }
  bool permanent_;
  int status_;
};

TEST_F(RequestHandlerTest, RedirectIs302WithLocation) {
  run<RedirectHandler>(kGet);
  EXPECT_EQ(channel_.status, 302);
  EXPECT_EQ(channel_.field("Location"), "/new?a=1");
  EXPECT_EQ(channel_.ends, 1);
}

TEST_F(RequestHandlerTest, PermanentRedirectIs301) {
  run<RedirectHandler>(kGet, {}, true, 0);
  EXPECT_EQ(channel_.status, 301);
}

TEST_F(RequestHandlerTest, RedirectWithExplicitStatus) {
  run<RedirectHandler>(kGet, {}, false, 307);
  EXPECT_EQ(channel_.status, 307);
  EXPECT_EQ(channel_.field("Location"), "/new?a=1");
}

struct RedirectAfterFlushHandler : RequestHandler {
  void get() override {
    flush();
    redirect("/late");
  }
};

TEST_F(RequestHandlerTest, RedirectAfterFlushAbortsTheResponse) {
  ::testing::internal::CaptureStderr();
  run<RedirectAfterFlushHandler>(kGet);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_EQ(channel_.aborts, 1);
  EXPECT_TRUE(channel_.values("Location").empty());
}

struct InjectingRedirectHandler : RequestHandler {
  void get() override { redirect("/a\r\nX-Evil: 1"); }
};

TEST_F(RequestHandlerTest, RedirectToAUrlWithCrlfIs500) {
  ::testing::internal::CaptureStderr();
  run<InjectingRedirectHandler>(kGet);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 500);
  EXPECT_TRUE(channel_.values("Location").empty());
}

// ---- cookies
// --------------------------------------------------------------------

struct CookieHandler : RequestHandler {
  void get() override {
    set_cookie("plain", "1");
    CookieOptions o;
    o.path = "/app";
    o.domain = "example.com";
    o.max_age_s = 60;
    o.secure = true;
    o.http_only = true;
    o.same_site = "Lax";
    set_cookie("session", "abc", o);
    clear_cookie("old");
  }
};

TEST_F(RequestHandlerTest, SetCookieFieldsOnePerCookie) {
  run<CookieHandler>(kGet);
  std::vector<std::string> c = channel_.values("Set-Cookie");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], "plain=1; Path=/");
  EXPECT_TRUE(c[1].starts_with(
      "session=abc; Path=/app; Domain=example.com; Max-Age=60; Expires="))
      << c[1];
  EXPECT_TRUE(c[1].ends_with(" GMT; Secure; HttpOnly; SameSite=Lax")) << c[1];
  EXPECT_TRUE(c[2].starts_with("old=; Path=/; Max-Age=0; Expires=")) << c[2];
}

struct BadCookieHandler : RequestHandler {
  explicit BadCookieHandler(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  void get() override { set_cookie(name_, value_); }
  std::string name_, value_;
};

TEST_F(RequestHandlerTest, InvalidCookieIs500) {
  ::testing::internal::CaptureStderr();
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"", "v"},
                                                        {"a b", "v"},
                                                        {"a", "v;Path=/evil"},
                                                        {"a", "v w"},
                                                        {"a", "v\r\nX: y"},
                                                        {"a", "v,w"}}) {
    channel_.reset();
    run<BadCookieHandler>(kGet, {}, name, value);
    EXPECT_EQ(channel_.status, 500) << name << "=" << value;
    EXPECT_TRUE(channel_.values("Set-Cookie").empty());
  }
  ::testing::internal::GetCapturedStderr();
}

struct ReadCookieHandler : RequestHandler {
  void get() override {
    for (const char* n : {"a", "b", "c", "d", "e"}) {
      auto v = get_cookie(n);
      write(std::string(n) + "=" + (v ? std::string(*v) : "<none>") + ";");
    }
  }
};

TEST_F(RequestHandlerTest, GetCookieReadsEveryCookieField) {
  run<ReadCookieHandler>(
      "GET / HTTP/1.1\r\nCookie: a=1; b=\"two\";c=\r\n"
      "Cookie: e=five=5\r\n\r\n");
  EXPECT_EQ(channel_.body(), "a=1;b=two;c=;d=<none>;e=five=5;");
}

// ---- arguments
// --------------------------------------------------------------------

struct ArgsHandler : RequestHandler {
  void get() override { post(); }
  void post() override {
    write("a=" + get_argument("a") + "\n");
    write("s=[" + get_argument("s", "dflt") + "]\n");
    write("e=[" + get_argument("e", "dflt") + "]\n");
    write("m=" + get_argument("m", "dflt") + "\n");
    std::string all;
    for (const std::string& v : get_arguments("a"))
      all += v + ",";
    write("all=" + all + "\n");
    write("q=" + get_query_argument("a").value_or("<none>") + "\n");
    write("b=" + get_body_argument("a").value_or("<none>") + "\n");
  }
};

TEST_F(RequestHandlerTest, QueryArgumentsLastWinsStrippedWithDefaults) {
  run<ArgsHandler>("GET /?a=1&a=+2+&s=%20x%09&e= HTTP/1.1\r\n\r\n");
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.body(),
            "a=2\ns=[x]\ne=[]\nm=dflt\nall=1,2,\nq=2\nb=<none>\n");
}

TEST_F(RequestHandlerTest, FormBodyArgumentsComeAfterTheQuery) {
  run<ArgsHandler>(
      "POST /?a=1 HTTP/1.1\r\n"
      "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
      "Content-Length: 13\r\n\r\na=3&s=x+y&a=4");
  EXPECT_EQ(channel_.body(),
            "a=4\ns=[x y]\ne=[dflt]\nm=dflt\nall=1,3,4,\nq=1\nb=4\n");
}

TEST_F(RequestHandlerTest, NonFormBodyHasNoArguments) {
  run<ArgsHandler>(
      "POST /?a=1 HTTP/1.1\r\nContent-Type: text/plain\r\n"
      "Content-Length: 3\r\n\r\na=3");
  EXPECT_EQ(channel_.body(),
            "a=1\ns=[dflt]\ne=[dflt]\nm=dflt\nall=1,\nq=1\nb=<none>\n");
}

struct RequiredArgHandler : RequestHandler {
  void get() override { write(get_argument("needed")); }
};

TEST_F(RequestHandlerTest, MissingRequiredArgumentIs400) {
  ::testing::internal::CaptureStderr();
  run<RequiredArgHandler>("GET /?other=1 HTTP/1.1\r\n\r\n");
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 400);
  EXPECT_EQ(channel_.body(), "400 Bad Request\n");
  EXPECT_NE(log.find("missing argument needed"), std::string::npos) << log;
}

struct PathArgHandler : RequestHandler {
  void get() override {
    write(std::string(path_arg("name")) + "|" +
          std::string(path_arg("absent")) + "|" +
          std::to_string(path_args().size()));
  }
};

TEST_F(RequestHandlerTest, PathArgumentsByName) {
  PathArgs args;
  args.add("name", "J\xc3\xbcrgen");
  run<PathArgHandler>(kGet, std::move(args));
  EXPECT_EQ(channel_.body(), "J\xc3\xbcrgen||1");
}

struct RequestViewHandler : RequestHandler {
  void post() override {
    const HttpRequest& r = request();
    write(std::string(r.method()) + " " + std::string(r.uri()) + " " +
          std::string(r.path()) + " " + std::string(r.query()) + " " +
          std::string(r.version()) + " " + std::string(r.host()) + " " +
          std::string(r.header("x-custom", "none")) + " " +
          std::string(r.body()) + " " + std::string(r.remote_ip()));
  }
};

TEST_F(RequestHandlerTest, RequestIsVisibleToTheHandler) {
  run<RequestViewHandler>(
      "POST /p%20q?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Custom: c\r\n"
      "Content-Length: 4\r\n\r\nbody");
  EXPECT_EQ(channel_.body(),
            "POST /p%20q?x=1 /p%20q x=1 HTTP/1.1 example.com c body "
            "127.0.0.1");
}

// ---- JSON
// ------------------------------------------------------------------------

struct JsonHandler : RequestHandler {
  void get() override { write({{"pid", 1}, {"ok", true}, {"name", "<b>"}}); }
};

TEST_F(RequestHandlerTest, JsonWriteSetsItsContentType) {
  run<JsonHandler>(kGet);
  EXPECT_EQ(channel_.field("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(channel_.body(), R"({"pid":1,"ok":true,"name":"\u003cb\u003e"})");
  EXPECT_EQ(channel_.length, channel_.body().size());
}

}  // namespace
}  // namespace gale

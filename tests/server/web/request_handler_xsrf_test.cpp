// XSRF protection in the handler (request_handler_secure.cpp), in memory:
// the accept/reject matrix of every unsafe method against where the token
// is (nowhere, form, header), whose it is (this cookie's, another's, a
// mask of the same from another page, malformed), with the setting on and
// off; GET, HEAD and OPTIONS never checked; the check before prepare(); an
// override opting out; a streaming handler reading the header only.
#include <gtest/gtest.h>

#include <boost/algorithm/hex.hpp>

#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "server/web/application.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/testing/handler_harness.hpp"
#include "server/web/xsrf_token.hpp"

namespace gale {
namespace {

using testing::SentResponse;

constexpr const char* kMissing = "'_xsrf' argument missing from POST";
constexpr const char* kMismatch = "XSRF cookie does not match POST argument";
constexpr const char* kInvalid = "'_xsrf' argument has invalid format";

struct Page : RequestHandler {
  // Teapot in prepare(): a request that reaches it got past the check.
  void prepare() override {
    if (!request().header("X-Teapot").empty()) throw HttpError(418);
  }
  void get() override {
    if (request().query() == "form") {
      write(xsrf_form_html());
      return;
    }
    write(xsrf_token());
    write(" ");
    write(xsrf_token());  // once per request: the same twice
  }
  void post() override { write("done"); }
  void put() override { write("done"); }
  void patch() override { write("done"); }
  void delete_() override { write("done"); }
  void options() override { write("done"); }
};

struct OptedOut : Page {
  void check_xsrf_cookie() override {}
};

struct Streaming : RequestHandler {
  static constexpr bool stream_request_body = true;
  void data_received(std::string_view chunk) override { body.append(chunk); }
  void post() override { write("streamed " + body); }
  std::string body;
};

struct Request {
  Request(std::string method, std::string target, std::string cookie = {},
          std::string header = {}, std::string form = {})
      : method(std::move(method)),
        target(std::move(target)),
        cookie(std::move(cookie)),
        header(std::move(header)),
        form(std::move(form)) {}
  std::string method, target;
  std::string cookie;  // the _xsrf cookie's value, if any
  std::string header;  // a full "Name: value" line, if any
  std::string form;    // an urlencoded body, if any
};

class XsrfTest : public ::testing::Test {
 protected:
  explicit XsrfTest(bool on = true) {
    app_.add({"/page", handler<Page>()});
    app_.add({"/opted-out", handler<OptedOut>()});
    app_.add({"/stream", handler<Streaming>()});
    app_.settings().xsrf_cookies = on;
  }

  SentResponse send(const Request& r) {
    std::string raw = r.method + " " + r.target + " HTTP/1.1\r\nHost: t\r\n";
    if (!r.cookie.empty()) raw += "Cookie: a=b; _xsrf=" + r.cookie + "\r\n";
    if (!r.header.empty()) raw += r.header + "\r\n";
    if (!r.form.empty())
      raw += "Content-Type: application/x-www-form-urlencoded\r\n";
    raw += "Content-Length: " + std::to_string(r.form.size()) + "\r\n\r\n";
    raw += r.form;
    ::testing::internal::CaptureStderr();  // a 403 logs a warning
    SentResponse response = testing::fetch(app_, raw);
    ::testing::internal::GetCapturedStderr();
    return response;
  }

  // A page's GET: the cookie it set (if any) and the token it showed.
  struct Visit {
    std::string cookie, token;
  };
  Visit visit(const std::string& cookie = "") {
    SentResponse r = send({"GET", "/page", cookie});
    EXPECT_EQ(r.status, 200);
    Visit v;
    v.token = r.body().substr(0, r.body().find(' '));
    for (const std::string& c : r.values("Set-Cookie"))
      if (c.starts_with("_xsrf=")) v.cookie = c.substr(6, c.find(';') - 6);
    return v;
  }

  Application app_;
};

class XsrfOffTest : public XsrfTest {
 protected:
  XsrfOffTest() : XsrfTest(false) {}
};

const std::vector<std::string> kUnsafe = {"POST", "PUT", "PATCH", "DELETE"};

void expect_refused(const SentResponse& r, const char* why,
                    const std::string& method) {
  EXPECT_EQ(r.status, 403) << method;
  EXPECT_NE(r.body().find(why), std::string::npos)
      << method << ": " << r.body();
}

TEST_F(XsrfTest, AGetSetsTheCookieOnceAndShowsAMaskedToken) {
  SentResponse r = send({"GET", "/page"});
  ASSERT_EQ(r.values("Set-Cookie").size(), 1u);
  const std::string set = r.values("Set-Cookie")[0];
  EXPECT_TRUE(set.starts_with("_xsrf=2|")) << set;
  EXPECT_NE(set.find("; Path=/"), std::string::npos) << set;
  EXPECT_NE(set.find("; SameSite=Lax"), std::string::npos) << set;
  EXPECT_EQ(set.find("HttpOnly"), std::string::npos) << set;  // scripts read it
  const std::string body = r.body();
  const std::size_t space = body.find(' ');
  EXPECT_EQ(body.substr(0, space), body.substr(space + 1));
  EXPECT_EQ(set.substr(6, set.find(';') - 6), body.substr(0, space));
}

TEST_F(XsrfTest, EachPageMasksTheCookiesTokenAnew) {
  Visit first = visit();
  Visit second = visit(first.cookie);
  EXPECT_EQ(second.cookie, "");  // the cookie is kept, not replaced
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(xsrf::decode(second.token), xsrf::decode(first.cookie));
}

TEST_F(XsrfTest, AMalformedCookieIsReplaced) {
  Visit v = visit("not-a-token");
  EXPECT_TRUE(xsrf::decode(v.cookie));
}

TEST_F(XsrfTest, FormHtml) {
  SentResponse r = send({"GET", "/page?form"});
  const std::string body = r.body();
  const std::string prefix = R"(<input type="hidden" name="_xsrf" value=")";
  ASSERT_TRUE(body.starts_with(prefix)) << body;
  ASSERT_TRUE(body.ends_with("\">")) << body;
  EXPECT_TRUE(xsrf::decode(
      body.substr(prefix.size(), body.size() - prefix.size() - 2)));
}

TEST_F(XsrfTest, UnsafeMethodsWithoutATokenAreRefused) {
  Visit v = visit();
  for (const std::string& m : kUnsafe) {
    expect_refused(send({m, "/page"}), kMissing, m);
    expect_refused(send({m, "/page", v.cookie}), kMissing, m);
    expect_refused(send({m, "/page", v.cookie, "", "other=1"}), kMissing, m);
    expect_refused(send({m, "/page", v.cookie, "X-XSRFToken: "}), kMissing, m);
  }
}

TEST_F(XsrfTest, TheTokenInTheFormOrAHeaderIsAccepted) {
  Visit v = visit();
  for (const std::string& m : kUnsafe) {
    for (const Request& r : {
             Request{m, "/page", v.cookie, "", "_xsrf=" + v.token},
             Request{m, "/page", v.cookie, "X-XSRFToken: " + v.token},
             Request{m, "/page", v.cookie, "X-CSRFToken: " + v.token},
             Request{m, "/page", v.cookie, "x-xsrftoken: " + v.token},
         }) {
      SentResponse response = send(r);
      EXPECT_EQ(response.status, 200) << m << " " << r.header << r.form;
      EXPECT_EQ(response.body(), "done");
    }
  }
}

TEST_F(XsrfTest, AnotherPagesMaskOfTheSameCookieAndTheRawFormAreAccepted) {
  Visit first = visit();
  Visit second = visit(first.cookie);
  const std::optional<xsrf::Token> token = xsrf::decode(first.cookie);
  ASSERT_TRUE(token);
  std::string raw;  // version 1: the bare token in hex
  boost::algorithm::hex_lower(token->begin(), token->end(),
                              std::back_inserter(raw));
  for (const std::string& m : kUnsafe) {
    EXPECT_EQ(
        send({m, "/page", first.cookie, "X-XSRFToken: " + second.token}).status,
        200);
    EXPECT_EQ(send({m, "/page", first.cookie, "X-XSRFToken: " + raw}).status,
              200);
    // A version-1 cookie (Tornado's older form) works too.
    EXPECT_EQ(send({m, "/page", raw, "X-XSRFToken: " + second.token}).status,
              200);
  }
}

TEST_F(XsrfTest, AnotherCookiesTokenIsRefused) {
  Visit mine = visit();
  Visit theirs = visit();
  for (const std::string& m : kUnsafe) {
    expect_refused(
        send({m, "/page", mine.cookie, "X-XSRFToken: " + theirs.token}),
        kMismatch, m);
    expect_refused(send({m, "/page", mine.cookie, "", "_xsrf=" + theirs.token}),
                   kMismatch, m);
    // A token but no cookie to match it.
    expect_refused(send({m, "/page", "", "X-XSRFToken: " + mine.token}),
                   kMismatch, m);
    // A cookie that is no token matches nothing, itself included.
    expect_refused(send({m, "/page", "junk", "X-XSRFToken: " + mine.token}),
                   kMismatch, m);
  }
}

TEST_F(XsrfTest, AMalformedTokenIsRefused) {
  Visit v = visit();
  std::string truncated = v.token.substr(0, v.token.size() - 12);
  for (const std::string& m : kUnsafe)
    for (const std::string& bad :
         {std::string("junk"), truncated, v.token + "|1", std::string("2|||")})
      expect_refused(send({m, "/page", v.cookie, "X-XSRFToken: " + bad}),
                     kInvalid, m);
}

TEST_F(XsrfTest, SafeMethodsAreNeverChecked) {
  for (const char* m : {"GET", "HEAD", "OPTIONS"})
    EXPECT_EQ(send({m, "/page"}).status, 200) << m;
  // A method no handler implements is a 405, as without the setting.
  EXPECT_EQ(send({"TRACE", "/page"}).status, 405);
}

TEST_F(XsrfTest, TheCheckRunsBeforePrepare) {
  expect_refused(send({"POST", "/page", "", "X-Teapot: 1"}), kMissing, "POST");
  Visit v = visit();
  EXPECT_EQ(send({"POST", "/page", v.cookie,
                  "X-Teapot: 1\r\nX-XSRFToken: " + v.token})
                .status,
            418);
}

TEST_F(XsrfTest, AnOverrideOptsOut) {
  for (const std::string& m : kUnsafe)
    EXPECT_EQ(send({m, "/opted-out"}).status, 200) << m;
}

TEST_F(XsrfTest, AStreamingHandlerReadsTheHeaderNotTheForm) {
  Visit v = visit();
  SentResponse by_header =
      send({"POST", "/stream", v.cookie, "X-XSRFToken: " + v.token, "x=1"});
  EXPECT_EQ(by_header.status, 200);
  EXPECT_EQ(by_header.body(), "streamed x=1");
  // The form is not read before the body has arrived: no token.
  expect_refused(send({"POST", "/stream", v.cookie, "", "_xsrf=" + v.token}),
                 kMissing, "POST");
}

TEST_F(XsrfOffTest, NothingIsCheckedAndNoCookieSet) {
  for (const std::string& m : kUnsafe) {
    EXPECT_EQ(send({m, "/page"}).status, 200) << m;
    EXPECT_EQ(send({m, "/page", "junk", "X-XSRFToken: junk"}).status, 200);
  }
  SentResponse r = send({"POST", "/stream", "", "", "x=1"});
  EXPECT_EQ(r.body(), "streamed x=1");
  EXPECT_FALSE(send({"POST", "/page"}).has("Set-Cookie"));
}

}  // namespace
}  // namespace gale

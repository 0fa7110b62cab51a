// RequestHandler::render() and render_string() through the in-memory
// harness: the page, its Content-Type, the finish, and a broken template
// answered 500 with nothing of the page sent.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "server/web/application.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/testing/handler_harness.hpp"
#include "tests/support/temp_dir.hpp"

namespace gale {
namespace {

struct PageHandler : RequestHandler {
  void get() override {
    render("page.html", {{"name", get_argument("name", "")},
                         {"items", boost::json::array{"a", "b"}}});
  }
};

struct TextTemplateHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", "text/plain; charset=utf-8");
    render("page.html", {{"name", "plain"}});
  }
};

struct StringHandler : RequestHandler {
  void get() override {
    std::string page = render_string("page.html", {{"name", "<s>"}});
    write("[" + page + "]");
  }
};

struct MissingHandler : RequestHandler {
  void get() override {
    write("partial page");
    render("missing.html");
  }
};

class RenderTest : public ::testing::Test {
 protected:
  RenderTest() {
    dir_.write("page.html", "Hi {{name}}:{{#items}} {{.}}{{/items}}");
    app_.settings().template_path = dir_.path().string();
  }
  testing::SentResponse get(const std::string& target) {
    return testing::fetch(app_,
                          "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
  }

  test::TempDir dir_{"gale-render"};
  Application app_{{"/page", handler<PageHandler>()},
                   {"/text", handler<TextTemplateHandler>()},
                   {"/string", handler<StringHandler>()},
                   {"/missing", handler<MissingHandler>()}};
};

TEST_F(RenderTest, RenderWritesTheHtmlPageAndFinishes) {
  const testing::SentResponse r = get("/page?name=%3Cb%3E");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.field("Content-Type"), "text/html; charset=UTF-8");
  EXPECT_EQ(r.body(), "Hi &lt;b&gt;: a b");
  EXPECT_EQ(r.ends, 1);
  EXPECT_EQ(r.length, std::optional<std::uint64_t>(r.body().size()));
}

TEST_F(RenderTest, AContentTypeTheHandlerSetIsKept) {
  const testing::SentResponse r = get("/text");
  EXPECT_EQ(r.field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body(), "Hi plain:");
}

TEST_F(RenderTest, RenderStringReturnsThePageWithoutWritingIt) {
  const testing::SentResponse r = get("/string");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), "[Hi &lt;s&gt;:]");
}

TEST_F(RenderTest, AMissingTemplateIsA500WithoutThePartialPage) {
  const testing::SentResponse r = get("/missing");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body().find("partial page"), std::string::npos);
  EXPECT_EQ(r.body().find("missing.html"), std::string::npos);  // log only
}

TEST_F(RenderTest, TheApplicationKeepsItsCompiledTemplates) {
  EXPECT_EQ(get("/page").body(), "Hi : a b");
  dir_.write("page.html", "changed");
  EXPECT_EQ(get("/page").body(), "Hi : a b");
  EXPECT_EQ(app_.templates().size(), 1u);
}

}  // namespace
}  // namespace gale

// Mustache templates (server/web/template_cache.hpp): HTML escaping in
// text and attribute contexts, sections and lists, partials from files,
// the errors (missing file, syntax error, a name leaving the directory),
// and the cache that never re-reads a file.
#include "server/web/template_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "tests/support/temp_dir.hpp"

namespace gale {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class TemplateCacheTest : public ::testing::Test {
 protected:
  std::string root() const { return dir_.path().string(); }
  void write(const std::string& name, const std::string& text) {
    dir_.write(name, text);
  }
  std::string render(const std::string& name, const json::object& context) {
    return cache_.render(root(), name, context);
  }
  // The message of the TemplateError render() throws ("" if none).
  std::string error_of(const std::string& name,
                       const json::object& context = {}) {
    try {
      render(name, context);
    } catch (const TemplateError& e) {
      return e.what();
    }
    return "";
  }

  test::TempDir dir_{"gale-templates"};
  TemplateCache cache_;
};

TEST_F(TemplateCacheTest, RendersVariables) {
  write("hello.html", "Hello, {{name}}! You are {{age}}, {{ratio}}.");
  EXPECT_EQ(
      render("hello.html", {{"name", "Ann"}, {"age", 42}, {"ratio", 0.5}}),
      "Hello, Ann! You are 42, 0.5.");
}

TEST_F(TemplateCacheTest, EscapesTheFiveHtmlCharacters) {
  write("t.html", "{{x}}");
  EXPECT_EQ(render("t.html", {{"x", "<b>&\"'"}}), "&lt;b&gt;&amp;&quot;&apos;");
}

// An attribute value cannot be closed from the data, whichever quote the
// template uses.
TEST_F(TemplateCacheTest, EscapesInsideDoubleAndSingleQuotedAttributes) {
  write("a.html", "<a title=\"{{x}}\"></a><a title='{{x}}'></a>");
  const std::string attack = "x\" onmouseover=\"alert(1)' onclick='alert(2)";
  const std::string page = render("a.html", {{"x", attack}});
  EXPECT_EQ(page,
            "<a title=\"x&quot; onmouseover=&quot;alert(1)&apos; "
            "onclick=&apos;alert(2)\"></a><a title='x&quot; "
            "onmouseover=&quot;alert(1)&apos; onclick=&apos;alert(2)'></a>");
  EXPECT_EQ(page.find('\'', page.find("title='") + 7),
            page.rfind("'></a>"));  // the one closing quote is the template's
}

TEST_F(TemplateCacheTest, TripleBracesAndAmpersandAreRaw) {
  write("raw.html", "{{{x}}} {{& x}}");
  EXPECT_EQ(render("raw.html", {{"x", "<i>"}}), "<i> <i>");
}

TEST_F(TemplateCacheTest, SectionsRepeatListsAndShowOrHideOnBooleans) {
  write("list.html",
        "{{#items}}[{{name}}]{{/items}}{{^items}}none{{/items}}"
        "{{#admin}} admin{{/admin}}{{#nothing}} never{{/nothing}}");
  json::object context{{"items", json::array{json::object{{"name", "a"}},
                                             json::object{{"name", "<b>"}}}},
                       {"admin", true},
                       {"nothing", nullptr}};
  EXPECT_EQ(render("list.html", context), "[a][&lt;b&gt;] admin");
  EXPECT_EQ(render("list.html", {{"items", json::array{}}, {"admin", false}}),
            "none");
}

TEST_F(TemplateCacheTest, ListsOfPlainValuesUseTheDot) {
  write("dots.html", "{{#tags}}<{{.}}>{{/tags}}");
  EXPECT_EQ(render("dots.html", {{"tags", json::array{"x", "&"}}}),
            "<x><&amp;>");
}

TEST_F(TemplateCacheTest, NestedObjectsByDottedName) {
  write("user.html", "{{user.name}} {{#user}}{{email}}{{/user}}");
  EXPECT_EQ(render("user.html",
                   {{"user", json::object{{"name", "Ann"}, {"email", "a@b"}}}}),
            "Ann a@b");
}

TEST_F(TemplateCacheTest, PartialsComeFromMustacheFilesBesideTheTemplates) {
  write("header.mustache", "<h1>{{title}}</h1>");
  write("parts/nav.html", "<nav>{{> footer}}</nav>");
  write("footer.mustache", "(c) {{year}}");
  write("page.html", "{{> header}}|{{> parts/nav.html}}");
  EXPECT_EQ(render("page.html", {{"title", "<T>"}, {"year", 2026}}),
            "<h1>&lt;T&gt;</h1>|<nav>(c) 2026</nav>");
}

// A context member named like a partial does not replace the file.
TEST_F(TemplateCacheTest, APartialIsNeverTakenFromTheContext) {
  write("header.mustache", "file");
  write("p.html", "{{> header}}");
  EXPECT_EQ(render("p.html", {{"header", "{{evil}}"}}), "file");
}

TEST_F(TemplateCacheTest, AMissingTemplateNamesTheFile) {
  const std::string why = error_of("nope.html");
  EXPECT_THAT(why, HasSubstr("nope.html"));
  EXPECT_THAT(why, HasSubstr(root() + "/nope.html"));
  EXPECT_THAT(why, HasSubstr("No such file"));
}

TEST_F(TemplateCacheTest, AMissingPartialIsAnErrorNotNothing) {
  write("p.html", "a{{> absent}}b");
  const std::string why = error_of("p.html");
  EXPECT_THAT(why, HasSubstr("partial \"absent\": cannot read "));
  EXPECT_THAT(why, HasSubstr(root() + "/absent.mustache"));
}

TEST_F(TemplateCacheTest, ASyntaxErrorNamesTheFileAndMustachesMessage) {
  write("bad.html", "{{#items}}never closed");
  const std::string why = error_of("bad.html");
  EXPECT_THAT(why,
              HasSubstr("template \"bad.html\" (" + root() + "/bad.html)"));
  EXPECT_THAT(why, HasSubstr("Unclosed section \"items\""));
}

TEST_F(TemplateCacheTest, ASyntaxErrorInAPartialNamesThePartial) {
  write("broken.mustache", "{{/closed}}");
  write("p.html", "{{> broken}}");
  const std::string why = error_of("p.html");
  EXPECT_THAT(why, HasSubstr("partial \"broken\" ("));
  EXPECT_THAT(why, HasSubstr("broken.mustache"));
  EXPECT_THAT(why, HasSubstr("closed"));
  // A broken partial never entered the cache: once fixed, it is read.
  write("broken.mustache", "fixed");
  EXPECT_EQ(render("p.html", {}), "fixed");
}

TEST_F(TemplateCacheTest, NamesMayNotLeaveTheTemplateDirectory) {
  dir_.write("secret.txt", "secret");
  const std::string inner = dir_.mkdir("templates").string();
  for (const char* name :
       {"../secret.txt", "a/../../secret.txt", "..", "/etc/passwd", ""}) {
    try {
      cache_.render(inner, name, {});
      ADD_FAILURE() << name << " was rendered";
    } catch (const TemplateError& e) {
      EXPECT_THAT(e.what(),
                  ::testing::AnyOf(HasSubstr("leave"), HasSubstr("absolute"),
                                   HasSubstr("empty")))
          << name;
    }
  }
  write("templates/p.html", "{{> ../secret.txt}}");
  try {
    cache_.render(inner, "p.html", {});
    ADD_FAILURE() << "the partial ../secret.txt was included";
  } catch (const TemplateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("partial \"../secret.txt\": \"..\""));
  }
  EXPECT_EQ(cache_.size(), 1u);  // p.html alone: no partial was read
}

// A name that merely contains dots is fine.
TEST_F(TemplateCacheTest, DotsInsideNamesAreNotClimbing) {
  write("a..b/x.y.html", "ok");
  EXPECT_EQ(render("a..b/x.y.html", {}), "ok");
}

TEST_F(TemplateCacheTest, AFileChangedAfterItsFirstUseIsNotReadAgain) {
  write("t.html", "one {{x}}");
  write("inc.mustache", "inc one");
  write("u.html", "{{> inc}}");
  EXPECT_EQ(render("t.html", {{"x", 1}}), "one 1");
  EXPECT_EQ(render("u.html", {}), "inc one");
  write("t.html", "two {{x}}");
  write("inc.mustache", "inc two");
  EXPECT_EQ(render("t.html", {{"x", 2}}), "one 2");
  EXPECT_EQ(render("u.html", {}), "inc one");
  EXPECT_EQ(cache_.size(), 3u);
  // A copy (a new generation's Application) starts empty and reads anew.
  TemplateCache fresh = cache_;
  EXPECT_EQ(fresh.size(), 0u);
  EXPECT_EQ(fresh.render(root(), "t.html", {{"x", 3}}), "two 3");
}

TEST_F(TemplateCacheTest, AnEmptyTemplatePathIsTheWorkingDirectory) {
  write("cwd.html", "here");
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  std::string page;
  EXPECT_NO_THROW(page = cache_.render("", "cwd.html", {}));
  std::filesystem::current_path(previous);
  EXPECT_EQ(page, "here");
}

TEST_F(TemplateCacheTest, APartialIncludingItselfIsAnErrorNotACrash) {
  write("loop.mustache", "x{{> loop}}");
  write("p.html", "{{> loop}}");
  EXPECT_THAT(error_of("p.html"), HasSubstr("nested too deep"));
}

// A recursive partial over a tree stops where the data stops.
TEST_F(TemplateCacheTest, RecursivePartialsFollowTheData) {
  write("node.mustache", "({{name}}{{#kids}}{{> node}}{{/kids}})");
  write("tree.html", "{{#root}}{{> node}}{{/root}}");
  json::object tree{
      {"root",
       json::object{{"name", "a"},
                    {"kids", json::array{json::object{
                                 {"name", "b"}, {"kids", json::array{}}}}}}}};
  EXPECT_EQ(render("tree.html", tree), "(a(b))");
  // 50 levels deep is well within the guard, even under AddressSanitizer,
  // whose frames are several times larger.
  json::object chain{{"name", "x"}, {"kids", json::array{}}};
  for (int i = 0; i < 50; ++i)
    chain = json::object{{"name", "x"}, {"kids", json::array{chain}}};
  std::string expected;
  for (int i = 0; i < 51; ++i)
    expected += "(x";
  expected += std::string(51, ')');
  EXPECT_EQ(render("tree.html", {{"root", chain}}), expected);
}

}  // namespace
}  // namespace gale

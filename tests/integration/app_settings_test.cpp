// An application's own config keys end to end: gale-test declares the
// built-in app's (app.template_path, app.cookie_secrets, app.xsrf_cookies)
// and one of its own (app.test_number); a handler sees the values from the
// YAML file and the flags, sees new ones after a reload (SIGHUP), and
// renders a template from app.template_path.
#include <signal.h>

#include "tests/support/gale_test.hpp"
#include "tests/support/spawn.hpp"
#include "tests/support/temp_dir.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

constexpr char kShortDrain[] = "workers_policy: {graceful_timeout_s: 2}\n";

class AppSettingsTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.yaml = std::string(kShortDrain) +
             "app:\n"
             "  test_number: 42\n"
             "  template_path: templates\n"
             "  cookie_secrets: only-one\n"
             "  xsrf_cookies: true\n";
    return o;
  }
  HttpResponse get(const std::string& target) {
    return fetch_ok("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
  }
};

TEST_F(AppSettingsTest, HandlersSeeTheValuesOfTheAppSection) {
  HttpResponse r = get("/test/settings");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"template_path":"templates","cookie_secrets":["only-one"],)"
            R"("xsrf_cookies":true,"test_number":42})");
}

TEST_F(AppSettingsTest, AReloadBringsTheChangedValues) {
  ASSERT_EQ(get("/test/settings").status, 200);
  server().dir().write("config.yaml", std::string(kShortDrain) +
                                          "app:\n"
                                          "  test_number: 43\n"
                                          "  cookie_secrets: [new, old]\n");
  const std::size_t before = server().count_in_log("reload complete");
  server().signal(SIGHUP);
  ASSERT_TRUE(server().wait_for_log("reload complete", 15s, before + 1));
  EXPECT_EQ(get("/test/settings").body,
            R"({"template_path":"","cookie_secrets":["new","old"],)"
            R"("xsrf_cookies":false,"test_number":43})");
}

// A bad value in the reloaded file keeps the old generation and its values.
TEST_F(AppSettingsTest, AReloadWithABadValueKeepsTheOldOnes) {
  server().dir().write(
      "config.yaml", std::string(kShortDrain) + "app:\n  test_number: 5000\n");
  server().signal(SIGHUP);
  ASSERT_TRUE(server().wait_for_log("reload failed", 15s));
  EXPECT_TRUE(server().wait_for_log("app.test_number: must be 0..1000", 1s));
  EXPECT_NE(get("/test/settings").body.find("\"test_number\":42"),
            std::string::npos);
}

TEST_F(AppSettingsTest, RendersATemplateFromTheTemplatePath) {
  server().dir().write("templates/test.mustache", "<p>Hi {{name}}</p>");
  HttpResponse r = get("/test/render?name=%3Cyou%3E");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=UTF-8");
  EXPECT_EQ(r.body, "<p>Hi &lt;you&gt;</p>");
}

// Compiled once per worker: a changed file shows only after a reload,
// whose new workers read it anew.
TEST_F(AppSettingsTest, AChangedTemplateShowsAfterAReload) {
  server().dir().write("templates/test.mustache", "one {{name}}");
  EXPECT_EQ(get("/test/render?name=a").body, "one a");
  server().dir().write("templates/test.mustache", "two {{name}}");
  EXPECT_EQ(get("/test/render?name=b").body, "one b");
  const std::size_t before = server().count_in_log("reload complete");
  server().signal(SIGHUP);
  ASSERT_TRUE(server().wait_for_log("reload complete", 15s, before + 1));
  EXPECT_EQ(get("/test/render?name=c").body, "two c");
}

TEST_F(AppSettingsTest, AMissingTemplateIsA500WithTheCauseInTheLog) {
  HttpResponse r = get("/test/render");
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(server().wait_for_log("test.mustache", 2s));
  EXPECT_TRUE(server().wait_for_log("No such file", 1s));
}

class AppFlagsTest : public AppSettingsTest {
 protected:
  ServerOptions options() override {
    ServerOptions o = AppSettingsTest::options();
    o.extra_args = {"--app-test-number", "9", "--app-xsrf-cookies=false"};
    return o;
  }
};

TEST_F(AppFlagsTest, FlagsWinOverTheFile) {
  EXPECT_EQ(get("/test/settings").body,
            R"({"template_path":"templates","cookie_secrets":["only-one"],)"
            R"("xsrf_cookies":false,"test_number":9})");
}

// The command line of a program with its own keys: --help lists them,
// --check-config prints them, a mistake is one line and exit status 2.
TEST(AppKeysCliTest, HelpListsTheApplicationsFlags) {
  RunResult r = run_binary({"--help"});
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.status.describe();
  EXPECT_NE(r.out.find("--app-test-number N"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--app-cookie-secrets ITEM"), std::string::npos)
      << r.out;
}

TEST(AppKeysCliTest, CheckConfigPrintsTheAppSection) {
  TempDir dir;
  auto config = dir.write("app.yaml", "app:\n  cookie_secrets: [a, b]\n");
  RunResult r = run_binary({"--config", config.string(), "--app-test-number",
                            "11", "--check-config"});
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.err;
  EXPECT_NE(r.out.find("app:\n"
                       "  cookie_secrets: [\"a\", \"b\"]\n"
                       "  template_path: \"\"\n"
                       "  test_number: 11\n"
                       "  xsrf_cookies: false\n"),
            std::string::npos)
      << r.out;
}

TEST(AppKeysCliTest, AnUnknownAppKeyIsOneLineAndExit2) {
  TempDir dir;
  auto config = dir.write("app.yaml", "app:\n  test_numbr: 3\n");
  RunResult r = run_binary(
      {"--config", config.string(), "--static-root", "", "--check-config"});
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe();
  EXPECT_EQ(r.err, "gale: " + config.string() +
                       ":2:3: unknown key \"app.test_numbr\" (did you mean "
                       "\"app.test_number\"?)\n");
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace gale::itest

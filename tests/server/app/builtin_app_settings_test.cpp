// The built-in app's own config keys (builtin_app_keys()) and how
// make_builtin_app() carries them into gale::Settings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load_config.hpp"
#include "server/app/builtin_app.hpp"
#include "tests/support/temp_dir.hpp"

namespace gale {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Strings = std::vector<std::string>;

LoadOutcome load_yaml(const std::string& yaml,
                      std::vector<std::string> flags = {}) {
  test::TempDir dir("gale-builtin-keys");
  const auto file = dir.write("gale.yaml", yaml);
  flags.insert(flags.begin(), {"--config", file.string(), "--static-root", ""});
  return load_config(flags, builtin_app_keys());
}

TEST(BuiltinAppSettingsTest, DefaultsLeaveTheSettingsAtTheirDefaults) {
  const LoadOutcome out = load_yaml("");
  ASSERT_THAT(out.errors, IsEmpty());
  Application app = make_builtin_app(out.config);
  EXPECT_EQ(app.settings().template_path, "");
  EXPECT_THAT(app.settings().cookie_secrets, IsEmpty());
  EXPECT_FALSE(app.settings().xsrf_cookies);
}

TEST(BuiltinAppSettingsTest, TheAppSectionFillsTheSettings) {
  const LoadOutcome out = load_yaml(
      "app:\n  template_path: tpl\n  cookie_secrets: [new, old]\n"
      "  xsrf_cookies: true\n");
  ASSERT_THAT(out.errors, IsEmpty());
  Application app = make_builtin_app(out.config);
  EXPECT_EQ(app.settings().template_path, "tpl");
  EXPECT_EQ(app.settings().cookie_secrets, (Strings{"new", "old"}));
  EXPECT_TRUE(app.settings().xsrf_cookies);
}

TEST(BuiltinAppSettingsTest, OneSecretMayBeGivenAsOneString) {
  const LoadOutcome out = load_yaml("app:\n  cookie_secrets: s3cret\n");
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(make_builtin_app(out.config).settings().cookie_secrets,
            Strings{"s3cret"});
}

TEST(BuiltinAppSettingsTest, FlagsAndTheirErrors) {
  const LoadOutcome out =
      load_yaml("", {"--app-cookie-secrets", "a", "--app-cookie-secrets", "b",
                     "--app-xsrf-cookies"});
  ASSERT_THAT(out.errors, IsEmpty());
  Application app = make_builtin_app(out.config);
  EXPECT_EQ(app.settings().cookie_secrets, (Strings{"a", "b"}));
  EXPECT_TRUE(app.settings().xsrf_cookies);
  EXPECT_THAT(load_yaml("", {"--app-cookie-secrets", ""}).errors,
              ElementsAre("--app-cookie-secrets: a secret must not be empty"));
  EXPECT_THAT(load_yaml("app:\n  xsrf_cookies: sometimes\n").errors.size(), 1u);
}

}  // namespace
}  // namespace gale

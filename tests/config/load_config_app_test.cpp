// An application's own keys through load_config(): defaults < `app:` in the
// YAML file < --app-* flags, every error in gale's words (position, name,
// did-you-mean), --help listing the flags, and --check-config printing the
// values in YAML that reads back the same.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/app_keys.hpp"
#include "config/load_config.hpp"
#include "temp_dir.hpp"

namespace gale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Strings = std::vector<std::string>;
using testing::ScopedCwd;
using testing::TempDir;

AppKeys example_keys() {
  AppKeys keys;
  keys.define("app.page_size", 20, "items per page").range(1, 500);
  keys.define("app.theme", "light", "colour scheme").choices({"light", "dark"});
  keys.define("app.beta", false, "beta features");
  keys.define("app.ratio", 0.5, "a ratio").range(0, 1);
  keys.define("app.admins", Strings{}, "admin names");
  keys.define("app.motto", "", "a motto").check([](const AppValue& v) {
    return std::get<std::string>(v).size() > 10 ? "at most 10 characters" : "";
  });
  return keys;
}

class LoadConfigAppTest : public ::testing::Test {
 protected:
  LoadConfigAppTest() : cwd_(dir_.path()) {}

  LoadOutcome load(std::vector<std::string> args, const std::string& yaml) {
    dir_.write("app.yaml", yaml);
    args.insert(args.begin(), {"--config", "app.yaml"});
    return load_config(args, keys_);
  }

  TempDir dir_;
  ScopedCwd cwd_;
  AppKeys keys_ = example_keys();
};

TEST_F(LoadConfigAppTest, DefaultsWhenNeitherFileNorFlagsSayAnything) {
  const LoadOutcome out = load_config({}, keys_);
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.config.app, keys_.defaults());
  EXPECT_EQ(out.config.app.get<int>("app.page_size"), 20);
}

TEST_F(LoadConfigAppTest, TheAppSectionOfTheFile) {
  const LoadOutcome out = load({},
                               "app:\n"
                               "  page_size: 50\n"
                               "  theme: dark\n"
                               "  beta: yes\n"
                               "  ratio: 0.25\n"
                               "  admins: [ann, bob]\n"
                               "  motto: 8080\n");
  ASSERT_THAT(out.errors, IsEmpty());
  const AppValues& app = out.config.app;
  EXPECT_EQ(app.get<int>("app.page_size"), 50);
  EXPECT_EQ(app.get<std::string>("app.theme"), "dark");
  EXPECT_TRUE(app.get<bool>("app.beta"));
  EXPECT_EQ(app.get<double>("app.ratio"), 0.25);
  EXPECT_EQ(app.get<Strings>("app.admins"), (Strings{"ann", "bob"}));
  EXPECT_EQ(app.get<std::string>("app.motto"), "8080");  // a string key
}

TEST_F(LoadConfigAppTest, AListMayBeGivenAsOneString) {
  const LoadOutcome out = load({}, "app:\n  admins: ann\n");
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.config.app.get<Strings>("app.admins"), Strings{"ann"});
}

TEST_F(LoadConfigAppTest, ListItemsMustBeStringsAndNothingIsEmpty) {
  EXPECT_THAT(load({}, "app:\n  admins: [ann, {b: 1}, [c]]\n").errors,
              ElementsAre("app.yaml:2:17: app.admins[1]: expected a string, "
                          "got a mapping",
                          "app.yaml:2:25: app.admins[2]: expected a string, "
                          "got a list"));
  const LoadOutcome out = load({}, "app:\n  admins:\n");
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_THAT(out.config.app.get<Strings>("app.admins"), IsEmpty());
}

TEST_F(LoadConfigAppTest, FlagsWinOverTheFile) {
  const LoadOutcome out =
      load({"--app-page-size", "60", "--app-admins", "cy", "--app-admins", "di",
            "--app-beta", "--app-ratio=1"},
           "app:\n  page_size: 50\n  admins: [ann, bob]\n  theme: dark\n");
  ASSERT_THAT(out.errors, IsEmpty());
  const AppValues& app = out.config.app;
  EXPECT_EQ(app.get<int>("app.page_size"), 60);
  EXPECT_EQ(app.get<Strings>("app.admins"), (Strings{"cy", "di"}));
  EXPECT_TRUE(app.get<bool>("app.beta"));
  EXPECT_EQ(app.get<double>("app.ratio"), 1.0);
  EXPECT_EQ(app.get<std::string>("app.theme"), "dark");  // from the file
}

TEST_F(LoadConfigAppTest, ABoolFlagSaysFalseWithEquals) {
  const LoadOutcome out = load({"--app-beta=false"}, "app:\n  beta: true\n");
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_FALSE(out.config.app.get<bool>("app.beta"));
}

TEST_F(LoadConfigAppTest, WrongTypesInTheFileNameKeyAndPosition) {
  const LoadOutcome out = load({},
                               "app:\n"
                               "  page_size: lots\n"
                               "  beta: maybe\n"
                               "  admins: {a: 1}\n"
                               "  ratio: [1]\n"
                               "  theme:\n");
  EXPECT_THAT(
      out.errors,
      ElementsAre(
          "app.yaml:2:3: app.page_size: expected an integer, got \"lots\"",
          "app.yaml:3:3: app.beta: expected true or false, got \"maybe\"",
          "app.yaml:4:3: app.admins: expected a list of strings (or one "
          "string), got a mapping",
          "app.yaml:5:3: app.ratio: expected a number, got a list",
          "app.yaml:6:3: app.theme: expected a string, got nothing"));
}

TEST_F(LoadConfigAppTest, AnUnknownKeyUnderAppSuggestsTheNearest) {
  const LoadOutcome out = load({}, "app:\n  page_sise: 3\n");
  EXPECT_THAT(out.errors,
              ElementsAre("app.yaml:2:3: unknown key \"app.page_sise\" (did "
                          "you mean \"app.page_size\"?)"));
}

TEST_F(LoadConfigAppTest, WithoutDeclaredKeysEveryAppKeyIsUnknown) {
  dir_.write("app.yaml", "app:\n  page_size: 3\n");
  const LoadOutcome out = load_config({"--config", "app.yaml"});
  EXPECT_THAT(out.errors,
              ElementsAre("app.yaml:2:3: unknown key \"app.page_size\""));
}

TEST_F(LoadConfigAppTest, ValidatorsRefuseValuesFromTheFile) {
  const LoadOutcome out = load({},
                               "app:\n"
                               "  page_size: 0\n"
                               "  theme: pink\n"
                               "  ratio: 2\n"
                               "  motto: far too long a motto\n");
  EXPECT_THAT(
      out.errors,
      ElementsAre("app.yaml:2:3: app.page_size: must be 1..500",
                  "app.yaml:3:3: app.theme: must be one of light|dark, got "
                  "\"pink\"",
                  "app.yaml:4:3: app.ratio: must be 0..1",
                  "app.yaml:5:3: app.motto: at most 10 characters"));
}

TEST_F(LoadConfigAppTest, FlagErrorsNameTheFlagAndValue) {
  const LoadOutcome out = load_config(
      {"--app-page-size", "lots", "--app-theme", "pink", "--app-page-sise", "3",
       "--app-ratio", "0.1", "--app-ratio", "0.2"},
      keys_);
  EXPECT_THAT(
      out.errors,
      ElementsAre("--app-page-size lots: expected an integer, got \"lots\"",
                  "--app-theme pink: must be one of light|dark, got \"pink\"",
                  "--app-page-sise: unknown flag (did you mean "
                  "--app-page-size?)",
                  "--app-ratio: given more than once"));
}

TEST_F(LoadConfigAppTest, ListFlagsAreCheckedWhole) {
  AppKeys keys;
  keys.define("app.pair", Strings{"a", "b"}, "").check([](const AppValue& v) {
    return std::get<Strings>(v).size() == 2 ? "" : "needs two items";
  });
  EXPECT_THAT(load_config({"--app-pair", "x", "--app-pair", "y"}, keys).errors,
              IsEmpty());
  EXPECT_THAT(load_config({"--app-pair", "x"}, keys).errors,
              ElementsAre("--app-pair: needs two items"));
}

TEST_F(LoadConfigAppTest, ADefaultItsOwnRulesRefuseIsReported) {
  AppKeys keys;
  keys.define("app.size", 0, "").range(1, 10);
  EXPECT_THAT(load_config({}, keys).errors,
              ElementsAre("app.size: the application's default must be 1..10"));
}

TEST_F(LoadConfigAppTest, HelpListsTheApplicationsFlags) {
  const LoadOutcome out = load_config({"--help"}, keys_);
  EXPECT_EQ(out.action, CliAction::print_help);
  EXPECT_THAT(out.help_text,
              HasSubstr("Application options (YAML section app:)"));
  EXPECT_THAT(out.help_text, HasSubstr("--app-page-size N"));
  EXPECT_THAT(out.help_text,
              HasSubstr("items per page (app.page_size, default: 20)"));
  EXPECT_THAT(out.help_text, HasSubstr("--app-admins ITEM"));
  EXPECT_THAT(out.help_text, HasSubstr("--static-root DIR"));  // gale's own
}

TEST_F(LoadConfigAppTest, CheckConfigPrintsTheValuesAndTheyReadBack) {
  const LoadOutcome out = load(
      {"--check-config", "--app-beta"},
      "app:\n  page_size: 50\n  admins: [\"on\", \"*\"]\n  motto: \"~\"\n");
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.action, CliAction::check_config);
  const std::string yaml = dump_yaml(out.config);
  EXPECT_THAT(yaml, HasSubstr("app:\n"
                              "  admins: [\"on\", \"*\"]\n"
                              "  beta: true\n"
                              "  motto: \"~\"\n"
                              "  page_size: 50\n"
                              "  ratio: 0.5\n"
                              "  theme: \"light\"\n"));
  dir_.write("dumped.yaml", yaml);
  const LoadOutcome again = load_config({"--config", "dumped.yaml"}, keys_);
  ASSERT_THAT(again.errors, IsEmpty());
  EXPECT_EQ(again.config.app, out.config.app);
}

TEST_F(LoadConfigAppTest, NoAppSectionIsPrintedWithoutKeys) {
  EXPECT_THAT(dump_yaml(load_config({}).config),
              ::testing::Not(HasSubstr("app:")));
}

}  // namespace
}  // namespace gale

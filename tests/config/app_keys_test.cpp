// AppKeys (config/app_keys.hpp): declaring an application's keys, the type
// each takes from its default, the names refused, and what the validators
// (range, choices, a function) say about a value.
#include "config/app_keys.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gale {
namespace {

using Strings = std::vector<std::string>;

TEST(AppKeysTest, TheDefaultGivesTheType) {
  AppKeys keys;
  EXPECT_EQ(keys.define("app.s", "x", "").type(), AppKeyType::string);
  EXPECT_EQ(keys.define("app.i", 20, "").type(), AppKeyType::integer);
  EXPECT_EQ(keys.define("app.u", 7u, "").type(), AppKeyType::integer);
  EXPECT_EQ(keys.define("app.b", false, "").type(), AppKeyType::boolean);
  EXPECT_EQ(keys.define("app.d", 0.5, "").type(), AppKeyType::number);
  EXPECT_EQ(keys.define("app.l", Strings{"a"}, "").type(), AppKeyType::list);
  const AppValues defaults = keys.defaults();
  EXPECT_EQ(defaults.get<std::string>("app.s"), "x");
  EXPECT_EQ(defaults.get<int>("app.i"), 20);
  EXPECT_EQ(defaults.get<bool>("app.b"), false);
  EXPECT_EQ(defaults.get<double>("app.d"), 0.5);
  EXPECT_EQ(defaults.get<Strings>("app.l"), Strings{"a"});
}

TEST(AppKeysTest, FlagAndYamlKeyFollowTheName) {
  AppKeys keys;
  const AppKey& key = keys.define("app.page_size", 20, "items per page");
  EXPECT_EQ(key.flag(), "app-page-size");
  EXPECT_EQ(key.yaml_key(), "page_size");
  EXPECT_EQ(keys.find_flag("app-page-size"), &key);
  EXPECT_EQ(keys.find("app.page_size"), &key);
  EXPECT_EQ(keys.find("app.other"), nullptr);
}

TEST(AppKeysTest, BadOrRepeatedNamesThrowAtOnce) {
  AppKeys keys;
  for (const char* bad : {"page_size", "app.", "app.Page", "app.a-b", "app.a.b",
                          "app.1st", "apps.x", ""}) {
    EXPECT_THROW(keys.define(bad, 1, ""), std::invalid_argument) << bad;
  }
  keys.define("app.x", 1, "");
  EXPECT_THROW(keys.define("app.x", "again", ""), std::invalid_argument);
}

TEST(AppKeysTest, ValidatorsOfTheWrongTypeThrow) {
  AppKeys keys;
  EXPECT_THROW(keys.define("app.s", "x", "").range(1, 2),
               std::invalid_argument);
  EXPECT_THROW(keys.define("app.i", 1, "").choices({"a"}),
               std::invalid_argument);
}

TEST(AppKeysTest, ParsesTextAsTheKeysType) {
  AppKeys keys;
  std::string problem;
  const AppKey& i = keys.define("app.i", 0, "");
  EXPECT_EQ(i.parse("-3", problem), AppValue(std::int64_t{-3}));
  EXPECT_EQ(i.parse("lots", problem), std::nullopt);
  EXPECT_EQ(problem, "expected an integer, got \"lots\"");
  const AppKey& b = keys.define("app.b", false, "");
  EXPECT_EQ(b.parse("yes", problem), AppValue(true));
  EXPECT_EQ(b.parse("off", problem), AppValue(false));
  EXPECT_EQ(b.parse("maybe", problem), std::nullopt);
  EXPECT_EQ(problem, "expected true or false, got \"maybe\"");
  const AppKey& d = keys.define("app.d", 1.0, "");
  EXPECT_EQ(d.parse("2.5", problem), AppValue(2.5));
  EXPECT_EQ(d.parse("inf", problem), std::nullopt);
  EXPECT_EQ(problem, "expected a number, got \"inf\"");
  const AppKey& s = keys.define("app.s", "", "");
  EXPECT_EQ(s.parse("8080", problem), AppValue(std::string("8080")));
}

TEST(AppKeysTest, RangeChoicesAndChecksSayWhatIsWrong) {
  AppKeys keys;
  const AppKey& size = keys.define("app.size", 20, "").range(1, 500);
  EXPECT_EQ(size.problem(std::int64_t{500}), "");
  EXPECT_EQ(size.problem(std::int64_t{0}), "must be 1..500");
  const AppKey& ratio = keys.define("app.ratio", 0.5, "").range(0, 1);
  EXPECT_EQ(ratio.problem(1.5), "must be 0..1");
  const AppKey& theme =
      keys.define("app.theme", "light", "").choices({"light", "dark"});
  EXPECT_EQ(theme.problem(std::string("dark")), "");
  EXPECT_EQ(theme.problem(std::string("pink")),
            "must be one of light|dark, got \"pink\"");
  const AppKey& roles =
      keys.define("app.roles", Strings{}, "").choices({"admin", "user"});
  EXPECT_EQ(roles.problem(Strings{"admin", "root"}),
            "every item must be one of admin|user, got \"root\"");
  const AppKey& motto =
      keys.define("app.motto", "", "").check([](const AppValue& v) {
        return std::get<std::string>(v).size() > 5 ? "at most 5 characters"
                                                   : "";
      });
  EXPECT_EQ(motto.problem(std::string("short")), "");
  EXPECT_EQ(motto.problem(std::string("too long")), "at most 5 characters");
}

TEST(AppValuesTest, AskingForAnUndeclaredNameOrAnotherTypeThrows) {
  AppValues values;
  values.set("app.n", std::int64_t{300});
  EXPECT_EQ(values.get<long>("app.n"), 300);
  EXPECT_THROW(values.get<std::string>("app.n"), std::invalid_argument);
  EXPECT_THROW(values.get<int>("app.missing"), std::invalid_argument);
  EXPECT_THROW(values.get<std::uint8_t>("app.n"), std::out_of_range);
  EXPECT_EQ(values.get_or<int>("app.missing", 5), 5);
}

}  // namespace
}  // namespace gale

#include "config/rules.hpp"

#include <gtest/gtest.h>

namespace gale {
namespace {

TEST(CheckInteger, AcceptsValuesInRange) {
  EXPECT_EQ(check_integer("1", kPortRange).value, 1);
  EXPECT_EQ(check_integer("65535", kPortRange).value, 65535);
  EXPECT_EQ(check_integer("0", kWorkersRange).value, 0);
}

TEST(CheckInteger, RefusesNonIntegers) {
  EXPECT_EQ(check_integer("lots", kNonNegative).problem,
            "expected an integer, got \"lots\"");
  EXPECT_EQ(check_integer("8080.5", kPortRange).problem,
            "expected an integer, got \"8080.5\"");
  EXPECT_EQ(check_integer("", kPortRange).problem,
            "expected an integer, got \"\"");
  EXPECT_EQ(check_integer("12abc", kPortRange).problem,
            "expected an integer, got \"12abc\"");
  EXPECT_EQ(check_integer(" 80", kPortRange).problem,
            "expected an integer, got \" 80\"");
}

TEST(CheckInteger, RefusesValuesOutOfRange) {
  EXPECT_EQ(check_integer("0", kPortRange).problem, "must be 1..65535");
  EXPECT_EQ(check_integer("70000", kPortRange).problem, "must be 1..65535");
  EXPECT_EQ(check_integer("-1", kWorkersRange).problem, "must be 0..1024");
  EXPECT_EQ(check_integer("1025", kWorkersRange).problem, "must be 0..1024");
  EXPECT_EQ(check_integer("0", kBacklogRange).problem, "must be 1..65535");
  EXPECT_EQ(check_integer("-5", kNonNegative).problem, "must be >= 0");
  EXPECT_EQ(check_integer("4294967296", kPositiveUint32).problem,
            "must be 1..4294967295");
}

TEST(CheckInteger, ReportsHugeNumbersAsOutOfRange) {
  EXPECT_EQ(check_integer("99999999999999999999", kPortRange).problem,
            "must be 1..65535");
  EXPECT_EQ(check_integer("-99999999999999999999", kNonNegative).problem,
            "must be >= 0");
}

TEST(CheckSeconds, AcceptsPositiveNumbers) {
  EXPECT_EQ(check_seconds("30", false).value, 30.0);
  EXPECT_EQ(check_seconds("1.5", false).value, 1.5);
  EXPECT_EQ(check_seconds("1e3", false).value, 1000.0);
  EXPECT_EQ(check_seconds("0", true).value, 0.0);
}

TEST(CheckSeconds, RefusesZeroNegativeAndNonNumbers) {
  EXPECT_EQ(check_seconds("0", false).problem, "must be > 0");
  EXPECT_EQ(check_seconds("-1", false).problem, "must be > 0");
  EXPECT_EQ(check_seconds("-1", true).problem, "must be >= 0");
  EXPECT_EQ(check_seconds("soon", false).problem,
            "expected a number of seconds, got \"soon\"");
  EXPECT_EQ(check_seconds("30s", false).problem,
            "expected a number of seconds, got \"30s\"");
  EXPECT_EQ(check_seconds("inf", false).problem,
            "expected a number of seconds, got \"inf\"");
  EXPECT_EQ(check_seconds("nan", true).problem,
            "expected a number of seconds, got \"nan\"");
  EXPECT_EQ(check_seconds("", true).problem,
            "expected a number of seconds, got \"\"");
}

TEST(CheckSeconds, RefusesMoreThanAYear) {
  EXPECT_TRUE(check_seconds("31536000", false).value);
  EXPECT_EQ(check_seconds("31536001", false).problem,
            "must be at most 31536000 (a year)");
  EXPECT_EQ(check_seconds("1e300", false).problem,
            "must be at most 31536000 (a year)");
}

TEST(CheckLogLevel, KnowsTheFourLevels) {
  EXPECT_EQ(check_log_level("debug").value, LogLevel::debug);
  EXPECT_EQ(check_log_level("info").value, LogLevel::info);
  EXPECT_EQ(check_log_level("warning").value, LogLevel::warning);
  EXPECT_EQ(check_log_level("error").value, LogLevel::error);
  for (LogLevel level :
       {LogLevel::debug, LogLevel::info, LogLevel::warning, LogLevel::error}) {
    EXPECT_EQ(check_log_level(log_level_name(level)).value, level);
  }
}

TEST(CheckLogLevel, RefusesOthersWithASuggestion) {
  EXPECT_EQ(check_log_level("verbose").problem,
            "expected one of debug|info|warning|error, got \"verbose\"");
  EXPECT_EQ(check_log_level("eror").problem,
            "expected one of debug|info|warning|error, got \"eror\" (did you "
            "mean \"error\"?)");
  EXPECT_EQ(check_log_level("INFO").problem,
            "expected one of debug|info|warning|error, got \"INFO\"");
}

TEST(CheckPrefix, MustStartAndEndWithASlash) {
  EXPECT_EQ(check_prefix("/static/").value, "/static/");
  EXPECT_EQ(check_prefix("/").value, "/");
  EXPECT_EQ(check_prefix("static/").problem,
            "must start and end with '/', got \"static/\"");
  EXPECT_EQ(check_prefix("/static").problem,
            "must start and end with '/', got \"/static\"");
  EXPECT_EQ(check_prefix("").problem, "must start and end with '/', got \"\"");
}

TEST(CheckHost, MustNotBeEmpty) {
  EXPECT_EQ(check_host("::1").value, "::1");
  EXPECT_EQ(check_host("").problem, "must not be empty");
}

TEST(CheckAccessLog, KeepsKeywordsAndRefusesEmpty) {
  EXPECT_FALSE(access_log_is_path("-"));
  EXPECT_FALSE(access_log_is_path("off"));
  EXPECT_TRUE(access_log_is_path("access.log"));
  EXPECT_EQ(check_access_log("").problem,
            "must not be empty (\"-\" is stdout, \"off\" turns it off)");
}

TEST(InQuotes, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(in_quotes("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

TEST(CheckOrigin, AcceptsAnyAndOrigins) {
  EXPECT_EQ(check_origin("*").value, "*");
  EXPECT_EQ(check_origin("https://chat.example").value, "https://chat.example");
  EXPECT_EQ(check_origin("http://127.0.0.1:8888").value,
            "http://127.0.0.1:8888");
  EXPECT_EQ(check_origin("http://[::1]:8888").value, "http://[::1]:8888");
  EXPECT_EQ(check_origin("chrome-extension://abcdef").value,
            "chrome-extension://abcdef");
}

// As a browser serializes an origin (RFC 6454 §6.2).
TEST(CheckOrigin, NormalizesCaseAndDefaultPorts) {
  EXPECT_EQ(check_origin("HTTPS://Chat.Example").value, "https://chat.example");
  EXPECT_EQ(check_origin("https://a.example:443").value, "https://a.example");
  EXPECT_EQ(check_origin("http://a.example:80").value, "http://a.example");
  EXPECT_EQ(check_origin("wss://a.example:443").value, "wss://a.example");
  EXPECT_EQ(check_origin("https://a.example:80").value, "https://a.example:80");
  EXPECT_EQ(check_origin("http://a.example:0080").value, "http://a.example");
  EXPECT_EQ(check_origin("http://[::FFFF:1]").value, "http://[::ffff:1]");
}

TEST(CheckOrigin, RefusesWhatIsNoOrigin) {
  const std::string noun = "expected \"*\" or an origin scheme://host[:port]";
  for (std::string_view bad : {"",
                               "a.example",
                               "//a.example",
                               "https://",
                               "https:a.example",
                               "1http://a.example",
                               "ht tp://a.example",
                               "https://a example",
                               "https://user@a.example",
                               "https://*.example",
                               "**",
                               "null",
                               "https://a.example:",
                               "https://a.example:x",
                               "https://a.example:-1",
                               "http://::1",
                               "http://[::1",
                               "http://[]",
                               "http://[a.example]",
                               "https://bücher.example",
                               "https:///path"}) {
    EXPECT_EQ(check_origin(bad).problem,
              noun + ", got \"" + std::string(bad) + "\"")
        << bad;
  }
}

TEST(CheckOrigin, ExplainsAPathOrAPort) {
  EXPECT_EQ(check_origin("https://a.example/").problem,
            "an origin has no path, query or fragment: expected "
            "\"https://a.example\", got \"https://a.example/\"");
  EXPECT_EQ(check_origin("HTTP://A.example:80/chat?x#y").problem,
            "an origin has no path, query or fragment: expected "
            "\"http://a.example\", got \"HTTP://A.example:80/chat?x#y\"");
  EXPECT_EQ(check_origin("https://a.example:65536").problem,
            "its port must be 1..65535, got \"https://a.example:65536\"");
  EXPECT_EQ(check_origin("https://a.example:0").problem,
            "its port must be 1..65535, got \"https://a.example:0\"");
}

}  // namespace
}  // namespace gale

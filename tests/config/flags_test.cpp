#include "config/flags.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace gale {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::ScopedCwd;
using testing::TempDir;

struct Parsed {
  FlagValues flags;
  std::vector<std::string> errors;
};

Parsed parse(const std::vector<std::string>& args) {
  Parsed parsed;
  parsed.flags = parse_flags(args, parsed.errors);
  return parsed;
}

TEST(ParseFlags, NothingGivenSetsNothing) {
  const Parsed p = parse({});
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_FALSE(p.flags.help || p.flags.version || p.flags.check_config);
  EXPECT_FALSE(p.flags.config_file || p.flags.host || p.flags.port ||
               p.flags.workers || p.flags.static_root || p.flags.log_level ||
               p.flags.access_log || p.flags.pidfile);
}

TEST(ParseFlags, ReadsEveryFlag) {
  TempDir dir;
  ScopedCwd cwd(dir.path());
  const Parsed p =
      parse({"--config", "gale.yaml", "--host", "127.0.0.1", "--port", "9000",
             "--workers", "3", "--static-root", "www", "--log-level", "debug",
             "--access-log", "access.log", "--pidfile", "gale.pid",
             "--check-config", "--version", "--help"});
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.flags.config_file, "gale.yaml");
  EXPECT_EQ(p.flags.host, "127.0.0.1");
  EXPECT_EQ(p.flags.port, 9000);
  EXPECT_EQ(p.flags.workers, 3u);
  EXPECT_EQ(p.flags.static_root, (dir.path() / "www").string());
  EXPECT_EQ(p.flags.log_level, LogLevel::debug);
  EXPECT_EQ(p.flags.access_log, (dir.path() / "access.log").string());
  EXPECT_EQ(p.flags.pidfile, (dir.path() / "gale.pid").string());
  EXPECT_TRUE(p.flags.check_config && p.flags.version && p.flags.help);
  EXPECT_EQ(p.flags.origins.static_root, "--static-root www");
  EXPECT_EQ(p.flags.origins.access_log, "--access-log access.log");
  EXPECT_EQ(p.flags.origins.pidfile, "--pidfile gale.pid");
}

TEST(ParseFlags, AcceptsTheEqualsForm) {
  const Parsed p = parse({"--port=8080", "--workers=0"});
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.flags.port, 8080);
  EXPECT_EQ(p.flags.workers, 0u);
}

TEST(ParseFlags, KeepsAccessLogKeywordsLiterally) {
  EXPECT_EQ(parse({"--access-log", "-"}).flags.access_log, "-");
  EXPECT_EQ(parse({"--access-log", "off"}).flags.access_log, "off");
}

TEST(ParseFlags, EmptyStaticRootTurnsTheRouteOff) {
  const Parsed p = parse({"--static-root", ""});
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.flags.static_root, "");
  EXPECT_EQ(p.flags.origins.static_root, "--static-root \"\"");
}

TEST(ParseFlags, RefusesBadValuesNamingFlagAndValue) {
  EXPECT_THAT(parse({"--port", "70000"}).errors,
              ElementsAre("--port 70000: must be 1..65535"));
  EXPECT_THAT(parse({"--port", "0"}).errors,
              ElementsAre("--port 0: must be 1..65535"));
  EXPECT_THAT(parse({"--port", "http"}).errors,
              ElementsAre("--port http: expected an integer, got \"http\""));
  EXPECT_THAT(parse({"--workers", "-1"}).errors,
              ElementsAre("--workers -1: must be 0..1024"));
  EXPECT_THAT(parse({"--workers", "5000"}).errors,
              ElementsAre("--workers 5000: must be 0..1024"));
  EXPECT_THAT(parse({"--log-level", "loud"}).errors,
              ElementsAre("--log-level loud: expected one of "
                          "debug|info|warning|error, got \"loud\""));
  EXPECT_THAT(parse({"--host", ""}).errors,
              ElementsAre("--host \"\": must not be empty"));
  EXPECT_THAT(parse({"--access-log", ""}).errors,
              ElementsAre("--access-log \"\": must not be empty (\"-\" is "
                          "stdout, \"off\" turns it off)"));
  EXPECT_THAT(parse({"--pidfile", ""}).errors,
              ElementsAre("--pidfile \"\": must not be empty"));
  EXPECT_THAT(parse({"--config", ""}).errors,
              ElementsAre("--config \"\": must not be empty"));
}

TEST(ParseFlags, RefusesUnknownFlagsWithASuggestion) {
  EXPECT_THAT(parse({"--wokers", "4"}).errors,
              ElementsAre("--wokers: unknown flag (did you mean --workers?)"));
  EXPECT_THAT(parse({"--static_root=www"}).errors,
              ElementsAre("--static_root: unknown flag (did you mean "
                          "--static-root?)"));
  EXPECT_THAT(parse({"-port", "80"}).errors,
              ElementsAre("-port: unknown flag (did you mean --port?)"));
  EXPECT_THAT(parse({"--daemon"}).errors,
              ElementsAre("--daemon: unknown flag"));
  EXPECT_THAT(parse({"-d"}).errors, ElementsAre("-d: unknown flag"));
}

TEST(ParseFlags, DoesNotGuessAbbreviations) {
  EXPECT_THAT(parse({"--work", "2"}).errors,
              ElementsAre("--work: unknown flag (did you mean --workers?)"));
}

TEST(ParseFlags, RefusesPositionalArguments) {
  EXPECT_THAT(parse({"gale.yaml"}).errors,
              ElementsAre("\"gale.yaml\": unexpected argument (gale takes "
                          "only flags; see --help)"));
}

TEST(ParseFlags, RefusesARepeatedFlag) {
  EXPECT_THAT(parse({"--port", "1", "--port", "2"}).errors,
              ElementsAre("--port: given more than once"));
}

TEST(ParseFlags, TurnsProgramOptionsSyntaxErrorsIntoLines) {
  EXPECT_THAT(parse({"--port"}).errors, ElementsAre("--port: expects a value"));
  EXPECT_THAT(parse({"--help=yes"}).errors,
              ElementsAre("--help: takes no value"));
  EXPECT_THAT(parse({"--check-config=1"}).errors,
              ElementsAre("--check-config: takes no value"));
}

TEST(ParseFlags, NoticesAFlagTakenAsAValue) {
  EXPECT_THAT(parse({"--static-root", "--port", "80"}).errors,
              ElementsAre("--static-root: expects a value, got the flag "
                          "--port",
                          "\"80\": unexpected argument (gale takes only "
                          "flags; see --help)"));
}

TEST(ParseFlags, ReportsEveryProblemAtOnce) {
  EXPECT_THAT(
      parse({"--port", "70000", "--wokers", "2", "--log-level", "loud",
             "--workers", "x"})
          .errors,
      ElementsAre("--port 70000: must be 1..65535",
                  "--wokers: unknown flag (did you mean --workers?)",
                  "--log-level loud: expected one of debug|info|warning|error, "
                  "got \"loud\"",
                  "--workers x: expected an integer, got \"x\""));
}

TEST(ApplyFlags, PortAloneReplacesTheListenListWithTheDefaultHost) {
  Config config;
  config.listen = {{"127.0.0.1", 8080}, {"::1", 8080}};
  Origins origins;
  apply_flags(parse({"--port", "9000"}).flags, config, origins);
  ASSERT_EQ(config.listen.size(), 1u);
  EXPECT_EQ(config.listen[0].host, "0.0.0.0");
  EXPECT_EQ(config.listen[0].port, 9000);
}

TEST(ApplyFlags, HostAloneReplacesTheListenListWithTheDefaultPort) {
  Config config;
  config.listen = {{"127.0.0.1", 8080}, {"::1", 8080}};
  Origins origins;
  apply_flags(parse({"--host", "::"}).flags, config, origins);
  ASSERT_EQ(config.listen.size(), 1u);
  EXPECT_EQ(config.listen[0].host, "::");
  EXPECT_EQ(config.listen[0].port, 8888);
}

TEST(ApplyFlags, LeavesWhatNoFlagMentions) {
  Config config;
  config.listen = {{"127.0.0.1", 8080}};
  config.workers = 7;
  config.log.level = LogLevel::error;
  Origins origins;
  origins.static_root = "gale.yaml:3:3: static.root";
  apply_flags(parse({"--pidfile", "/run/gale.pid"}).flags, config, origins);
  EXPECT_EQ(config.listen[0].port, 8080);
  EXPECT_EQ(config.workers, 7u);
  EXPECT_EQ(config.log.level, LogLevel::error);
  EXPECT_EQ(config.pidfile, "/run/gale.pid");
  EXPECT_EQ(origins.static_root, "gale.yaml:3:3: static.root");
  EXPECT_EQ(origins.pidfile, "--pidfile /run/gale.pid");
}

TEST(FlagsHelp, ListsEveryFlag) {
  const std::string help = flags_help();
  for (const char* flag :
       {"--config FILE", "--host ADDR", "--port N", "--workers N",
        "--static-root DIR", "--log-level LEVEL", "--access-log PATH|-|off",
        "--pidfile FILE", "--check-config", "--version", "--help"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace gale

#include "config/yaml_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "read_yaml.hpp"
#include "temp_dir.hpp"

namespace gale {
namespace {

using ::testing::ElementsAre;
using testing::errors_of;
using ::testing::IsEmpty;
using testing::read;
using testing::Read;
using testing::TempDir;

TEST(ReadYaml, AnEmptyFileChangesNothing) {
  for (std::string_view empty : {"", "\n", "# only a comment\n", "~\n"}) {
    const Read r = read(empty);
    EXPECT_THAT(r.errors, IsEmpty()) << empty;
    EXPECT_EQ(r.config.listen.size(), 1u);
    EXPECT_EQ(r.config.backlog, 1024);
    EXPECT_FALSE(r.origins.static_root);
  }
}

TEST(ReadYaml, ReadsEveryKey) {
  const Read r = read(R"(
listen:
  - host: 0.0.0.0
    port: 8888
  - host: "::1"
    port: 8081
workers: 4
reuse_port: true
backlog: 511
pidfile: run/gale.pid
static:
  root: public
  prefix: /assets/
  cache_control: "no-cache"
limits:
  max_header_bytes: 8192
  max_body_bytes: 1048576
  header_timeout_s: 5
  body_timeout_s: 6.5
  idle_timeout_s: 7
  max_keepalive_requests: 100
  max_connections_per_worker: 500
workers_policy:
  graceful_timeout_s: 10
  timeout_s: 11
  max_requests: 1000
  max_rss_mb: 512
  max_age_s: 3600
  restart_backoff_max_s: 2
log:
  level: warning
  access_log: logs/access.log
)");
  ASSERT_THAT(r.errors, IsEmpty());
  const Config& c = r.config;
  ASSERT_EQ(c.listen.size(), 2u);
  EXPECT_EQ(c.listen[0].host, "0.0.0.0");
  EXPECT_EQ(c.listen[0].port, 8888);
  EXPECT_EQ(c.listen[1].host, "::1");
  EXPECT_EQ(c.listen[1].port, 8081);
  EXPECT_EQ(c.workers, 4u);
  EXPECT_TRUE(c.reuse_port);
  EXPECT_EQ(c.backlog, 511);
  EXPECT_EQ(c.pidfile, "/etc/gale/run/gale.pid");
  EXPECT_EQ(c.static_files.root, "/etc/gale/public");
  EXPECT_EQ(c.static_files.prefix, "/assets/");
  EXPECT_EQ(c.static_files.cache_control, "no-cache");
  EXPECT_EQ(c.limits.max_header_bytes, 8192u);
  EXPECT_EQ(c.limits.max_body_bytes, 1048576u);
  EXPECT_EQ(c.limits.header_timeout_s, 5);
  EXPECT_EQ(c.limits.body_timeout_s, 6.5);
  EXPECT_EQ(c.limits.idle_timeout_s, 7);
  EXPECT_EQ(c.limits.max_keepalive_requests, 100u);
  EXPECT_EQ(c.limits.max_connections_per_worker, 500u);
  EXPECT_EQ(c.workers_policy.graceful_timeout_s, 10);
  EXPECT_EQ(c.workers_policy.timeout_s, 11);
  EXPECT_EQ(c.workers_policy.max_requests, 1000u);
  EXPECT_EQ(c.workers_policy.max_rss_mb, 512u);
  EXPECT_EQ(c.workers_policy.max_age_s, 3600);
  EXPECT_EQ(c.workers_policy.restart_backoff_max_s, 2);
  EXPECT_EQ(c.log.level, LogLevel::warning);
  EXPECT_EQ(c.log.access_log, "/etc/gale/logs/access.log");
  EXPECT_EQ(r.origins.static_root, "gale.yaml:12:3: static.root");
  EXPECT_EQ(r.origins.access_log, "gale.yaml:32:3: log.access_log");
  EXPECT_EQ(r.origins.pidfile, "gale.yaml:10:1: pidfile");
}

TEST(ReadYaml, LeavesUnmentionedKeysAtTheirDefaults) {
  const Read r = read("limits:\n  max_body_bytes: 10\n");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.limits.max_body_bytes, 10u);
  EXPECT_EQ(r.config.limits.max_header_bytes, 65536u);
  EXPECT_EQ(r.config.listen[0].port, 8888);
}

TEST(ReadYaml, AnEmptySectionIsFine) {
  EXPECT_THAT(errors_of("limits:\nlog:\n"), IsEmpty());
}

TEST(ReadYaml, ListenEntriesDefaultTheirMissingHalf) {
  const Read r = read("listen:\n  - port: 9000\n  - host: 127.0.0.1\n");
  ASSERT_THAT(r.errors, IsEmpty());
  ASSERT_EQ(r.config.listen.size(), 2u);
  EXPECT_EQ(r.config.listen[0].host, "0.0.0.0");
  EXPECT_EQ(r.config.listen[0].port, 9000);
  EXPECT_EQ(r.config.listen[1].host, "127.0.0.1");
  EXPECT_EQ(r.config.listen[1].port, 8888);
}

TEST(ReadYaml, KeepsAccessLogKeywordsLiterally) {
  EXPECT_EQ(read("log:\n  access_log: off\n").config.log.access_log, "off");
  EXPECT_EQ(read("log:\n  access_log: \"-\"\n").config.log.access_log, "-");
}

TEST(ReadYaml, AnEmptyStaticRootTurnsTheRouteOffOnPurpose) {
  const Read r = read("static:\n  root: \"\"\n");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.static_files.root, "");
  EXPECT_EQ(r.origins.static_root, "gale.yaml:2:3: static.root");
}

TEST(ReadYaml, ResolvesPathsAgainstTheFilesDirectory) {
  TempDir dir;
  dir.mkdir("conf/www");
  const Read r = read("static:\n  root: www\nlog:\n  access_log: ../a.log\n",
                      dir.path() / "conf");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.static_files.root, (dir.path() / "conf/www").string());
  EXPECT_EQ(r.config.log.access_log, (dir.path() / "a.log").string());
}

TEST(ReadYaml, KeepsAbsolutePaths) {
  const Read r = read("static:\n  root: /srv/www\n");
  EXPECT_EQ(r.config.static_files.root, "/srv/www");
}

TEST(ReadYaml, AcceptsYamlBooleans) {
  EXPECT_TRUE(read("reuse_port: yes\n").config.reuse_port);
  EXPECT_TRUE(read("reuse_port: True\n").config.reuse_port);
  EXPECT_FALSE(read("reuse_port: off\n").config.reuse_port);
}

// --- errors, each with file:line:column -------------------------------------

TEST(ReadYamlErrors, WrongTypes) {
  EXPECT_THAT(errors_of("limits:\n  max_body_bytes: lots\n"),
              ElementsAre("gale.yaml:2:3: limits.max_body_bytes: expected an "
                          "integer, got \"lots\""));
  EXPECT_THAT(errors_of("workers: 2.5\n"),
              ElementsAre("gale.yaml:1:1: workers: expected an integer, got "
                          "\"2.5\""));
  EXPECT_THAT(errors_of("backlog: [1, 2]\n"),
              ElementsAre("gale.yaml:1:1: backlog: expected an integer, got a "
                          "list"));
  EXPECT_THAT(errors_of("backlog:\n"),
              ElementsAre("gale.yaml:1:1: backlog: expected an integer, got "
                          "nothing"));
  EXPECT_THAT(errors_of("reuse_port: maybe\n"),
              ElementsAre("gale.yaml:1:1: reuse_port: expected true or false, "
                          "got \"maybe\""));
  EXPECT_THAT(errors_of("limits:\n  idle_timeout_s: {a: 1}\n"),
              ElementsAre("gale.yaml:2:3: limits.idle_timeout_s: expected a "
                          "number of seconds, got a mapping"));
  EXPECT_THAT(errors_of("static:\n  prefix: [a]\n"),
              ElementsAre("gale.yaml:2:3: static.prefix: expected a string, "
                          "got a list"));
  EXPECT_THAT(errors_of("log:\n  level: 3\n"),
              ElementsAre("gale.yaml:2:3: log.level: expected one of "
                          "debug|info|warning|error, got \"3\""));
}

TEST(ReadYamlErrors, NegativeAndOutOfRangeNumbers) {
  EXPECT_THAT(errors_of("listen:\n  - host: ::1\n    port: 70000\n"),
              ElementsAre("gale.yaml:3:5: listen[0].port: must be 1..65535"));
  EXPECT_THAT(errors_of("workers: -1\n"),
              ElementsAre("gale.yaml:1:1: workers: must be 0..1024"));
  EXPECT_THAT(errors_of("workers: 1025\n"),
              ElementsAre("gale.yaml:1:1: workers: must be 0..1024"));
  EXPECT_THAT(errors_of("backlog: 0\n"),
              ElementsAre("gale.yaml:1:1: backlog: must be 1..65535"));
  EXPECT_THAT(errors_of("limits:\n  max_body_bytes: -1\n"),
              ElementsAre("gale.yaml:2:3: limits.max_body_bytes: must be >= "
                          "0"));
  EXPECT_THAT(errors_of("limits:\n  max_header_bytes: 0\n"),
              ElementsAre("gale.yaml:2:3: limits.max_header_bytes: must be "
                          "1..4294967295"));
  EXPECT_THAT(errors_of("workers_policy:\n  max_requests: -3\n"),
              ElementsAre("gale.yaml:2:3: workers_policy.max_requests: must "
                          "be >= 0"));
}

TEST(ReadYamlErrors, TimeoutsMustBePositive) {
  EXPECT_THAT(errors_of("limits:\n  header_timeout_s: 0\n"),
              ElementsAre("gale.yaml:2:3: limits.header_timeout_s: must be > "
                          "0"));
  EXPECT_THAT(errors_of("workers_policy:\n  timeout_s: -5\n"),
              ElementsAre("gale.yaml:2:3: workers_policy.timeout_s: must be > "
                          "0"));
  EXPECT_THAT(errors_of("workers_policy:\n  max_age_s: -1\n"),
              ElementsAre("gale.yaml:2:3: workers_policy.max_age_s: must be >= "
                          "0"));
  EXPECT_THAT(errors_of("workers_policy:\n  max_age_s: 0\n"), IsEmpty());
}

TEST(ReadYamlErrors, BadStrings) {
  EXPECT_THAT(errors_of("static:\n  prefix: static\n"),
              ElementsAre("gale.yaml:2:3: static.prefix: must start and end "
                          "with '/', got \"static\""));
  EXPECT_THAT(errors_of("static:\n  cache_control: \"\"\n"),
              ElementsAre("gale.yaml:2:3: static.cache_control: must not be "
                          "empty"));
  EXPECT_THAT(errors_of("log:\n  level: verbose\n"),
              ElementsAre("gale.yaml:2:3: log.level: expected one of "
                          "debug|info|warning|error, got \"verbose\""));
  EXPECT_THAT(errors_of("log:\n  access_log: \"\"\n"),
              ElementsAre("gale.yaml:2:3: log.access_log: must not be empty "
                          "(\"-\" is stdout, \"off\" turns it off)"));
  EXPECT_THAT(errors_of("listen:\n  - host: \"\"\n"),
              ElementsAre("gale.yaml:2:5: listen[0].host: must not be empty"));
}

TEST(ReadYamlErrors, UnknownKeysWithSuggestions) {
  EXPECT_THAT(errors_of("workers: 2\nbacklog: 5\nwokers: 3\n"),
              ElementsAre("gale.yaml:3:1: unknown key \"wokers\" (did you "
                          "mean \"workers\"?)"));
  EXPECT_THAT(errors_of("limits:\n  max_body_byte: 3\n"),
              ElementsAre("gale.yaml:2:3: unknown key \"limits.max_body_byte\" "
                          "(did you mean \"limits.max_body_bytes\"?)"));
  EXPECT_THAT(errors_of("listen:\n  - host: ::1\n    prot: 80\n"),
              ElementsAre("gale.yaml:3:5: unknown key \"listen[0].prot\" (did "
                          "you mean \"listen[0].port\"?)"));
  EXPECT_THAT(errors_of("daemonize: true\n"),
              ElementsAre("gale.yaml:1:1: unknown key \"daemonize\""));
}

TEST(ReadYamlErrors, DuplicateKeys) {
  EXPECT_THAT(errors_of("workers: 2\nbacklog: 5\nworkers: 3\n"),
              ElementsAre("gale.yaml:3:1: duplicate key \"workers\" (first on "
                          "line 1)"));
  EXPECT_THAT(errors_of("log:\n  level: info\n  level: debug\n"),
              ElementsAre("gale.yaml:3:3: duplicate key \"log.level\" (first "
                          "on line 2)"));
}

TEST(ReadYamlErrors, WrongStructure) {
  EXPECT_THAT(errors_of("- a\n- b\n"),
              ElementsAre("gale.yaml:1:1: expected a mapping of keys, got a "
                          "list"));
  EXPECT_THAT(errors_of("just text\n"),
              ElementsAre("gale.yaml:1:1: expected a mapping of keys, got "
                          "\"just text\""));
  EXPECT_THAT(errors_of("limits: 5\n"),
              ElementsAre("gale.yaml:1:1: limits: expected a mapping of keys, "
                          "got \"5\""));
  EXPECT_THAT(errors_of("[a]: 1\n"),
              ElementsAre("gale.yaml:1:1: expected a key name, got a list"));
}

TEST(ReadYamlErrors, BadListenLists) {
  EXPECT_THAT(errors_of("listen: 8080\n"),
              ElementsAre("gale.yaml:1:1: listen: expected a list of {host, "
                          "port}, got \"8080\""));
  EXPECT_THAT(errors_of("listen: []\n"),
              ElementsAre("gale.yaml:1:1: listen: must list at least one "
                          "address"));
  EXPECT_THAT(errors_of("listen:\n  - 8080\n"),
              ElementsAre("gale.yaml:2:5: listen[0]: expected a mapping of "
                          "host and port, got \"8080\""));
  EXPECT_THAT(errors_of("listen:\n  - {host: \"::1\", port: 80}\n"
                        "  - {port: 81}\n  - {host: \"::1\", port: 80}\n"),
              ElementsAre("gale.yaml:4:5: listen[2]: [::1]:80 is listed twice "
                          "(also listen[0])"));
}

TEST(ReadYamlErrors, SyntaxErrorsCarryTheirPosition) {
  EXPECT_THAT(errors_of("workers: 2\nlimits:\n  max_body_bytes: [1, 2\n"),
              ElementsAre("gale.yaml:4:1: end of sequence flow not found"));
  EXPECT_THAT(errors_of("a: b: c\n"),
              ElementsAre("gale.yaml:1:5: illegal map value"));
}

TEST(ReadYamlErrors, OneDocumentOnly) {
  EXPECT_THAT(errors_of("workers: 1\n---\nworkers: 2\n"),
              ElementsAre("gale.yaml:3:1: expected one YAML document, found "
                          "2"));
}

TEST(ReadYamlErrors, EveryProblemAtOnce) {
  EXPECT_THAT(
      errors_of(R"(listen:
  - host: 127.0.0.1
    port: 0
wokers: 3
reuse_port: maybe
static:
  prefix: assets
limits:
  max_body_bytes: lots
  header_timeout_s: 0
log:
  level: loud
)"),
      ElementsAre("gale.yaml:3:5: listen[0].port: must be 1..65535",
                  "gale.yaml:4:1: unknown key \"wokers\" (did you mean "
                  "\"workers\"?)",
                  "gale.yaml:5:1: reuse_port: expected true or false, got "
                  "\"maybe\"",
                  "gale.yaml:7:3: static.prefix: must start and end with '/', "
                  "got \"assets\"",
                  "gale.yaml:9:3: limits.max_body_bytes: expected an integer, "
                  "got \"lots\"",
                  "gale.yaml:10:3: limits.header_timeout_s: must be > 0",
                  "gale.yaml:12:3: log.level: expected one of "
                  "debug|info|warning|error, got \"loud\""));
}

TEST(ReadYamlFile, ReportsAMissingFileByItsFlag) {
  TempDir dir;
  Config config;
  Origins origins;
  std::vector<std::string> errors;
  read_yaml_file({"nope.yaml", dir.path() / "nope.yaml"}, config, origins,
                 errors);
  EXPECT_THAT(errors, ElementsAre("--config nope.yaml: cannot read: No such "
                                  "file or directory"));
}

TEST(ReadYamlFile, ReportsADirectory) {
  TempDir dir;
  Config config;
  Origins origins;
  std::vector<std::string> errors;
  read_yaml_file({"conf", dir.path()}, config, origins, errors);
  EXPECT_THAT(errors,
              ElementsAre("--config conf: is a directory, not a YAML file"));
}

TEST(ReadYamlFile, ReadsTheFile) {
  TempDir dir;
  const auto file = dir.write("gale.yaml", "workers: 3\n");
  Config config;
  Origins origins;
  std::vector<std::string> errors;
  read_yaml_file({"gale.yaml", file}, config, origins, errors);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(config.workers, 3u);
}

}  // namespace
}  // namespace gale

// load_config() end to end: defaults < YAML < flags, resolution and checks
// after merging, and the CLI actions.
#include "config/load_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include "tests/support/unprivileged.hpp"

namespace gale {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::ScopedCwd;
using testing::TempDir;

// Each test runs in a fresh empty directory, so that a ./public of the
// machine running the tests cannot change the default static root.
class LoadConfigTest : public ::testing::Test {
 protected:
  LoadConfigTest() : cwd_(dir_.path()) {}

  TempDir dir_;
  ScopedCwd cwd_;
};

TEST_F(LoadConfigTest, DefaultsWithNoArguments) {
  const LoadOutcome out = load_config({});
  EXPECT_EQ(out.action, CliAction::serve);
  EXPECT_THAT(out.errors, IsEmpty());
  const Config& c = out.config;
  ASSERT_EQ(c.listen.size(), 1u);
  EXPECT_EQ(c.listen[0].host, "0.0.0.0");
  EXPECT_EQ(c.listen[0].port, 8888);
  EXPECT_EQ(c.workers, usable_cpu_count());
  EXPECT_FALSE(c.reuse_port);
  EXPECT_EQ(c.backlog, 1024);
  EXPECT_EQ(c.static_files.prefix, "/static/");
  EXPECT_EQ(c.static_files.cache_control, "public, max-age=3600");
  EXPECT_EQ(c.limits.max_header_bytes, 65536u);
  EXPECT_EQ(c.limits.max_body_bytes, 16777216u);
  EXPECT_EQ(c.limits.header_timeout_s, 30);
  EXPECT_EQ(c.limits.body_timeout_s, 60);
  EXPECT_EQ(c.limits.idle_timeout_s, 75);
  EXPECT_EQ(c.limits.max_keepalive_requests, 10000u);
  EXPECT_EQ(c.limits.max_connections_per_worker, 20000u);
  EXPECT_EQ(c.workers_policy.graceful_timeout_s, 30);
  EXPECT_EQ(c.workers_policy.timeout_s, 30);
  EXPECT_EQ(c.workers_policy.max_requests, 0u);
  EXPECT_EQ(c.workers_policy.max_rss_mb, 0u);
  EXPECT_EQ(c.workers_policy.max_age_s, 0);
  EXPECT_EQ(c.workers_policy.restart_backoff_max_s, 10);
  EXPECT_EQ(c.log.level, LogLevel::info);
  EXPECT_EQ(c.log.access_log, "-");
  EXPECT_EQ(c.pidfile, "");
  EXPECT_EQ(c.config_file, "");
  EXPECT_FALSE(out.help_text.empty());
}

TEST_F(LoadConfigTest, DefaultStaticRootIsOffWithOneWarningWithoutPublic) {
  const LoadOutcome out = load_config({});
  EXPECT_EQ(out.config.static_files.root, "");
  EXPECT_THAT(out.warnings,
              ElementsAre("static root ./public not found: the /static/ route "
                          "is off"));
}

TEST_F(LoadConfigTest, DefaultStaticRootIsPublicWhenItExists) {
  dir_.mkdir("public");
  const LoadOutcome out = load_config({});
  EXPECT_EQ(out.config.static_files.root, (dir_.path() / "public").string());
  EXPECT_THAT(out.warnings, IsEmpty());
}

TEST_F(LoadConfigTest, YamlOverridesDefaults) {
  dir_.write("gale.yaml",
             "workers: 3\nbacklog: 10\nlimits:\n  max_body_bytes: 5\n"
             "log:\n  level: debug\n");
  const LoadOutcome out = load_config({"--config", "gale.yaml"});
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.config.workers, 3u);
  EXPECT_EQ(out.config.backlog, 10);
  EXPECT_EQ(out.config.limits.max_body_bytes, 5u);
  EXPECT_EQ(out.config.limits.max_header_bytes, 65536u);  // still default
  EXPECT_EQ(out.config.log.level, LogLevel::debug);
  EXPECT_EQ(out.config.config_file, (dir_.path() / "gale.yaml").string());
}

TEST_F(LoadConfigTest, FlagsOverrideYaml) {
  dir_.mkdir("conf/www");
  dir_.mkdir("flagroot");
  dir_.write("conf/gale.yaml",
             "workers: 3\nstatic:\n  root: www\nlog:\n  level: debug\n"
             "  access_log: off\npidfile: gale.pid\n");
  const LoadOutcome out =
      load_config({"--config", "conf/gale.yaml", "--workers", "5",
                   "--log-level", "error", "--static-root", "flagroot",
                   "--access-log", "-", "--pidfile", "other.pid"});
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.config.workers, 5u);
  EXPECT_EQ(out.config.log.level, LogLevel::error);
  EXPECT_EQ(out.config.static_files.root, (dir_.path() / "flagroot").string());
  EXPECT_EQ(out.config.log.access_log, "-");
  EXPECT_EQ(out.config.pidfile, (dir_.path() / "other.pid").string());
}

TEST_F(LoadConfigTest, PortFlagReplacesTheYamlListenList) {
  dir_.write("gale.yaml",
             "listen:\n  - {host: 127.0.0.1, port: 8080}\n"
             "  - {host: \"::1\", port: 8080}\n");
  const LoadOutcome out = load_config({"--config", "gale.yaml", "--port", "9"});
  ASSERT_THAT(out.errors, IsEmpty());
  ASSERT_EQ(out.config.listen.size(), 1u);
  EXPECT_EQ(out.config.listen[0].host, "0.0.0.0");
  EXPECT_EQ(out.config.listen[0].port, 9);
}

TEST_F(LoadConfigTest, HostAndPortFlagsMakeOneAddress) {
  const LoadOutcome out = load_config({"--host", "::1", "--port", "8081"});
  ASSERT_EQ(out.config.listen.size(), 1u);
  EXPECT_EQ(out.config.listen[0].host, "::1");
  EXPECT_EQ(out.config.listen[0].port, 8081);
}

TEST_F(LoadConfigTest, YamlListenListIsKeptWithoutHostOrPortFlags) {
  dir_.write("gale.yaml",
             "listen:\n  - {host: 127.0.0.1, port: 8080}\n"
             "  - {host: \"::1\", port: 8080}\n");
  const LoadOutcome out = load_config({"--config", "gale.yaml"});
  ASSERT_EQ(out.config.listen.size(), 2u);
  EXPECT_EQ(out.config.listen[1].host, "::1");
}

TEST_F(LoadConfigTest, WorkersZeroMeansOnePerUsableCpu) {
  dir_.write("gale.yaml", "workers: 0\n");
  EXPECT_EQ(load_config({"--config", "gale.yaml"}).config.workers,
            usable_cpu_count());
  EXPECT_EQ(load_config({"--workers", "0"}).config.workers, usable_cpu_count());
  dir_.write("four.yaml", "workers: 4\n");
  EXPECT_EQ(
      load_config({"--config", "four.yaml", "--workers", "0"}).config.workers,
      usable_cpu_count());
}

TEST_F(LoadConfigTest, YamlPathsAreRelativeToTheFileAndFlagsToTheCwd) {
  dir_.mkdir("etc/gale/public");
  dir_.mkdir("public");
  dir_.write("etc/gale/gale.yaml",
             "static:\n  root: public\nlog:\n  access_log: access.log\n");
  const LoadOutcome from_file = load_config({"--config", "etc/gale/gale.yaml"});
  ASSERT_THAT(from_file.errors, IsEmpty());
  EXPECT_EQ(from_file.config.static_files.root,
            (dir_.path() / "etc/gale/public").string());
  EXPECT_EQ(from_file.config.log.access_log,
            (dir_.path() / "etc/gale/access.log").string());
  EXPECT_EQ(from_file.config.config_file,
            (dir_.path() / "etc/gale/gale.yaml").string());

  const LoadOutcome from_flags =
      load_config({"--static-root", "public", "--access-log", "access.log",
                   "--pidfile", "gale.pid"});
  ASSERT_THAT(from_flags.errors, IsEmpty());
  EXPECT_EQ(from_flags.config.static_files.root,
            (dir_.path() / "public").string());
  EXPECT_EQ(from_flags.config.log.access_log,
            (dir_.path() / "access.log").string());
  EXPECT_EQ(from_flags.config.pidfile, (dir_.path() / "gale.pid").string());
}

TEST_F(LoadConfigTest, AnExplicitlyEmptyStaticRootIsOffWithoutWarning) {
  dir_.write("gale.yaml", "static:\n  root: \"\"\n");
  const LoadOutcome out = load_config({"--config", "gale.yaml"});
  EXPECT_THAT(out.errors, IsEmpty());
  EXPECT_THAT(out.warnings, IsEmpty());
  EXPECT_EQ(out.config.static_files.root, "");
}

TEST_F(LoadConfigTest, AMissingStaticRootIsAnError) {
  dir_.write("gale.yaml", "static:\n  root: www\n");
  EXPECT_THAT(
      load_config({"--config", "gale.yaml"}).errors,
      ElementsAre("gale.yaml:2:3: static.root: " +
                  (dir_.path() / "www").string() + ": no such directory"));
  EXPECT_THAT(
      load_config({"--static-root", "www"}).errors,
      ElementsAre("--static-root www: " + (dir_.path() / "www").string() +
                  ": no such directory"));
  dir_.write("file", "x");
  EXPECT_THAT(
      load_config({"--static-root", "file"}).errors,
      ElementsAre("--static-root file: " + (dir_.path() / "file").string() +
                  ": not a directory"));
}

TEST_F(LoadConfigTest, OnlyTheStaticRootThatWinsMustExist) {
  dir_.mkdir("www");
  dir_.write("gale.yaml", "static:\n  root: missing\n");
  const LoadOutcome out =
      load_config({"--config", "gale.yaml", "--static-root", "www"});
  EXPECT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.config.static_files.root, (dir_.path() / "www").string());
}

TEST_F(LoadConfigTest, BodySpoolingKeysAndTheirTempDirectory) {
  dir_.mkdir("spool");
  dir_.write("gale.yaml",
             "limits:\n  body_buffer_bytes: 8192\n"
             "  body_memory_bytes: 1048576\n  body_temp_dir: spool\n");
  const LoadOutcome out = load_config({"--config", "gale.yaml"});
  ASSERT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.config.limits.body_buffer_bytes, 8192u);
  EXPECT_EQ(out.config.limits.body_memory_bytes, 1048576u);
  EXPECT_EQ(out.config.limits.body_temp_dir, (dir_.path() / "spool").string());
  // Defaults: 64 KiB per body, 16 MiB per worker, the system's temp dir.
  const LoadOutcome none = load_config({});
  EXPECT_EQ(none.config.limits.body_buffer_bytes, 65536u);
  EXPECT_EQ(none.config.limits.body_memory_bytes, 16777216u);
  EXPECT_EQ(none.config.limits.body_temp_dir, "");
  dir_.write("gale.yaml", "limits:\n  body_temp_dir: nowhere\n");
  EXPECT_THAT(
      load_config({"--config", "gale.yaml"}).errors,
      ElementsAre("gale.yaml:2:3: limits.body_temp_dir: " +
                  (dir_.path() / "nowhere").string() + ": no such directory"));
}

TEST_F(LoadConfigTest, FilesToCreateNeedAnExistingDirectory) {
  dir_.write("gale.yaml", "log:\n  access_log: logs/access.log\n");
  EXPECT_THAT(
      load_config({"--config", "gale.yaml"}).errors,
      ElementsAre("gale.yaml:2:3: log.access_log: " +
                  (dir_.path() / "logs").string() + ": no such directory"));
  EXPECT_THAT(
      load_config({"--pidfile", "run/gale.pid"}).errors,
      ElementsAre("--pidfile run/gale.pid: " + (dir_.path() / "run").string() +
                  ": no such directory"));
  dir_.mkdir("logs");
  EXPECT_THAT(
      load_config({"--access-log", "logs"}).errors,
      ElementsAre("--access-log logs: " + (dir_.path() / "logs").string() +
                  ": is a directory"));
}

TEST_F(LoadConfigTest, AMissingConfigFileIsAnError) {
  EXPECT_THAT(load_config({"--config", "nope.yaml"}).errors,
              ElementsAre("--config nope.yaml: cannot read: No such file or "
                          "directory"));
}

TEST_F(LoadConfigTest, AnUnreadableConfigFileIsAnError) {
  dir_.write("secret.yaml", "workers: 1\n");
  std::filesystem::permissions(dir_.path() / "secret.yaml",
                               std::filesystem::perms::none);
  // Root reads any file: as root the check runs as user nobody.
  dir_.make_traversable();
  std::string why_not = test::run_unprivileged(
      [] {
        EXPECT_THAT(load_config({"--config", "secret.yaml"}).errors,
                    ElementsAre("--config secret.yaml: cannot read: "
                                "Permission denied"));
      },
      {dir_.path() / "secret.yaml"});
  if (!why_not.empty()) GTEST_SKIP() << why_not;
}

TEST_F(LoadConfigTest, ReportsFlagAndFileErrorsTogether) {
  dir_.write("gale.yaml",
             "wokers: 2\nlimits:\n  max_body_bytes: lots\n"
             "static:\n  prefix: static\n");
  const LoadOutcome out =
      load_config({"--config", "gale.yaml", "--port", "70000", "--wrokers", "2",
                   "--static-root", "nowhere"});
  EXPECT_THAT(
      out.errors,
      ElementsAre(
          "--port 70000: must be 1..65535",
          "--wrokers: unknown flag (did you mean --workers?)",
          "gale.yaml:1:1: unknown key \"wokers\" (did you mean \"workers\"?)",
          "gale.yaml:3:3: limits.max_body_bytes: expected an integer, got "
          "\"lots\"",
          "gale.yaml:5:3: static.prefix: must start and end with '/', got "
          "\"static\"",
          "--static-root nowhere: " + (dir_.path() / "nowhere").string() +
              ": no such directory"));
}

TEST_F(LoadConfigTest, SyntaxErrorsNameFileLineAndColumn) {
  dir_.write("gale.yaml", "workers: 2\nlimits: [\n");
  EXPECT_THAT(load_config({"--config", "gale.yaml"}).errors,
              ElementsAre("gale.yaml:3:1: end of sequence flow not found"));
}

TEST_F(LoadConfigTest, CheckConfigAction) {
  const LoadOutcome out = load_config({"--check-config", "--workers", "2"});
  EXPECT_EQ(out.action, CliAction::check_config);
  EXPECT_THAT(out.errors, IsEmpty());
  EXPECT_EQ(out.config.workers, 2u);
}

TEST_F(LoadConfigTest, HelpAnswersEvenABadCommandLine) {
  const LoadOutcome out = load_config({"--wokers", "2", "--help"});
  EXPECT_EQ(out.action, CliAction::print_help);
  EXPECT_THAT(out.errors, IsEmpty());
  EXPECT_NE(out.help_text.find("--static-root DIR"), std::string::npos);
}

TEST_F(LoadConfigTest, VersionAction) {
  const LoadOutcome out = load_config({"--version"});
  EXPECT_EQ(out.action, CliAction::print_version);
  EXPECT_THAT(out.errors, IsEmpty());
}

TEST_F(LoadConfigTest, HelpWinsOverVersion) {
  EXPECT_EQ(load_config({"--version", "--help"}).action, CliAction::print_help);
}

}  // namespace
}  // namespace gale

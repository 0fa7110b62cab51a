// SPEC §1: bad input never starts a half-working server. The config unit
// tests pin every message; here the binary's exit statuses, that errors
// are one line each on stderr, and that nothing is left listening.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// A usage or config error: exit 2 on its own, no signal, no sanitizer
// report, `lines` lines on stderr, nothing listening on `port`.
void expect_usage_error(const RunResult& r, int port, std::size_t lines = 1) {
  EXPECT_FALSE(r.status.timed_out) << "it started serving instead of failing";
  EXPECT_TRUE(r.status.exited && r.status.code == 2)
      << r.status.describe() << "\nstderr:\n"
      << r.err;
  EXPECT_EQ(lines_of(r.err).size(), lines) << "stderr:\n" << r.err;
  EXPECT_EQ(find_sanitizer_report(r.err), "");
  EXPECT_FALSE(port_accepts(port)) << "something listens on " << port;
}

// --static-root "": without it, a missing ./public adds its (legitimate)
// warning line to stderr.
std::vector<std::string> base_args(int port) {
  return {"--host",       "127.0.0.1", "--port",        std::to_string(port),
          "--workers",    "1",         "--static-root", "",
          "--access-log", "off"};
}

std::vector<std::string> with(std::vector<std::string> args,
                              std::initializer_list<std::string> more) {
  args.insert(args.end(), more);
  return args;
}

TEST(CliTest, UnknownFlagExits2NamingIt) {
  int port = free_port();
  RunResult r = run_binary(with(base_args(port), {"--frobnicate"}));
  expect_usage_error(r, port);
  EXPECT_NE(r.err.find("--frobnicate"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliTest, MistypedFlagWithValueIsOneLine) {
  int port = free_port();
  RunResult r = run_binary(with(base_args(port), {"--wokers", "4"}));
  expect_usage_error(r, port);
  EXPECT_NE(r.err.find("--wokers"), std::string::npos) << r.err;
}

TEST(CliTest, PortOutOfRangeExits2) {
  RunResult r = run_binary({"--host", "127.0.0.1", "--port", "70000",
                            "--static-root", "", "--access-log", "off"});
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe();
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("70000"), std::string::npos) << r.err;
}

TEST(CliTest, PortZeroExits2) {
  RunResult r =
      run_binary({"--port", "0", "--static-root", "", "--access-log", "off"});
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe();
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
}

TEST(CliTest, NonNumericWorkersExits2) {
  int port = free_port();
  RunResult r = run_binary(with(base_args(port), {"--workers", "many"}));
  expect_usage_error(r, port);
}

TEST(CliTest, EveryErrorIsReportedOnItsOwnLine) {
  int port = free_port();
  RunResult r = run_binary(
      with(base_args(port), {"--log-level", "loud", "--workers", "-3"}));
  expect_usage_error(r, port, 2);
}

TEST(CliTest, MissingStaticRootExits2) {
  int port = free_port();
  std::vector<std::string> args = base_args(port);
  auto root = std::find(args.begin(), args.end(), "--static-root");
  ASSERT_NE(root, args.end());
  root[1] = "/nonexistent/gale/public";
  RunResult r = run_binary(args);
  expect_usage_error(r, port);
  EXPECT_NE(r.err.find("/nonexistent/gale/public"), std::string::npos) << r.err;
}

TEST(CliTest, YamlSyntaxErrorExits2WithFileLineColumn) {
  TempDir dir;
  auto config = dir.write("bad.yaml",
                          "limits:\n"
                          "  max_header_bytes: 1024\n"
                          "  header_timeout_s: [1, 2\n"
                          "workers: 1\n");
  int port = free_port();
  RunResult r =
      run_binary(with(base_args(port), {"--config", config.string()}));
  expect_usage_error(r, port);
  std::regex where(std::regex_replace(config.string(),
                                      std::regex(R"([.^$|()\[\]{}*+?\\])"),
                                      R"(\$&)") +
                   R"(:\d+:\d+)");
  EXPECT_TRUE(std::regex_search(r.err, where))
      << "no file:line:column in: " << r.err;
}

TEST(CliTest, UnknownYamlKeyExits2NamingIt) {
  TempDir dir;
  auto config = dir.write("typo.yaml", "limits:\n  max_hedaer_bytes: 10\n");
  int port = free_port();
  RunResult r =
      run_binary(with(base_args(port), {"--config", config.string()}));
  expect_usage_error(r, port);
  EXPECT_NE(r.err.find("max_hedaer_bytes"), std::string::npos) << r.err;
}

TEST(CliTest, WrongYamlTypeExits2) {
  TempDir dir;
  auto config = dir.write("type.yaml", "limits:\n  idle_timeout_s: soon\n");
  int port = free_port();
  RunResult r =
      run_binary(with(base_args(port), {"--config", config.string()}));
  expect_usage_error(r, port);
}

TEST(CliTest, MissingConfigFileExits2) {
  int port = free_port();
  RunResult r =
      run_binary(with(base_args(port), {"--config", "/nonexistent/gale.yaml"}));
  expect_usage_error(r, port);
  EXPECT_NE(r.err.find("/nonexistent/gale.yaml"), std::string::npos) << r.err;
}

TEST(CliTest, PortInUseExits1NamingTheAddress) {
  // Hold the port with a listening socket of our own.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  int port = ntohs(a.sin_port);

  RunResult r = run_binary(base_args(port));
  ::close(fd);
  EXPECT_FALSE(r.status.timed_out) << "it did not exit";
  EXPECT_TRUE(r.status.exited && r.status.code == 1)
      << r.status.describe() << "\nstderr:\n"
      << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("in use"), std::string::npos) << r.err;
  EXPECT_EQ(find_sanitizer_report(r.err), "");
  // "one clear line": the address line; debug/info lines are not asked for.
  std::size_t error_lines = 0;
  for (const std::string& l : lines_of(r.err))
    error_lines += l.find("in use") != std::string::npos ? 1 : 0;
  EXPECT_EQ(error_lines, 1u) << r.err;
}

TEST(CliTest, UnwritableAccessLogFailsCleanly) {
  int port = free_port();
  std::vector<std::string> args = base_args(port);
  args.back() = "/nonexistent/dir/access.log";
  RunResult r = run_binary(args);
  EXPECT_FALSE(r.status.timed_out) << "it started without its access log";
  EXPECT_TRUE(r.status.exited && (r.status.code == 1 || r.status.code == 2))
      << r.status.describe() << "\nstderr:\n"
      << r.err;
  EXPECT_NE(r.err.find("/nonexistent/dir/access.log"), std::string::npos)
      << r.err;
  EXPECT_FALSE(port_accepts(port));
}

TEST(CliTest, CheckConfigPrintsYamlAndExits0) {
  TempDir dir;
  auto config = dir.write("ok.yaml",
                          "limits:\n"
                          "  max_header_bytes: 2048\n"
                          "  idle_timeout_s: 0.5\n");
  int port = free_port();
  RunResult r = run_binary(
      with(base_args(port), {"--config", config.string(), "--check-config"}));
  EXPECT_TRUE(r.status.exited && r.status.code == 0)
      << r.status.describe() << "\nstderr:\n"
      << r.err;
  EXPECT_NE(r.out.find("listen:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("port: " + std::to_string(port)), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("max_header_bytes: 2048"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("idle_timeout_s: 0.5"), std::string::npos) << r.out;
  EXPECT_FALSE(port_accepts(port)) << "--check-config started serving";

  // What it prints reads back as the same configuration.
  auto again = dir.write("dumped.yaml", r.out);
  RunResult r2 = run_binary(
      {"--config", again.string(), "--static-root", "", "--check-config"});
  EXPECT_TRUE(r2.status.exited && r2.status.code == 0)
      << r2.status.describe() << "\n"
      << r2.err;
  EXPECT_EQ(r2.out, r.out);
}

TEST(CliTest, CheckConfigWithErrorsExits2) {
  int port = free_port();
  RunResult r =
      run_binary(with(base_args(port), {"--check-config", "--workers", "x"}));
  expect_usage_error(r, port);
  EXPECT_EQ(r.out, "");
}

TEST(CliTest, VersionAndHelpExit0) {
  RunResult v = run_binary({"--version"});
  EXPECT_TRUE(v.status.exited && v.status.code == 0) << v.status.describe();
  EXPECT_NE(v.out.find("gale"), std::string::npos) << v.out;
  RunResult h = run_binary({"--help"});
  EXPECT_TRUE(h.status.exited && h.status.code == 0) << h.status.describe();
  EXPECT_NE(h.out.find("--port"), std::string::npos) << h.out;
}

}  // namespace
}  // namespace gale::itest

// Bad input never starts a half-working server (SPEC §1): each error is one
// clear line, exit status 2 for usage/config and 1 for runtime (an address
// in use), and no worker is ever started.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <regex>

#include "tests/master/support/fixture.hpp"

namespace gale::mtest {

using namespace gale::test;  // the shared test support

namespace {

class ConfigErrorTest : public MasterTest {
 protected:
  // Runs the binary to its exit; returns the exit code.
  int run(const LaunchOptions& options) {
    server_.launch(options);
    auto status = server_.wait_exit(10s);
    EXPECT_TRUE(status) << "it did not exit";
    if (!status) return -1;
    EXPECT_TRUE(status->exited) << status->describe();
    EXPECT_EQ(server_.count_in_log("started worker"), 0u)
        << "no worker may start";
    EXPECT_TRUE(group_members(server_.pid()).empty());
    return status->code;
  }
  std::string yaml() { return basic_yaml(free_port(), 2); }
};

TEST_F(ConfigErrorTest, UnknownFlagExits2) {
  EXPECT_EQ(run({.yaml = yaml(), .args = {"--bogus"}}), 2);
  EXPECT_NE(server_.stderr_text().find("--bogus"), std::string::npos)
      << server_.stderr_text();
}

TEST_F(ConfigErrorTest, PortOutOfRangeExits2) {
  EXPECT_EQ(run({.args = {"--port", "70000"}}), 2);
  EXPECT_NE(server_.stderr_text().find("--port 70000"), std::string::npos)
      << server_.stderr_text();
}

TEST_F(ConfigErrorTest, YamlSyntaxErrorExits2WithFileLineColumn) {
  EXPECT_EQ(run({.yaml = "workers: 2\nlisten: [\n  {host: 127.0.0.1\n"}), 2);
  std::regex where("config\\.yaml:[0-9]+:[0-9]+");
  EXPECT_TRUE(std::regex_search(server_.stderr_text(), where))
      << server_.stderr_text();
}

TEST_F(ConfigErrorTest, MissingStaticRootExits2) {
  EXPECT_EQ(run({.yaml = yaml(),
                 .args = {"--static-root", "/nonexistent/gale-static"}}),
            2);
  EXPECT_NE(server_.stderr_text().find("/nonexistent/gale-static"),
            std::string::npos)
      << server_.stderr_text();
}

TEST_F(ConfigErrorTest, AddressInUseExits1NamingIt) {
  int port = free_port();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  EXPECT_EQ(run({.yaml = basic_yaml(port, 2)}), 1);
  ::close(fd);
  EXPECT_NE(server_.stderr_text().find("127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << server_.stderr_text();
}

}  // namespace
}  // namespace gale::mtest

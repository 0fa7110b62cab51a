// systemd integration (issue 3 §4): sd_notify datagrams and socket
// activation through LISTEN_FDS/LISTEN_PID.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>

#include "tests/master/support/fixture.hpp"

namespace gale::mtest {

using namespace gale::test;  // the shared test support

namespace {

// A bound unix datagram socket, as systemd's $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~NotifySocket() { ::close(fd_); }
  bool bound() const { return bound_; }
  // Every datagram received until `state` arrives (inclusive) or timeout.
  bool wait_for(const std::string& state, Millis timeout) {
    return wait_until(
        [&] {
          pollfd p{fd_, POLLIN, 0};
          while (::poll(&p, 1, 0) > 0) {
            char buf[512];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) break;
            received.emplace_back(buf, static_cast<std::size_t>(n));
          }
          for (std::size_t i = seen_; i < received.size(); ++i)
            if (received[i] == state) {
              seen_ = i + 1;
              return true;
            }
          return false;
        },
        timeout);
  }
  std::string all() const {
    std::string s;
    for (const auto& r : received)
      s += r + " | ";
    return s;
  }
  std::vector<std::string> received;

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
  std::size_t seen_ = 0;
};

TEST_F(MasterTest, SdNotifyReportsReadyReloadingAndStopping) {
  std::string path = (server_.dir() / "notify.sock").string();
  NotifySocket notify(path);
  ASSERT_TRUE(notify.bound());
  server_.set_port(free_port());
  server_.launch({.yaml = basic_yaml(server_.port(), 2),
                  .env = {{"NOTIFY_SOCKET", path}}});
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << notify.all();
  EXPECT_EQ(http_get(server_.port(), "/").status, 200)
      << "READY=1 comes once the workers accept";

  server_.signal(SIGHUP);
  EXPECT_TRUE(notify.wait_for("RELOADING=1", 5s)) << notify.all();
  EXPECT_TRUE(notify.wait_for("READY=1", 15s)) << notify.all();
  EXPECT_TRUE(server_.wait_for_log("reload complete", 1s));

  server_.signal(SIGTERM);
  EXPECT_TRUE(notify.wait_for("STOPPING=1", 5s)) << notify.all();
  auto status = server_.wait_exit(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0);
  EXPECT_EQ(notify.all(), "READY=1 | RELOADING=1 | READY=1 | STOPPING=1 | ");
}

TEST_F(MasterTest, ServesOnASocketPassedWithListenFds) {
  int port = free_port();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 128), 0);

  // The config names another port: socket activation overrides listen:.
  int configured = free_port();
  server_.set_port(port);
  server_.launch({.yaml = basic_yaml(configured, 2), .activation_fd = fd});
  ::close(fd);  // the server has its own copy as fd 3
  ASSERT_TRUE(server_.wait_ready());
  EXPECT_TRUE(
      server_.wait_for_log("using 1 listening sockets from systemd", 1s));
  EXPECT_TRUE(port_is_free(configured)) << "listen: is ignored";
  auto seen = pids_by_index(port, 2);
  EXPECT_EQ(seen.size(), 2u);

  // A reload keeps serving on the inherited socket.
  server_.signal(SIGHUP);
  ASSERT_TRUE(server_.wait_for_log("reload complete", 15s));
  EXPECT_TRUE(pids_by_index(port, 2, 5s, 2).size() == 2u);
  EXPECT_TRUE(port_is_free(configured));
}

}  // namespace
}  // namespace gale::mtest

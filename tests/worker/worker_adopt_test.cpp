// A worker in process, driven through its control socket as the master
// drives it: what it does with a connection handed to it after it started
// retiring.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "server/app/builtin_app.hpp"
#include "worker/control_protocol.hpp"
#include "worker/worker.hpp"

namespace gale {
namespace {

using namespace std::chrono_literals;

int listen_on_loopback() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::listen(fd, 16), 0);
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

std::uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

std::uint16_t peer_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// The master's side: the next message of `type`, skipping heartbeats and
// the like, within `limit`.
bool receive(int channel, ControlType type, ControlMessage& out,
             std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{channel, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    ControlMessage m;
    if (receive_control(channel, m) != IoResult::ok) return false;
    if (m.type == type) {
      out = std::move(m);
      return true;
    }
    if (m.fd >= 0) ::close(m.fd);
  }
  return false;
}

TEST(WorkerAdoptTest, AConnectionAdoptedWhileRetiringIsPassedOnNotClosed) {
  Config config;
  config.workers = 1;
  Application app = make_builtin_app(config);
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
  int listener = listen_on_loopback();
  std::uint16_t port = port_of(listener);
  WorkerOptions options;
  options.listen_fds = {listener};
  options.control_fd = pair[1];
  std::thread loop([&] {
    Worker worker(config, app, options);
    worker.run();
  });
  int master = pair[0];
  ControlMessage m;
  ASSERT_TRUE(receive(master, ControlType::ready, m, 3s));

  // A request in flight keeps the retiring worker alive meanwhile.
  int busy = connect_to(port);
  std::string slow = "GET /sleep?ms=800 HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(busy, slow.data(), slow.size(), 0),
            static_cast<ssize_t>(slow.size()));
  std::this_thread::sleep_for(100ms);

  // The master picked this worker for a connection just before retiring it.
  int accepted_by_other = listen_on_loopback();
  int client = connect_to(port_of(accepted_by_other));
  int handed = ::accept(accepted_by_other, nullptr, nullptr);
  ASSERT_GE(handed, 0);
  char mode = static_cast<char>(DrainMode::hand_over);
  ASSERT_EQ(
      send_control(master, ControlType::drain, std::string_view(&mode, 1)),
      IoResult::ok);
  ASSERT_EQ(send_control(master, ControlType::adopt, {}, handed), IoResult::ok);
  ::close(handed);

  // It comes back to the master, the same connection, still open.
  ASSERT_TRUE(receive(master, ControlType::handoff, m, 3s))
      << "the adopted connection was not passed on";
  ASSERT_GE(m.fd, 0);
  EXPECT_EQ(peer_port(m.fd), local_port(client));
  pollfd p{client, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0) << "the client saw its connection end";

  ::close(m.fd);
  ::close(client);
  ::close(accepted_by_other);
  ::close(busy);
  ::close(master);  // the master is gone: the worker drains and returns
  loop.join();
}

}  // namespace
}  // namespace gale

// A scripted HTTP server inside the test, for what gale-test never does:
// stall, reset, send garbage or too much, close a keep-alive connection.
// It listens on 127.0.0.1 (port 0); each accepted connection runs the
// test's `script` on a thread of its own. Every wait is bounded, and the
// destructor wakes and joins every thread.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace gale::test {

struct StubRequest {
  std::string method, target, head, body;
};

// One accepted connection, as the script sees it.
class StubConnection {
 public:
  explicit StubConnection(int fd) : fd_(fd) {}

  // The next request (head and Content-Length body), or nullopt on EOF,
  // reset or after `timeout`.
  std::optional<StubRequest> read_request(
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::size_t end;
    while ((end = data_.find("\r\n\r\n")) == std::string::npos)
      if (!read_more(timeout)) return std::nullopt;
    StubRequest r;
    r.head = data_.substr(0, end + 4);
    r.method = r.head.substr(0, r.head.find(' '));
    std::size_t t = r.method.size() + 1;
    r.target = r.head.substr(t, r.head.find(' ', t) - t);
    std::size_t length = 0;
    if (auto at = r.head.find("Content-Length: "); at != std::string::npos)
      length = std::stoul(r.head.substr(at + 16));
    while (data_.size() < end + 4 + length)
      if (!read_more(timeout)) return std::nullopt;
    r.body = data_.substr(end + 4, length);
    data_.erase(0, end + 4 + length);
    return r;
  }
  void send(const std::string& bytes) {
    ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  // Waits for the client to close: true on EOF or reset within `timeout`.
  bool wait_closed(
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    while (read_more(timeout)) {
    }
    return closed_;
  }
  // The close after the script returns sends a TCP reset, not a FIN.
  void reset_on_close() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }

 private:
  bool read_more(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (fd_ < 0 || ::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
      return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    data_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  std::string data_;
  bool closed_ = false;
};

class StubServer {
 public:
  using Script = std::function<void(StubConnection&)>;

  explicit StubServer(Script script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      ADD_FAILURE() << "stub: cannot listen";
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~StubServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    ::close(listener_);
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_)
        ::shutdown(fd, SHUT_RDWR);  // wakes a script waiting on it
    }
    for (auto& t : threads_)
      t.join();
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int accepted() const { return accepted_; }
  int finished() const { return finished_; }  // scripts that returned

 private:
  void accept_loop() {
    while (!stopping_) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      std::lock_guard lock(mutex_);
      open_.push_back(fd);
      threads_.emplace_back([this, fd] {
        StubConnection c(fd);
        script_(c);
        std::lock_guard lock(mutex_);  // no shutdown() of a reused number
        std::erase(open_, fd);
        ::close(fd);
        ++finished_;
      });
    }
  }

  Script script_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0}, finished_{0};
  std::mutex mutex_;
  std::vector<int> open_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// "HTTP/1.1 <status>" with a Content-Length body (keep-alive).
inline std::string http_response(const std::string& status,
                                 const std::string& body,
                                 const std::string& fields = "") {
  return "HTTP/1.1 " + status +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         fields + "\r\n" + body;
}

}  // namespace gale::test

#include "tests/master/support/http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace gale::mtest {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
  return static_cast<int>(std::max<long long>(left.count(), 0));
}

bool wait_fd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Parses one response from the front of `buf`. Returns the bytes it takes,
// 0 when more are needed, or -1 when malformed.
long parse_response(const std::string& buf, Response& r) {
  std::size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string::npos) return buf.size() > 65536 ? -1 : 0;
  std::size_t line_end = buf.find("\r\n");
  std::string status_line = buf.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
    return -1;
  r.status = std::atoi(status_line.c_str() + 9);
  r.headers.clear();
  std::size_t pos = line_end + 2;
  while (pos < head_end) {
    std::size_t eol = buf.find("\r\n", pos);
    std::string line = buf.substr(pos, eol - pos);
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) return -1;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    r.headers[lower(line.substr(0, colon))] = value;
    pos = eol + 2;
  }
  std::size_t body = head_end + 4;
  if (auto te = r.headers.find("transfer-encoding");
      te != r.headers.end() && lower(te->second) == "chunked") {
    r.body.clear();
    std::size_t p = body;
    for (;;) {
      std::size_t eol = buf.find("\r\n", p);
      if (eol == std::string::npos) return 0;
      unsigned long size = std::strtoul(buf.c_str() + p, nullptr, 16);
      if (size == 0) {
        std::size_t end = buf.find("\r\n\r\n", eol);
        if (end == std::string::npos) return 0;
        return static_cast<long>(end + 4);
      }
      if (buf.size() < eol + 2 + size + 2) return 0;
      r.body.append(buf, eol + 2, size);
      p = eol + 2 + size + 2;
    }
  }
  std::size_t length = 0;
  if (auto cl = r.headers.find("content-length"); cl != r.headers.end())
    length = std::strtoul(cl->second.c_str(), nullptr, 10);
  else if (r.status >= 200 && r.status != 204 && r.status != 304)
    return -2;  // body until close
  if (buf.size() < body + length) return 0;
  r.body = buf.substr(body, length);
  return static_cast<long>(body + length);
}

}  // namespace

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::ok:
      return "ok";
    case Outcome::connect_failed:
      return "connect failed";
    case Outcome::send_failed:
      return "send failed";
    case Outcome::eof:
      return "closed before a full response";
    case Outcome::reset:
      return "reset";
    case Outcome::timeout:
      return "timed out";
    case Outcome::malformed:
      return "malformed response";
  }
  return "?";
}

bool Response::closes() const {
  auto it = headers.find("connection");
  return it != headers.end() && lower(it->second) == "close";
}

std::string Response::describe() const {
  std::string s = outcome_name(outcome);
  if (error_number) s += std::string(" (") + std::strerror(error_number) + ")";
  if (outcome == Outcome::ok)
    s += ": " + std::to_string(status) + " " + body.substr(0, 80);
  return s;
}

HttpConnection::~HttpConnection() {
  close();
}

HttpConnection::HttpConnection(HttpConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

HttpConnection& HttpConnection::operator=(HttpConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

void HttpConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool HttpConnection::connect(int port, Millis timeout, int* error_number) {
  close();
  auto deadline = Clock::now() + timeout;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    if (error_number) *error_number = errno;
    return false;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int err = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      if (!wait_fd(fd, POLLOUT, deadline)) {
        err = ETIMEDOUT;
      } else {
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
  }
  if (err != 0) {
    ::close(fd);
    if (error_number) *error_number = err;
    return false;
  }
  fd_ = fd;
  buffer_.clear();
  if (error_number) *error_number = 0;
  return true;
}

bool HttpConnection::send(const std::string& bytes, Millis timeout) {
  auto deadline = Clock::now() + timeout;
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n =
        ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_fd(fd_, POLLOUT, deadline)) return false;
      continue;
    }
    return false;
  }
  return true;
}

Response HttpConnection::read_response(Millis timeout) {
  Response r;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    long used = parse_response(buffer_, r);
    if (used > 0) {
      buffer_.erase(0, static_cast<std::size_t>(used));
      r.outcome = Outcome::ok;
      if (r.closes()) close();
      return r;
    }
    if (used == -1) {
      r.outcome = Outcome::malformed;
      close();
      return r;
    }
    if (!wait_fd(fd_, POLLIN, deadline)) {
      r.outcome = Outcome::timeout;
      close();
      return r;
    }
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n == 0 && used == -2) {  // a body delimited by the close
      std::size_t body = buffer_.find("\r\n\r\n") + 4;
      r.body = buffer_.substr(body);
      r.outcome = Outcome::ok;
      close();
      return r;
    }
    r.outcome = n == 0 ? Outcome::eof : Outcome::reset;
    r.error_number = n == 0 ? 0 : errno;
    if (n < 0 && errno != ECONNRESET) r.outcome = Outcome::reset;
    close();
    return r;
  }
}

Response HttpConnection::get(const std::string& target, Millis timeout,
                             bool close_after) {
  Response r;
  if (!is_open()) {
    r.outcome = Outcome::send_failed;
    r.error_number = ENOTCONN;
    return r;
  }
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (close_after) req += "Connection: close\r\n";
  req += "\r\n";
  if (!send(req, timeout)) {
    r.outcome = Outcome::send_failed;
    r.error_number = errno;
    close();
    return r;
  }
  return read_response(timeout);
}

Response http_get(int port, const std::string& target, Millis timeout) {
  HttpConnection c;
  Response r;
  if (!c.connect(port, timeout, &r.error_number)) {
    r.outcome = Outcome::connect_failed;
    return r;
  }
  return c.get(target, timeout, true);
}

std::optional<Info> parse_info(const std::string& json) {
  auto number = [&](const char* key) -> std::optional<long> {
    std::string k = std::string("\"") + key + "\":";
    std::size_t at = json.find(k);
    if (at == std::string::npos) return std::nullopt;
    return std::strtol(json.c_str() + at + k.size(), nullptr, 10);
  };
  auto pid = number("pid");
  auto worker = number("worker");
  if (!pid || !worker) return std::nullopt;
  Info i;
  i.pid = *pid;
  i.worker = static_cast<int>(*worker);
  i.generation = number("generation").value_or(-1);
  i.requests = number("requests").value_or(-1);
  i.connections = number("connections").value_or(-1);
  return i;
}

std::optional<Info> get_info(int port, Millis timeout) {
  Response r = http_get(port, "/info", timeout);
  if (!r.ok() || r.status != 200) return std::nullopt;
  return parse_info(r.body);
}

std::optional<Info> get_info(HttpConnection& c, Millis timeout) {
  Response r = c.get("/info", timeout);
  if (!r.ok() || r.status != 200) return std::nullopt;
  return parse_info(r.body);
}

std::vector<Info> info_burst(int port, int n, Millis timeout) {
  // One deadline for the whole burst, not one per connection.
  auto deadline = Clock::now() + timeout;
  auto left = [&] {
    return std::max(
        Millis(1), std::chrono::duration_cast<Millis>(deadline - Clock::now()));
  };
  std::vector<HttpConnection> conns(static_cast<std::size_t>(n));
  for (auto& c : conns)
    c.connect(port, left());
  const std::string req =
      "GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  for (auto& c : conns)
    if (c.is_open() && !c.send(req, left())) c.close();
  std::vector<Info> out;
  for (auto& c : conns) {
    if (!c.is_open()) continue;
    Response r = c.read_response(left());
    if (!r.ok() || r.status != 200) continue;
    if (auto i = parse_info(r.body)) out.push_back(*i);
  }
  return out;
}

}  // namespace gale::mtest

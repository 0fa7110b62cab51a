#include "tests/support/http_client.hpp"

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
#include <thread>
#include <utility>

namespace gale::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

timeval to_timeval(Millis t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  return tv;
}

// A non-blocking connect bounded by `timeout`; 0 or the errno.
int connect_within(int fd, int port, Millis timeout) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return 0;
  if (errno != EINPROGRESS) return errno;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    pollfd p{fd, POLLOUT, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n == 0) return ETIMEDOUT;
    if (n > 0) break;
    if (errno != EINTR) return errno;
  }
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err;
}

}  // namespace

// ---- connection -------------------------------------------------------------

HttpClient::~HttpClient() {
  close();
}

HttpClient::HttpClient(HttpClient&& o) noexcept {
  *this = std::move(o);
}

HttpClient& HttpClient::operator=(HttpClient&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    buf_ = std::move(o.buf_);
    pos_ = o.pos_;
    last_end_ = o.last_end_;
    last_errno_ = o.last_errno_;
    error_ = std::move(o.error_);
  }
  return *this;
}

bool HttpClient::connect(int port, Millis timeout, int* error_number) {
  close();
  buf_.clear();
  pos_ = 0;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int err = fd < 0 ? errno : connect_within(fd, port, timeout);
  if (error_number) *error_number = err;
  if (err != 0) {
    error_ = std::string("connect: ") + std::strerror(err);
    if (fd >= 0) ::close(fd);
    return false;
  }
  fd_ = fd;
  // Blocking from here on, every call bounded by a deadline or a timeout.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  timeval tv = to_timeval(timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Sends may block on a full socket for at most this long.
  set_send_timeout(5s);
  return true;
}

bool HttpClient::adopt(int fd) {
  close();
  buf_.clear();
  pos_ = 0;
  fd_ = fd;
  return fd_ >= 0;
}

void HttpClient::set_send_timeout(Millis t) {
  timeval tv = to_timeval(t);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool HttpClient::send(std::string_view bytes) {
  if (fd_ < 0) {
    error_ = "send: not connected";
    last_errno_ = ENOTCONN;
    return false;
  }
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      last_errno_ = errno;
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool HttpClient::send_slowly(std::string_view bytes, std::size_t piece,
                             Millis pause) {
  while (!bytes.empty()) {
    std::size_t n = std::min(piece, bytes.size());
    if (!send(bytes.substr(0, n))) return false;
    bytes.remove_prefix(n);
    if (!bytes.empty()) std::this_thread::sleep_for(pause);
  }
  return true;
}

void HttpClient::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void HttpClient::close(bool reset) {
  if (fd_ < 0) return;
  if (reset) {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  ::close(fd_);
  fd_ = -1;
}

// ---- reading ----------------------------------------------------------------

bool HttpClient::recv_some(Deadline deadline) {
  if (fd_ < 0) {
    last_end_ = Outcome::eof;
    return false;
  }
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      last_end_ = Outcome::timeout;
      return false;
    }
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) {
      last_end_ = Outcome::eof;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (remaining_ms(deadline) == 0) {
        last_end_ = Outcome::timeout;
        return false;
      }
      continue;
    }
    last_errno_ = errno;
    last_end_ = errno == ECONNRESET ? Outcome::reset : Outcome::eof;
    error_ = std::string("recv: ") + std::strerror(errno);
    return false;
  }
}

bool HttpClient::fill(std::size_t n, Deadline deadline) {
  while (buf_.size() - pos_ < n)
    if (!recv_some(deadline)) return false;
  return true;
}

std::optional<std::size_t> HttpClient::fill_until(std::string_view delim,
                                                  Deadline deadline) {
  std::size_t from = pos_;
  for (;;) {
    std::size_t at = buf_.find(delim, from);
    if (at != std::string::npos) return at;
    if (buf_.size() >= delim.size()) from = buf_.size() - delim.size() + 1;
    from = std::max(from, pos_);
    if (!recv_some(deadline)) return std::nullopt;
  }
}

std::optional<HttpResponse> HttpClient::read_response(Millis timeout,
                                                      bool head_request) {
  Deadline deadline = Clock::now() + timeout;
  last_end_ = Outcome::ok;
  last_errno_ = 0;
  pos_ = 0;
  auto head_end = fill_until("\r\n\r\n", deadline);
  if (!head_end) return std::nullopt;
  HttpResponse r;
  if (!parse_head(std::string_view(buf_.data(), *head_end), r)) {
    last_end_ = Outcome::malformed;
    return std::nullopt;
  }
  pos_ = *head_end + 4;
  if (!read_body(r, head_request, deadline)) return std::nullopt;
  r.raw = buf_.substr(0, pos_);
  buf_.erase(0, pos_);
  pos_ = 0;
  return r;
}

bool HttpClient::read_body(HttpResponse& r, bool head_request,
                           Deadline deadline) {
  bool no_body = head_request || (r.status >= 100 && r.status < 200) ||
                 r.status == 204 || r.status == 304;
  std::string te = r.header("Transfer-Encoding");
  if (no_body) return true;
  if (!te.empty()) {
    if (!has_token(te, "chunked")) {
      last_end_ = Outcome::malformed;
      return false;
    }
    r.chunked = true;
    return read_chunked(r, deadline);
  }
  if (r.has_header("Content-Length")) {
    std::size_t len = std::stoull(r.header("Content-Length"));
    if (!fill(len, deadline)) return false;
    r.body = buf_.substr(pos_, len);
    pos_ += len;
    return true;
  }
  // Delimited by the close of the connection.
  while (recv_some(deadline)) {
  }
  if (last_end_ == Outcome::timeout) return false;
  r.close_delimited = true;
  r.body = buf_.substr(pos_);
  pos_ = buf_.size();
  last_end_ = Outcome::ok;
  return true;
}

bool HttpClient::read_chunked(HttpResponse& r, Deadline deadline) {
  for (;;) {
    auto eol = fill_until("\r\n", deadline);
    if (!eol) return false;
    std::string line = buf_.substr(pos_, *eol - pos_);
    std::size_t semi = line.find(';');
    std::string hex = std::string(trim(line.substr(0, semi)));
    char* end = nullptr;
    unsigned long long size = std::strtoull(hex.c_str(), &end, 16);
    if (hex.empty() || *end != '\0') {
      last_end_ = Outcome::malformed;
      return false;
    }
    pos_ = *eol + 2;
    if (size == 0) break;
    if (!fill(size + 2, deadline)) return false;
    if (buf_.compare(pos_ + size, 2, "\r\n") != 0) {
      last_end_ = Outcome::malformed;
      return false;
    }
    r.chunks.push_back(buf_.substr(pos_, size));
    r.body += r.chunks.back();
    pos_ += size + 2;
  }
  // Trailer fields, then the final CRLF.
  for (;;) {
    auto eol = fill_until("\r\n", deadline);
    if (!eol) return false;
    bool last = *eol == pos_;
    pos_ = *eol + 2;
    if (last) return true;
  }
}

std::vector<HttpResponse> HttpClient::read_responses(std::size_t n,
                                                     Millis timeout) {
  std::vector<HttpResponse> out;
  Deadline deadline = Clock::now() + timeout;
  for (std::size_t i = 0; i < n; ++i) {
    auto r = read_response(Millis(remaining_ms(deadline)));
    if (!r) break;
    out.push_back(std::move(*r));
  }
  return out;
}

Reply HttpClient::read_reply(Millis timeout) {
  Reply reply;
  if (auto r = read_response(timeout)) {
    static_cast<HttpResponse&>(reply) = std::move(*r);
    reply.outcome = Outcome::ok;
    if (reply.closes()) close();
    return reply;
  }
  reply.outcome = last_end_;
  reply.error_number = last_errno_;
  close();
  return reply;
}

Reply HttpClient::get(const std::string& target, Millis timeout, bool close) {
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (close) req += "Connection: close\r\n";
  req += "\r\n";
  set_send_timeout(timeout);
  if (!send(req)) {
    Reply reply;
    reply.outcome = Outcome::send_failed;
    reply.error_number = last_errno_;
    this->close();
    return reply;
  }
  return read_reply(timeout);
}

bool HttpClient::wait_closed(Millis timeout, bool data_allowed) {
  Deadline deadline = Clock::now() + timeout;
  for (;;) {
    std::size_t before = buf_.size();
    if (!recv_some(deadline))
      return last_end_ == Outcome::eof || last_end_ == Outcome::reset;
    if (!data_allowed && buf_.size() > before) return false;
  }
}

Outcome HttpClient::read_until_close(std::string& out, Millis timeout) {
  Deadline deadline = Clock::now() + timeout;
  while (recv_some(deadline)) {
  }
  out.append(buf_, pos_);
  buf_.clear();
  pos_ = 0;
  return last_end_;
}

bool HttpClient::receive(Millis timeout) {
  return recv_some(Clock::now() + timeout);
}

bool HttpClient::still_open(Millis wait) {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) == 0;
}

// ---- one-shot helpers -------------------------------------------------------

std::optional<HttpResponse> fetch(int port, std::string_view request,
                                  Millis timeout) {
  HttpClient c;
  if (!c.connect(port) || !c.send(request)) return std::nullopt;
  return c.read_response(timeout, request.substr(0, 5) == "HEAD ");
}

std::optional<HttpResponse> get(int port, std::string_view target) {
  std::string req = "GET ";
  req += target;
  req += " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  return fetch(port, req);
}

Reply http_get(int port, const std::string& target, Millis timeout) {
  HttpClient c;
  Reply r;
  if (!c.connect(port, timeout, &r.error_number)) {
    r.outcome = Outcome::connect_failed;
    return r;
  }
  return c.get(target, timeout, true);
}

}  // namespace gale::test

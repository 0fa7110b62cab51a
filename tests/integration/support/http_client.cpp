#include "tests/integration/support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <thread>

namespace gale::itest {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

timeval to_timeval(std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  return tv;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const char* describe(ReadEnd e) {
  switch (e) {
    case ReadEnd::ok:
      return "ok";
    case ReadEnd::eof:
      return "connection closed (EOF)";
    case ReadEnd::reset:
      return "connection reset";
    case ReadEnd::timeout:
      return "timed out";
    case ReadEnd::garbage:
      return "not an HTTP response";
  }
  return "?";
}

// ---- HttpResponse -----------------------------------------------------------

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

bool HttpResponse::has_header(std::string_view name) const {
  return header_count(name) > 0;
}

int HttpResponse::header_count(std::string_view name) const {
  int n = 0;
  for (const auto& [k, v] : headers)
    n += iequals(k, name) ? 1 : 0;
  return n;
}

// ---- HttpClient: connection -------------------------------------------------

HttpClient::~HttpClient() {
  close();
}

HttpClient::HttpClient(HttpClient&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      buf_(std::move(o.buf_)),
      pos_(o.pos_),
      last_end_(o.last_end_),
      error_(std::move(o.error_)) {}

HttpClient& HttpClient::operator=(HttpClient&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    buf_ = std::move(o.buf_);
    pos_ = o.pos_;
    last_end_ = o.last_end_;
    error_ = std::move(o.error_);
  }
  return *this;
}

bool HttpClient::connect(int port, std::chrono::milliseconds timeout) {
  close();
  buf_.clear();
  pos_ = 0;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  timeval tv = to_timeval(timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  // A blocking connect to loopback completes or fails at once (the
  // listener's backlog takes it); SO_SNDTIMEO bounds it anyway.
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    error_ = std::string("connect: ") + std::strerror(errno);
    close();
    return false;
  }
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

void HttpClient::set_send_timeout(std::chrono::milliseconds t) {
  timeval tv = to_timeval(t);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool HttpClient::send(std::string_view bytes) {
  if (fd_ < 0) return false;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool HttpClient::send_slowly(std::string_view bytes, std::size_t piece,
                             std::chrono::milliseconds pause) {
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

// ---- HttpClient: reading ----------------------------------------------------

bool HttpClient::recv_some(Deadline deadline) {
  if (fd_ < 0) {
    last_end_ = ReadEnd::eof;
    return false;
  }
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int ms = remaining_ms(deadline);
    int r = ::poll(&p, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      last_end_ = ReadEnd::timeout;
      return false;
    }
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) {
      last_end_ = ReadEnd::eof;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (remaining_ms(deadline) == 0) {
        last_end_ = ReadEnd::timeout;
        return false;
      }
      continue;
    }
    last_end_ = errno == ECONNRESET ? ReadEnd::reset : ReadEnd::eof;
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

std::optional<HttpResponse> HttpClient::read_response(
    std::chrono::milliseconds timeout, bool head_request) {
  Deadline deadline = Clock::now() + timeout;
  last_end_ = ReadEnd::ok;
  pos_ = 0;
  auto head_end = fill_until("\r\n\r\n", deadline);
  if (!head_end) return std::nullopt;
  HttpResponse r;
  std::string_view head(buf_.data(), *head_end);
  std::size_t eol = head.find("\r\n");
  r.status_line = std::string(head.substr(0, eol));
  // "HTTP/1.1 200 OK"
  if (r.status_line.size() < 12 || r.status_line.compare(0, 5, "HTTP/") != 0 ||
      r.status_line[8] != ' ') {
    last_end_ = ReadEnd::garbage;
    return std::nullopt;
  }
  r.version = r.status_line.substr(0, 8);
  r.status = std::atoi(r.status_line.substr(9, 3).c_str());
  r.reason = r.status_line.size() > 13 ? r.status_line.substr(13) : "";
  std::string_view rest =
      eol == std::string_view::npos ? "" : head.substr(eol + 2);
  while (!rest.empty()) {
    std::size_t e = rest.find("\r\n");
    std::string_view line = rest.substr(0, e);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      last_end_ = ReadEnd::garbage;
      return std::nullopt;
    }
    r.headers.emplace_back(std::string(line.substr(0, colon)),
                           std::string(trim(line.substr(colon + 1))));
    if (e == std::string_view::npos) break;
    rest.remove_prefix(e + 2);
  }
  pos_ = *head_end + 4;

  bool no_body = head_request || (r.status >= 100 && r.status < 200) ||
                 r.status == 204 || r.status == 304;
  std::string te = r.header("Transfer-Encoding");
  if (no_body) {
    // nothing
  } else if (!te.empty()) {
    if (!has_token(te, "chunked")) {
      last_end_ = ReadEnd::garbage;
      return std::nullopt;
    }
    r.chunked = true;
    if (!read_chunked(r, deadline)) return std::nullopt;
  } else if (r.has_header("Content-Length")) {
    std::size_t len = std::stoull(r.header("Content-Length"));
    if (!fill(len, deadline)) return std::nullopt;
    r.body = buf_.substr(pos_, len);
    pos_ += len;
  } else {
    // Delimited by the close of the connection.
    while (recv_some(deadline)) {
    }
    if (last_end_ == ReadEnd::timeout) return std::nullopt;
    r.close_delimited = true;
    r.body = buf_.substr(pos_);
    pos_ = buf_.size();
    last_end_ = ReadEnd::ok;
  }
  r.raw = buf_.substr(0, pos_);
  buf_.erase(0, pos_);
  pos_ = 0;
  return r;
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
      last_end_ = ReadEnd::garbage;
      return false;
    }
    pos_ = *eol + 2;
    if (size == 0) break;
    if (!fill(size + 2, deadline)) return false;
    if (buf_.compare(pos_ + size, 2, "\r\n") != 0) {
      last_end_ = ReadEnd::garbage;
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

std::vector<HttpResponse> HttpClient::read_responses(
    std::size_t n, std::chrono::milliseconds timeout) {
  std::vector<HttpResponse> out;
  Deadline deadline = Clock::now() + timeout;
  for (std::size_t i = 0; i < n; ++i) {
    auto left = std::chrono::milliseconds(remaining_ms(deadline));
    auto r = read_response(left);
    if (!r) break;
    out.push_back(std::move(*r));
  }
  return out;
}

bool HttpClient::wait_closed(std::chrono::milliseconds timeout,
                             bool data_allowed) {
  Deadline deadline = Clock::now() + timeout;
  for (;;) {
    std::size_t before = buf_.size();
    if (!recv_some(deadline))
      return last_end_ == ReadEnd::eof || last_end_ == ReadEnd::reset;
    if (!data_allowed && buf_.size() > before) return false;
  }
}

ReadEnd HttpClient::read_until_close(std::string& out,
                                     std::chrono::milliseconds timeout) {
  Deadline deadline = Clock::now() + timeout;
  while (recv_some(deadline)) {
  }
  out.append(buf_, pos_);
  buf_.clear();
  pos_ = 0;
  return last_end_;
}

bool HttpClient::receive(std::chrono::milliseconds timeout) {
  return recv_some(Clock::now() + timeout);
}

bool HttpClient::still_open(std::chrono::milliseconds wait) {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, static_cast<int>(wait.count()));
  return r == 0;
}

// ---- helpers
// ------------------------------------------------------------------

std::optional<HttpResponse> fetch(int port, std::string_view request,
                                  std::chrono::milliseconds timeout) {
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

}  // namespace gale::itest

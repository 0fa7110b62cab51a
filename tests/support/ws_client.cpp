#include "tests/support/ws_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <regex>
#include <sstream>

namespace gale::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

std::uint32_t random_mask() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<std::uint32_t>(rng());
}

// A blocking socket connected to 127.0.0.1:port, with a small receive
// buffer set before connecting when `rcvbuf` > 0; -1 on failure.
int connect_socket(int port, int rcvbuf) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

int WsFrame::close_code() const {
  if (payload.size() < 2) return 1005;
  return (static_cast<unsigned char>(payload[0]) << 8) |
         static_cast<unsigned char>(payload[1]);
}

std::string WsFrame::close_reason() const {
  return payload.size() < 2 ? std::string() : payload.substr(2);
}

std::string describe(const WsFrame& f) {
  std::ostringstream o;
  o << "frame{opcode=" << int(f.opcode) << " fin=" << f.fin
    << " rsv=" << int(f.rsv) << " masked=" << f.masked
    << " size=" << f.payload.size();
  if (f.opcode == ws_op::close)
    o << " code=" << f.close_code() << " reason=\"" << f.close_reason() << "\"";
  else if (f.payload.size() <= 64)
    o << " payload=\"" << f.payload << "\"";
  return o.str() + "}";
}

std::string ws_frame(std::uint8_t opcode, std::string_view payload,
                     FrameOptions options) {
  std::string out;
  out += static_cast<char>((options.fin ? 0x80 : 0) | ((options.rsv & 7) << 4) |
                           (opcode & 0x0F));
  const char mask_bit = options.mask ? char(0x80) : char(0);
  const std::uint64_t n = payload.size();
  if (n <= 125) {
    out += static_cast<char>(mask_bit | static_cast<char>(n));
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((n >> shift) & 0xFF);
  }
  if (!options.mask) return out.append(payload);
  const std::uint32_t key = random_mask();
  char k[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
  out.append(k, 4);
  const std::size_t start = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out[start + i] ^= k[i % 4];
  return out;
}

std::string ws_close_payload(int code, std::string_view reason) {
  std::string out;
  out += static_cast<char>((code >> 8) & 0xFF);
  out += static_cast<char>(code & 0xFF);
  return out.append(reason);
}

std::string ws_handshake(std::string_view target, std::string_view extra,
                         std::string_view key) {
  std::string r = "GET ";
  r.append(target).append(
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: ");
  return r.append(key).append("\r\n").append(extra).append("\r\n");
}

bool WsClient::open(int port, std::string_view target, std::string_view extra,
                    std::string_view after) {
  return connect(port) && upgrade(target, extra, after);
}

bool WsClient::connect(int port) {
  buf_.clear();
  last_close_.reset();
  const int fd = connect_socket(port, rcvbuf_);
  if (fd < 0 || !http_.adopt(fd)) {
    error_ = std::string("connect: ") + std::strerror(errno);
    return false;
  }
  http_.set_send_timeout(5s);
  return true;
}

bool WsClient::upgrade(std::string_view target, std::string_view extra,
                       std::string_view after) {
  if (!send_raw(ws_handshake(target, extra).append(after))) {
    error_ = http_.error();
    return false;
  }
  auto r = http_.read_response(5s);
  if (!r) {
    error_ = std::string("no handshake response: ") +
             gale::test::describe(http_.last_end());
    return false;
  }
  response_ = *r;
  buf_ = http_.leftover();
  if (r->status != 101 || !iequals(r->header("Upgrade"), "websocket") ||
      !has_token(r->header("Connection"), "upgrade") ||
      r->header("Sec-WebSocket-Accept") != kWsExampleAccept) {
    error_ = "not a valid 101: " + r->raw;
    return false;
  }
  return true;
}

bool WsClient::fill(std::size_t n, Clock::time_point deadline) {
  while (buf_.size() < n) {
    const int fd = http_.fd();
    if (fd < 0) {
      last_end_ = Outcome::eof;
      return false;
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      last_end_ = Outcome::timeout;
      return false;
    }
    char tmp[65536];
    ssize_t got = ::recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (got > 0) {
      buf_.append(tmp, static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    last_end_ = got == 0              ? Outcome::eof
                : errno == ECONNRESET ? Outcome::reset
                                      : Outcome::eof;
    return false;
  }
  return true;
}

std::optional<WsFrame> WsClient::decode(Clock::time_point deadline) {
  if (!fill(2, deadline)) return std::nullopt;
  auto byte = [this](std::size_t i) {
    return static_cast<unsigned char>(buf_[i]);
  };
  WsFrame f;
  f.fin = byte(0) & 0x80;
  f.rsv = (byte(0) >> 4) & 7;
  f.opcode = byte(0) & 0x0F;
  f.masked = byte(1) & 0x80;
  std::uint64_t len = byte(1) & 0x7F;
  std::size_t head = 2;
  const std::size_t ext = len == 126 ? 2 : len == 127 ? 8 : 0;
  if (!fill(head + ext, deadline)) return std::nullopt;
  if (ext > 0) len = 0;
  for (std::size_t i = 0; i < ext; ++i)
    len = (len << 8) | byte(head + i);
  head += ext + (f.masked ? 4 : 0);
  if (len > (64u << 20)) {
    last_end_ = Outcome::malformed;
    return std::nullopt;
  }
  if (!fill(head + len, deadline)) return std::nullopt;
  f.payload = buf_.substr(head, len);
  if (f.masked)
    for (std::size_t i = 0; i < len; ++i)
      f.payload[i] ^= buf_[head - 4 + i % 4];
  buf_.erase(0, head + len);
  return f;
}

std::optional<WsFrame> WsClient::read_frame(Millis timeout) {
  last_end_ = Outcome::ok;
  return decode(Clock::now() + timeout);
}

std::optional<WsFrame> WsClient::read_message(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  last_end_ = Outcome::ok;
  std::optional<WsFrame> message;
  for (;;) {
    auto f = decode(deadline);
    if (!f) return std::nullopt;
    if (f->opcode == ws_op::close) {
      last_close_ = f;
      return std::nullopt;
    }
    if (f->opcode == ws_op::ping || f->opcode == ws_op::pong) {
      skipped_pings += f->opcode == ws_op::ping;
      continue;
    }
    if (!message) {
      message = std::move(f);
    } else {
      message->payload += f->payload;
      message->fin = f->fin;
    }
    if (message->fin) return message;
  }
}

bool WsClient::wait_closed(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  last_end_ = Outcome::ok;
  while (auto f = decode(deadline)) {
    if (f->opcode == ws_op::close) last_close_ = f;
    ++discarded_frames;
  }
  return last_end_ == Outcome::eof || last_end_ == Outcome::reset;
}

std::optional<long long> json_field(const std::string& json,
                                    std::string_view key) {
  std::smatch m;
  std::string pattern = "\"";
  pattern.append(key).append("\"\\s*:\\s*(-?\\d+)");
  std::regex re(pattern);
  if (!std::regex_search(json, m, re)) return std::nullopt;
  return std::stoll(m[1]);
}

std::optional<long long> info_field(int port, std::string_view key) {
  auto r = get(port, "/info");
  if (!r || r->status != 200) return std::nullopt;
  return json_field(r->body, key);
}

}  // namespace gale::test

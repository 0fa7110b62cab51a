#include "worker/control_protocol.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace gale {
namespace {

// Largest frame either side sends; SEQPACKET truncates longer ones, which
// receive_control() detects (MSG_TRUNC) and rejects.
constexpr std::size_t kMaxFrame = 64 * 1024;

}  // namespace

IoResult send_control(int socket, ControlType type, std::string_view payload,
                      int fd) {
  if (payload.size() + sizeof(ControlHeader) > kMaxFrame)
    return IoResult::error;
  ControlHeader header{type, 0, static_cast<std::uint32_t>(payload.size())};
  iovec iov[2] = {{&header, sizeof header},
                  {const_cast<char*>(payload.data()), payload.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = payload.empty() ? 1 : 2;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    std::memset(control, 0, sizeof control);
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  for (;;) {
    ssize_t n = ::sendmsg(socket, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return IoResult::ok;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::would_block;
    if (errno == EPIPE || errno == ECONNRESET) return IoResult::closed;
    return IoResult::error;
  }
}

IoResult receive_control(int socket, ControlMessage& out) {
  static thread_local std::vector<char> buffer(kMaxFrame);
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(socket, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::would_block;
    return errno == ECONNRESET ? IoResult::closed : IoResult::error;
  }
  if (n == 0) return IoResult::closed;
  out.fd = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (out.fd < 0)
        out.fd = fd;
      else
        ::close(fd);  // one descriptor per frame; never leak extras
    }
  }
  ControlHeader header{};
  bool valid = !(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
               static_cast<std::size_t>(n) >= sizeof header;
  if (valid) {
    std::memcpy(&header, buffer.data(), sizeof header);
    valid = header.length == static_cast<std::size_t>(n) - sizeof header;
  }
  if (!valid) {
    if (out.fd >= 0) ::close(out.fd);
    out.fd = -1;
    return IoResult::error;
  }
  out.type = header.type;
  out.payload.assign(buffer.data() + sizeof header, header.length);
  return IoResult::ok;
}

}  // namespace gale

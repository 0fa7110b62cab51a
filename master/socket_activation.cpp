#include "master/socket_activation.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "server/core/log.hpp"

namespace gale {

std::vector<FileDescriptor> take_activated_sockets() {
  std::vector<FileDescriptor> out;
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  if (!pid || !fds || std::strtol(pid, nullptr, 10) != ::getpid()) return out;
  long n = std::strtol(fds, nullptr, 10);
  constexpr int kFirst = 3;  // SD_LISTEN_FDS_START
  for (long i = 0; i < n; ++i) {
    int fd = kFirst + static_cast<int>(i);
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 ||
        !listening) {
      log::warning("LISTEN_FDS: descriptor ", fd,
                   " is not a listening socket; ignored");
      continue;
    }
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    // A gale before 2026-12-03 left its stop filter (drop new SYNs) on the
    // socket, and systemd keeps the socket across restarts: take it off,
    // or this gale would accept nothing. No filter is not an error.
    ::setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, nullptr, 0);
    out.emplace_back(fd);
  }
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  return out;
}

}  // namespace gale

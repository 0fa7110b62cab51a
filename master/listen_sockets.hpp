// Binding the listening sockets, in the master, before any worker exists:
// a bad or busy address fails the start with a message naming it.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "server/core/file_descriptor.hpp"

namespace gale {

struct ListenSocket {
  ListenAddress address;
  FileDescriptor fd;
};

// Binds and listens on one address (SO_REUSEADDR; IPV6_V6ONLY so "::" and
// "0.0.0.0" can share a port; with `reuse_port` SO_REUSEPORT too). Without
// `listen`, only binds: the master's way of reserving a reuse_port address
// without joining the group that receives connections. On failure returns
// an invalid fd and sets `error` to one line such as
// "cannot listen on 0.0.0.0:80: Permission denied (bind)".
ListenSocket bind_listen_socket(const ListenAddress& address, int backlog,
                                bool reuse_port, std::string& error,
                                bool listen = true);

// All of config.listen (only bound, with reuse_port); stops at the first
// failure, reported in `errors`.
std::vector<ListenSocket> bind_all(const Config& config,
                                   std::vector<std::string>& errors);

// "[::1]:8888" or "127.0.0.1:8888".
std::string describe(const ListenAddress& address);

}  // namespace gale

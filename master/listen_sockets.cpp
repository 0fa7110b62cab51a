#include "master/listen_sockets.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace gale {

std::string describe(const ListenAddress& a) {
  bool v6 = a.host.find(':') != std::string::npos;
  return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

ListenSocket bind_listen_socket(const ListenAddress& address, int backlog,
                                bool reuse_port, std::string& error,
                                bool listen) {
  ListenSocket out{address, FileDescriptor()};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port = std::to_string(address.port);
  const char* host = address.host.empty() ? nullptr : address.host.c_str();
  if (int rc = ::getaddrinfo(host, port.c_str(), &hints, &found); rc != 0) {
    error = "cannot listen on " + describe(address) + ": " + ::gai_strerror(rc);
    return out;
  }
  int saved_errno = 0;
  const char* step = "socket";
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    FileDescriptor fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                               ai->ai_protocol));
    if (!fd.valid()) {
      saved_errno = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuse_port)
      ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (ai->ai_family == AF_INET6)
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      saved_errno = errno;
      step = "bind";
      continue;
    }
    if (listen && ::listen(fd.get(), backlog) != 0) {
      saved_errno = errno;
      step = "listen";
      continue;
    }
    out.fd = std::move(fd);
    break;
  }
  ::freeaddrinfo(found);
  if (!out.fd.valid())
    error = "cannot listen on " + describe(address) + ": " +
            std::strerror(saved_errno) + " (" + step + ")";
  return out;
}

std::vector<ListenSocket> bind_all(const Config& config,
                                   std::vector<std::string>& errors) {
  std::vector<ListenSocket> out;
  for (const ListenAddress& a : config.listen) {
    std::string error;
    // With reuse_port the master's socket only reserves the address: a
    // listening one would join the SO_REUSEPORT group and get its share of
    // the connections, which no worker ever accepts.
    ListenSocket s = bind_listen_socket(a, config.backlog, config.reuse_port,
                                        error, !config.reuse_port);
    if (!s.fd.valid()) {
      errors.push_back(error);
      out.clear();
      return out;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace gale

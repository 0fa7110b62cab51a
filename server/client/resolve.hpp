// A host name into addresses, by a deadline. getaddrinfo() (behind Asio's
// resolver) runs on a thread that neither a timer nor a cancellation can
// interrupt, and a resolver given in HttpClientOptions may never answer:
// so the lookup runs on its own, holding what it needs, and the fetch
// waits for its answer or the deadline, whichever comes first. A late
// answer is dropped.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gale::client {

struct ClientState;

struct Resolution {
  // The resolver's error, operation_aborted when the waiting coroutine was
  // cancelled, or timed_out when the deadline came first.
  boost::system::error_code error;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
};

boost::asio::awaitable<Resolution> resolve_by(
    const ClientState& state, const std::string& host, std::uint16_t port,
    std::chrono::steady_clock::time_point deadline);

}  // namespace gale::client

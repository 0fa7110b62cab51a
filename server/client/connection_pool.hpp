// Keep-alive connections kept between fetches, per host:port, within one
// loop (Tornado's simple_httpclient keeps none; curl_httpclient's libcurl
// keeps them like this). Bookkeeping only: which idle connection to hand
// out, which to drop; connecting and checking a connection is fetch's.
//
// Bounds: at most max_idle_per_host idle connections per host:port and
// max_idle_total in all (past either, the longest idle one is closed), and
// none idle longer than idle_timeout (dropped at the next take or put, so
// no timer runs for an idle pool).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>

namespace gale::client {

// One connection to a server: its stream (with Beast's per-operation
// deadline) and the bytes read past the last response.
struct Connection {
  explicit Connection(boost::asio::any_io_executor executor)
      : stream(std::move(executor)) {}
  boost::beast::tcp_stream stream;
  boost::beast::flat_buffer buffer;
};

struct PoolLimits {
  std::size_t max_idle_per_host = 4;
  std::size_t max_idle_total = 64;
  std::chrono::milliseconds idle_timeout{30000};
};

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConnectionPool(PoolLimits limits = {}) : limits_(limits) {}

  // The most recently returned idle connection to `origin` (the warmest),
  // or null. Expired ones are closed first.
  std::unique_ptr<Connection> take(const std::string& origin,
                                   Clock::time_point now);
  // Keeps `connection` idle for `origin`, closing the longest idle ones
  // past the bounds. Nothing is kept once the pool is closed.
  void put(const std::string& origin, std::unique_ptr<Connection> connection,
           Clock::time_point now);
  // Closes every idle connection; later put()s close theirs at once.
  void close();

  std::size_t idle(const std::string& origin) const;
  std::size_t idle_total() const { return total_; }
  bool closed() const { return closed_; }

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    Clock::time_point since;
  };
  void drop_expired(Clock::time_point now);
  void drop_oldest();

  PoolLimits limits_;
  std::map<std::string, std::deque<Idle>, std::less<>> idle_;  // oldest first
  std::size_t total_ = 0;
  bool closed_ = false;
};

}  // namespace gale::client

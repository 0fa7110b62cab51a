// gale::testing, after tornado.testing.AsyncHTTPTestCase: serve an
// Application from a real worker inside the test process, on a free
// loopback port, and fetch from it over real sockets.
//
//   gale::testing::AppServer server(app);
//   gale::testing::Response r = server.fetch("GET", "/hello/you");
//   EXPECT_EQ(r.status, 200);
//   EXPECT_EQ(r.body, "Hello, you");
//
// The worker runs its own loop on a thread of its own, exactly as in a
// worker process (the same connection, routing and handler code); the
// fixture plays the master's part on the control socket. fetch() is a
// blocking HTTP/1.1 client on Boost.Beast, one connection per call.
//
// One AppServer at a time per process: a worker's own state (this_worker():
// its counters, whether it drains) is process-wide, as in a worker process.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "server/web/application.hpp"

namespace gale::testing {

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of field `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct Request {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
};

// One request on a new connection to 127.0.0.1:`port`. Throws
// std::runtime_error (with the cause) on a connection failure or timeout.
Response fetch(std::uint16_t port, const Request& request);

class AppServer {
 public:
  // Starts a worker serving `app` (which must outlive the server) with
  // `config`'s limits and policies; `config.listen` is ignored: the server
  // listens on a free port of 127.0.0.1. Returns once it accepts.
  explicit AppServer(Application& app, Config config = quiet_config());
  // Drains the worker (in-flight requests finish) and joins its thread.
  ~AppServer();
  AppServer(const AppServer&) = delete;
  AppServer& operator=(const AppServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path) const;

  Response fetch(const Request& request) const {
    return testing::fetch(port_, request);
  }
  Response fetch(std::string method, std::string target,
                 std::string body = {}) const {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    return fetch(r);
  }

  // The defaults of a test server: no access log, a short drain.
  static Config quiet_config();

 private:
  Config config_;
  std::uint16_t port_ = 0;
  int control_ = -1;  // our end of the worker's control socket
  std::thread loop_;
};

}  // namespace gale::testing

#include "worker/testing/app_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <strings.h>
#include <stdexcept>
#include <utility>

#include "worker/control_protocol.hpp"
#include "worker/worker.hpp"

namespace gale::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

int listen_on_free_loopback_port(std::uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("AppServer: socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(fd, 128) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("AppServer: cannot listen on 127.0.0.1");
  }
  port = ntohs(a.sin_port);
  return fd;
}

// Waits for the worker's `ready` on the control socket, skipping anything
// else it reports meanwhile.
bool wait_ready(int control, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{control, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    ControlMessage m;
    if (receive_control(control, m) != IoResult::ok) return false;
    if (m.fd >= 0) ::close(m.fd);
    if (m.type == ControlType::ready) return true;
  }
  return false;
}

// Runs one asynchronous step to completion: the stream's deadline
// (expires_after) applies to asynchronous operations only.
template <class Start>
beast::error_code run_step(boost::asio::io_context& loop, Start start) {
  beast::error_code result = boost::asio::error::operation_aborted;
  start([&](beast::error_code ec, auto&&...) { result = ec; });
  loop.restart();
  loop.run();
  return result;
}

}  // namespace

std::string Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n.size() == name.size() &&
        ::strncasecmp(n.data(), name.data(), n.size()) == 0)
      return v;
  return {};
}

Response fetch(std::uint16_t port, const Request& request) {
  boost::asio::io_context loop;
  beast::tcp_stream stream(loop);
  stream.expires_after(request.timeout);
  boost::asio::ip::tcp::endpoint server(boost::asio::ip::address_v4::loopback(),
                                        port);
  beast::error_code ec =
      run_step(loop, [&](auto done) { stream.async_connect(server, done); });
  if (ec) throw std::runtime_error("fetch: connect: " + ec.message());

  http::request<http::string_body> req(http::string_to_verb(request.method),
                                       request.target, 11);
  if (req.method() == http::verb::unknown) req.method_string(request.method);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : request.headers)
    req.set(name, value);
  if (!request.body.empty() || req.method() == http::verb::post ||
      req.method() == http::verb::put) {
    req.body() = request.body;
    req.prepare_payload();
  }
  ec = run_step(loop, [&](auto done) { http::async_write(stream, req, done); });
  if (ec) throw std::runtime_error("fetch: write: " + ec.message());

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  if (req.method() == http::verb::head) parser.skip(true);
  ec = run_step(
      loop, [&](auto done) { http::async_read(stream, buffer, parser, done); });
  if (ec) throw std::runtime_error("fetch: read: " + ec.message());
  const auto& res = parser.get();
  Response out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res)
    out.headers.emplace_back(std::string(field.name_string()),
                             std::string(field.value()));
  out.body = res.body();
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return out;
}

Config AppServer::quiet_config() {
  Config config;
  config.workers = 1;
  config.log.access_log = "off";
  config.workers_policy.graceful_timeout_s = 5;
  return config;
}

AppServer::AppServer(Application& app, Config config)
    : config_(std::move(config)) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    throw std::runtime_error("AppServer: socketpair() failed");
  control_ = pair[0];
  WorkerOptions options;
  options.listen_fds = {listen_on_free_loopback_port(port_)};
  options.control_fd = pair[1];
  options.handle_signals = false;
  loop_ = std::thread([this, &app, options = std::move(options)]() mutable {
    Worker worker(config_, app, std::move(options));
    worker.run();
  });
  if (!wait_ready(control_, std::chrono::seconds(10))) {
    ::close(control_);  // the worker drains and returns
    loop_.join();
    throw std::runtime_error("AppServer: the worker did not become ready");
  }
}

AppServer::~AppServer() {
  // As the master stops a worker: drain (in-flight requests finish), then
  // run() returns. Should the message not go, closing the socket does the
  // same (the worker takes it for its master's death).
  char mode = static_cast<char>(DrainMode::stop);
  if (send_control(control_, ControlType::drain, std::string_view(&mode, 1)) !=
      IoResult::ok)
    ::close(std::exchange(control_, -1));
  loop_.join();
  if (control_ >= 0) ::close(control_);
}

std::string AppServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

}  // namespace gale::testing

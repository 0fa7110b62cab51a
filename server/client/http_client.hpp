// An asynchronous HTTP/1.1 client on the loop, after Tornado's
// AsyncHTTPClient:
//
//   struct Proxy : gale::RequestHandler {
//     void get() override {
//       spawn([](auto self) -> boost::asio::awaitable<void> {
//         gale::HttpClientResponse r =
//             co_await self->http_client().fetch("http://127.0.0.1:9000/");
//         self->write(r.body);
//       }(shared_from_this()));
//     }
//   };
//
// fetch() follows redirects (301/302/303 become GET without a body unless
// the method was HEAD; 307/308 keep method and body; a cross-origin hop
// drops Authorization, Cookie and Host), keeps connections alive per
// host:port (connection_pool.hpp), and reads chunked, Content-Length and
// until-close bodies with Boost.Beast. http:// only.
//
// A status outside 2xx is a normal response (Tornado raises for it; ask
// for that with request.raise_for_status). Every failure is an
// HttpClientError (http_client_error.hpp); nothing waits past
// request_timeout, a host name's resolution included (resolve.hpp: the
// lookup cannot be interrupted, so it is left to finish on its own). A
// cancelled fetch stops waiting for it too. Cancelling the awaiting
// coroutine (RequestHandler::spawn does when the handler's client leaves)
// closes the connection at once and ends fetch() with operation_aborted.
//
// A client and its fetches belong to one loop and its thread. Its
// destructor closes the idle connections; fetches still running finish
// (they keep what they use alive) but return no connection to the pool.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/client/client_messages.hpp"
#include "server/client/http_client_error.hpp"

namespace gale {

namespace client {
struct ClientState;
}

struct HttpClientOptions {
  // Idle keep-alive connections kept per host:port, in all, and how long.
  std::size_t max_idle_per_host = 4;
  std::size_t max_idle_total = 64;
  std::chrono::milliseconds idle_timeout{30000};
  // Sent unless the request has its own User-Agent; empty: none.
  std::string user_agent = "gale";
  // Turns a host name into addresses (Tornado's pluggable resolver, or its
  // hostname_mapping): empty means Asio's resolver, getaddrinfo() on a
  // thread of its own. It calls `done` once, with an error or the
  // addresses, at once, later or never: a fetch waits for it no longer than
  // its connect and request timeouts, and drops a late answer. An address
  // in the URL is never resolved.
  using Resolved = std::function<void(
      boost::system::error_code, std::vector<boost::asio::ip::tcp::endpoint>)>;
  std::function<void(const std::string& host, std::uint16_t port,
                     Resolved done)>
      resolver;
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::any_io_executor executor,
                      HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  boost::asio::awaitable<HttpClientResponse> fetch(HttpClientRequest request);
  // GET `url` with the default settings.
  boost::asio::awaitable<HttpClientResponse> fetch(std::string url);

  // Closes the idle connections, and keeps none from now on.
  void close();
  // Idle connections kept now (for tests and statistics).
  std::size_t idle_connections() const;

  // The loop's own client, made on first use and closed with the loop: a
  // handler's http_client(), a worker's single client.
  static HttpClient& of(boost::asio::io_context& loop);

 private:
  std::shared_ptr<client::ClientState> state_;
};

}  // namespace gale

// Inside the client: the state a client and its running fetches share, and
// one exchange (one request, one response) on a pooled or new connection.
// The redirect loop around it is http_client.cpp's.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>

#include "server/client/client_messages.hpp"
#include "server/client/connection_pool.hpp"
#include "server/client/http_client.hpp"
#include "server/client/url.hpp"

namespace gale::client {

// Held by the client and by each fetch it started, so a fetch may outlive
// its client.
struct ClientState {
  ClientState(boost::asio::any_io_executor executor, HttpClientOptions options)
      : executor(std::move(executor)),
        options(std::move(options)),
        pool({this->options.max_idle_per_host, this->options.max_idle_total,
              this->options.idle_timeout}) {}

  boost::asio::any_io_executor executor;
  HttpClientOptions options;
  ConnectionPool pool;
};

// Sends `request` to `url` and reads the response, on an idle connection
// to its origin when one is still open, else on a new one. A request that
// fails on a reused connection before any response byte (the server closed
// it meanwhile) is sent once more on a new connection when that is safe:
// an idempotent method, or nothing of it was written. Nothing here
// outlasts `deadline`. Throws HttpClientError, or system_error
// (operation_aborted) when cancelled.
boost::asio::awaitable<HttpClientResponse> exchange(
    ClientState& state, const Url& url, const HttpClientRequest& request,
    std::chrono::steady_clock::time_point deadline);

}  // namespace gale::client

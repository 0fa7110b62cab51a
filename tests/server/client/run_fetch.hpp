// Running a gale::HttpClient fetch to its end from a test: on the test's
// own loop, bounded by the request's timeouts (the loop stops when the
// fetch ends; idle pooled connections keep no work pending).
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>

#include "server/client/http_client.hpp"

namespace gale::test {

inline HttpClientResponse run_fetch(boost::asio::io_context& loop,
                                    gale::HttpClient& client,
                                    HttpClientRequest request) {
  auto done = boost::asio::co_spawn(loop, client.fetch(std::move(request)),
                                    boost::asio::use_future);
  loop.restart();
  loop.run();
  return done.get();
}

inline HttpClientResponse run_fetch(boost::asio::io_context& loop,
                                    gale::HttpClient& client, std::string url) {
  HttpClientRequest request;
  request.url = std::move(url);
  return run_fetch(loop, client, std::move(request));
}

// The HttpClientError the fetch ends with; a test failure if it succeeds.
inline std::optional<HttpClientError> fetch_error(boost::asio::io_context& loop,
                                                  gale::HttpClient& client,
                                                  HttpClientRequest request) {
  try {
    HttpClientResponse r = run_fetch(loop, client, std::move(request));
    ADD_FAILURE() << "fetch succeeded with status " << r.status;
  } catch (const HttpClientError& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace gale::test

// Running a gale::HttpClient fetch to its end from a test: on the test's
// own loop, bounded by the request's timeouts (the loop stops when the
// fetch ends; idle pooled connections keep no work pending).
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <exception>
#include <optional>

#include <boost/system/system_error.hpp>

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

// A fetch started on `loop` with a cancellation signal of its own, for
// the tests that cancel it midway (as RequestHandler::spawn does when the
// handler's client leaves).
class CancellableFetch {
 public:
  CancellableFetch(boost::asio::io_context& loop, gale::HttpClient& client,
                   HttpClientRequest request)
      : loop_(loop) {
    boost::asio::co_spawn(
        loop, client.fetch(std::move(request)),
        boost::asio::bind_cancellation_slot(
            cancel_.slot(), [this](std::exception_ptr e, HttpClientResponse) {
              error_ = e;
              done_ = true;
            }));
  }
  bool done() const { return done_; }
  // Emits a terminal cancellation and runs the loop until the fetch ends
  // (5 s at most). What it ended with: operation_aborted is right; a fetch
  // that did not end, or ended otherwise, gives another code.
  boost::system::error_code cancel() {
    cancel_.emit(boost::asio::cancellation_type::terminal);
    for (int i = 0; i < 500 && !done_; ++i)
      loop_.run_for(std::chrono::milliseconds(10));
    if (!done_) return boost::asio::error::timed_out;
    try {
      std::rethrow_exception(error_);
    } catch (const boost::system::system_error& e) {
      return e.code();
    } catch (...) {
    }
    return boost::asio::error::invalid_argument;
  }

 private:
  boost::asio::io_context& loop_;
  boost::asio::cancellation_signal cancel_;
  std::exception_ptr error_;
  bool done_ = false;
};

}  // namespace gale::test

// The HTTP/1.1 client of the end-to-end and process tests: a deliberately
// dumb black box over blocking sockets to 127.0.0.1. It is independent of
// the gale server libraries on purpose (see http_response.hpp): exact bytes
// out, and a strict reader of responses in that never "fixes" what the
// server sends. The raw bytes of every response are kept, and framing
// follows RFC 9112 §6.3 exactly (HEAD and 1xx/204/304 have no body;
// chunked; Content-Length; else until close). Bytes read past one response
// stay for the next (keep-alive, pipelining).
//
// Two levels: read_response() returns the response or nothing (last_end()
// says why) and leaves the connection as it is; read_reply(), get() and
// http_get() return a Reply that says exactly how the exchange ended, and
// close the connection after a failure or a response that says
// `Connection: close`.
//
// Every call has a deadline (connect and poll() on the remaining time,
// SO_RCVTIMEO and SO_SNDTIMEO as a backstop), so a server that stops
// answering fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/http_response.hpp"

namespace gale::test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

class HttpClient {
 public:
  HttpClient() = default;
  ~HttpClient();
  HttpClient(HttpClient&& o) noexcept;
  HttpClient& operator=(HttpClient&& o) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Connects to 127.0.0.1:port within `timeout`. False on failure, with
  // error() and `*error_number` (errno; ETIMEDOUT for the deadline) set.
  bool connect(int port, Millis timeout = 3s, int* error_number = nullptr);
  // Takes over a connected socket (for testing the client itself).
  bool adopt(int fd);
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Sends every byte (blocking, bounded by the send timeout). False when
  // the peer is gone (EPIPE, ECONNRESET) or the send timed out.
  bool send(std::string_view bytes);
  // Sends `bytes` in pieces of `piece` bytes, `pause` apart.
  bool send_slowly(std::string_view bytes, std::size_t piece, Millis pause);
  void set_send_timeout(Millis t);

  // Reads one response. When `head_request`, the response has no body
  // whatever its headers say. nullopt on EOF, reset, timeout or garbage;
  // last_end() says which, and leftover() holds the unparsed bytes.
  std::optional<HttpResponse> read_response(Millis timeout = 5s,
                                            bool head_request = false);
  // Reads `n` responses in order; stops early at the first failure.
  std::vector<HttpResponse> read_responses(std::size_t n, Millis timeout = 5s);
  // read_response() as one step of an exchange: closes the connection
  // after a failure or a response that says `Connection: close`.
  Reply read_reply(Millis timeout = 5s);
  // Sends `GET target` (with `Connection: close` when `close`) and reads
  // the reply, as read_reply() does.
  Reply get(const std::string& target, Millis timeout = 5s, bool close = false);

  // Waits for the peer to close: true on EOF or reset within `timeout`.
  // Bytes arriving meanwhile are appended to leftover() and, if
  // `data_allowed` is false, make it return false at once.
  bool wait_closed(Millis timeout = 3s, bool data_allowed = false);
  // Reads everything until the peer closes or the deadline passes.
  Outcome read_until_close(std::string& out, Millis timeout = 5s);
  // One read of whatever arrives within `timeout`, appended to leftover()
  // (where read_response() will find it). False on EOF, reset or timeout.
  bool receive(Millis timeout);
  // Whether the peer has neither closed nor sent anything: a short wait
  // for readability that must time out.
  bool still_open(Millis wait = 50ms);

  void shutdown_write();
  // Closes, with an RST instead of a FIN when `reset` (SO_LINGER 0).
  void close(bool reset = false);

  Outcome last_end() const { return last_end_; }
  const std::string& leftover() const { return buf_; }
  const std::string& error() const { return error_; }

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  // Makes sure buf_ holds at least `n` bytes past pos_. False on EOF etc.
  bool fill(std::size_t n, Deadline deadline);
  // Reads until buf_ contains `delim` at or after pos_; returns its index.
  std::optional<std::size_t> fill_until(std::string_view delim,
                                        Deadline deadline);
  bool recv_some(Deadline deadline);
  bool read_body(HttpResponse& r, bool head_request, Deadline deadline);
  bool read_chunked(HttpResponse& r, Deadline deadline);

  int fd_ = -1;
  std::string buf_;      // received, not yet consumed
  std::size_t pos_ = 0;  // start of the response being parsed in buf_
  Outcome last_end_ = Outcome::ok;
  int last_errno_ = 0;
  std::string error_;
};

// One request on a fresh connection, one response back (nullopt if none).
std::optional<HttpResponse> fetch(int port, std::string_view request,
                                  Millis timeout = 5s);
// The common case: GET `target` with Host and Connection: close.
std::optional<HttpResponse> get(int port, std::string_view target);
// The same as a Reply that says how it failed (connect_failed included).
Reply http_get(int port, const std::string& target, Millis timeout = 5s);

}  // namespace gale::test

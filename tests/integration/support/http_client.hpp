// A deliberately dumb HTTP/1.1 client for end-to-end tests: blocking
// sockets to 127.0.0.1, exact bytes out, and a strict reader of responses
// in. It never "fixes" what the server sends: the raw bytes of every
// response are kept, and framing follows RFC 9112 §6.3 exactly (HEAD and
// 1xx/204/304 have no body; chunked; Content-Length; else until close).
//
// Every read has a deadline (poll() on the remaining time, SO_RCVTIMEO and
// SO_SNDTIMEO as a backstop), so a server that stops answering fails the
// test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gale::itest {

using namespace std::chrono_literals;

struct HttpResponse {
  std::string status_line;  // without CRLF
  std::string version;      // "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                 // decoded (chunks joined)
  std::vector<std::string> chunks;  // the chunks as sent, when chunked
  bool chunked = false;
  bool close_delimited = false;  // the body ran until the server closed
  std::string raw;               // every byte of the response

  // The first value of a header (case-insensitive name); "" if absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  int header_count(std::string_view name) const;
};

// How reading ended when it did not produce what was asked for.
enum class ReadEnd {
  ok,
  eof,      // the peer closed (FIN)
  reset,    // the peer reset (RST)
  timeout,  // the deadline passed
  garbage,  // bytes that are not an HTTP response
};
const char* describe(ReadEnd e);

class HttpClient {
 public:
  HttpClient() = default;
  ~HttpClient();
  HttpClient(HttpClient&& o) noexcept;
  HttpClient& operator=(HttpClient&& o) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Connects to 127.0.0.1:port. False on failure (error() says why).
  bool connect(int port, std::chrono::milliseconds timeout = 3s);
  // Takes over a connected socket (for testing the client itself).
  bool adopt(int fd);
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Sends every byte (blocking, bounded by the send timeout). False when
  // the peer is gone (EPIPE, ECONNRESET) or the send timed out.
  bool send(std::string_view bytes);
  // Sends `bytes` in pieces of `piece` bytes, `pause` apart.
  bool send_slowly(std::string_view bytes, std::size_t piece,
                   std::chrono::milliseconds pause);
  void set_send_timeout(std::chrono::milliseconds t);

  // Reads one response. When `head_request`, the response has no body
  // whatever its headers say. nullopt on EOF, reset, timeout or garbage;
  // last_end() says which, and leftover() holds the unparsed bytes.
  std::optional<HttpResponse> read_response(
      std::chrono::milliseconds timeout = 5s, bool head_request = false);
  // Reads `n` responses in order; stops early at the first failure.
  std::vector<HttpResponse> read_responses(
      std::size_t n, std::chrono::milliseconds timeout = 5s);

  // Waits for the peer to close: true on EOF or reset within `timeout`.
  // Bytes arriving meanwhile are appended to leftover() and, if
  // `data_allowed` is false, make it return false at once.
  bool wait_closed(std::chrono::milliseconds timeout = 3s,
                   bool data_allowed = false);
  // Reads everything until the peer closes or the deadline passes.
  ReadEnd read_until_close(std::string& out,
                           std::chrono::milliseconds timeout = 5s);
  // One read of whatever arrives within `timeout`, appended to leftover()
  // (where read_response() will find it). False on EOF, reset or timeout.
  bool receive(std::chrono::milliseconds timeout);
  // Whether the peer has neither closed nor sent anything: a short wait
  // for readability that must time out.
  bool still_open(std::chrono::milliseconds wait = 50ms);

  void shutdown_write();
  // Closes, with an RST instead of a FIN when `reset` (SO_LINGER 0).
  void close(bool reset = false);

  ReadEnd last_end() const { return last_end_; }
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
  bool read_chunked(HttpResponse& r, Deadline deadline);

  int fd_ = -1;
  std::string buf_;      // received, not yet consumed
  std::size_t pos_ = 0;  // start of the response being parsed in buf_
  ReadEnd last_end_ = ReadEnd::ok;
  std::string error_;
};

// One request on a fresh connection, one response back (nullopt if none).
std::optional<HttpResponse> fetch(int port, std::string_view request,
                                  std::chrono::milliseconds timeout = 5s);
// The common case: GET `target` with Host and Connection: close.
std::optional<HttpResponse> get(int port, std::string_view target);

bool iequals(std::string_view a, std::string_view b);

}  // namespace gale::itest

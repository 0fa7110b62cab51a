// A small HTTP/1.1 client over raw sockets to 127.0.0.1, for tests that
// must see exactly how a request failed: refused, reset, closed before a
// full response, or timed out. Every call has a deadline.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gale::mtest {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// How an exchange ended.
enum class Outcome {
  ok,              // a complete response was read
  connect_failed,  // connect() failed (errno in Response::error_number)
  send_failed,     // the request could not be written (reset, broken pipe)
  eof,             // the server closed before a complete response
  reset,           // ECONNRESET while reading
  timeout,         // no complete response before the deadline
  malformed,       // the bytes were not an HTTP response
};
const char* outcome_name(Outcome o);

struct Response {
  Outcome outcome = Outcome::timeout;
  int error_number = 0;  // errno for connect_failed/send_failed/reset
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  bool ok() const { return outcome == Outcome::ok; }
  // The server said it closes the connection after this response.
  bool closes() const;
  std::string describe() const;  // for failure messages
};

// A TCP connection to 127.0.0.1:port that keeps bytes read past one
// response for the next (keep-alive, pipelining).
class HttpConnection {
 public:
  HttpConnection() = default;
  ~HttpConnection();
  HttpConnection(HttpConnection&& other) noexcept;
  HttpConnection& operator=(HttpConnection&& other) noexcept;

  // Connects (blocking, bounded); false with errno in `error_number`.
  bool connect(int port, Millis timeout = 3s, int* error_number = nullptr);
  bool is_open() const { return fd_ >= 0; }
  void close();
  int fd() const { return fd_; }

  // Sends `GET target` (keep-alive unless `close`) and reads the response.
  // A failed exchange, or one answered with Connection: close, closes the
  // connection.
  Response get(const std::string& target, Millis timeout = 5s,
               bool close = false);
  // Sends raw bytes; false on failure.
  bool send(const std::string& bytes, Millis timeout = 3s);
  // Reads one response.
  Response read_response(Millis timeout = 5s);

 private:
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection with `Connection: close`.
Response http_get(int port, const std::string& target, Millis timeout = 5s);

// What GET /info reports.
struct Info {
  long pid = -1;
  int worker = -1;
  long generation = -1;
  long requests = -1;
  long connections = -1;
};
std::optional<Info> parse_info(const std::string& json);
std::optional<Info> get_info(int port, Millis timeout = 5s);
std::optional<Info> get_info(HttpConnection& c, Millis timeout = 5s);

// Opens `n` connections at once (all connected before any request is
// sent), then asks /info on each: the workers that took a burst. Failed
// exchanges are left out.
std::vector<Info> info_burst(int port, int n, Millis timeout = 5s);

}  // namespace gale::mtest

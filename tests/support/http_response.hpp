// What the test client reads: one HTTP/1.1 response with every byte kept
// (HttpResponse), how an exchange ended (Outcome), and the two together
// (Reply) for tests that must see exactly how a request failed.
//
// Black box on purpose: nothing here includes or links the gale server
// libraries. The few field helpers (iequals, has_token, trim) repeat what
// server/http/fields does, so that a bug there cannot hide itself by
// agreeing with its own test client.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gale::test {

// How an exchange (or the last read of one) ended.
enum class Outcome {
  ok,              // a complete response was read
  connect_failed,  // connect() failed (errno in Reply::error_number)
  send_failed,     // the request could not be written (reset, broken pipe)
  eof,             // the peer closed (FIN) before a complete response
  reset,           // the peer reset (RST)
  timeout,         // the deadline passed
  malformed,       // bytes that are not an HTTP response
};
const char* describe(Outcome o);

struct HttpResponse {
  std::string status_line;  // without CRLF
  std::string version;      // "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
  std::string body;                 // decoded (chunks joined)
  std::vector<std::string> chunks;  // the chunks as sent, when chunked
  bool chunked = false;
  bool close_delimited = false;  // the body ran until the server closed
  std::string raw;               // every byte of the response

  // The first value of a header (case-insensitive name); "" if absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  int header_count(std::string_view name) const;
  // The server said it closes the connection after this response.
  bool closes() const;
};

// One response read as a step of an exchange: how it ended, and the
// response's fields when it is ok().
struct Reply : HttpResponse {
  Outcome outcome = Outcome::timeout;
  int error_number = 0;  // errno for connect_failed, send_failed, reset
  bool ok() const { return outcome == Outcome::ok; }
  std::string describe() const;  // for failure messages
};

// Parses a response head (the status line and the fields, without the
// blank line that ends it) into `r`. False when it is not HTTP/1.x.
bool parse_head(std::string_view head, HttpResponse& r);

bool iequals(std::string_view a, std::string_view b);
// Whether the comma-separated `list` holds `token` (case-insensitive).
bool has_token(std::string_view list, std::string_view token);
// Without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

}  // namespace gale::test

// Our own pass over the bytes of a request head, ahead of http-parser.
//
// http-parser caps headers with one process-wide constant and cannot tell a
// long request line from many fields, nor does it reject obs-fold. This
// scanner counts every head byte against the configured limit (414 while
// still in the request line, 431 after), rejects a field line that starts
// with whitespace, rejects a request line that does not end in
// " HTTP/x.y", answers 505 to the HTTP/2 preface and to versions >= 2, and
// finds where the head ends. It is incremental and keeps a few bytes of
// state, so the head may arrive split at any byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "server/http/parse_error.hpp"

namespace gale {

class HeadScanner {
 public:
  enum class Result : std::uint8_t { need_more, complete, error };

  explicit HeadScanner(std::uint32_t max_bytes = 65536) : max_(max_bytes) {}

  void reset(std::uint32_t max_bytes);

  // Scans the next `len` bytes. On `complete`, `consumed` is the number of
  // bytes up to and including the LF that ends the head; on `need_more` it
  // is `len`. On `error`, error() says why.
  Result scan(const char* data, std::size_t len, std::size_t& consumed);

  ParseError error() const { return error_; }
  // Bytes of the head seen so far, leading empty lines included.
  std::uint64_t bytes() const { return bytes_; }
  bool in_request_line() const { return phase_ <= Phase::request_line; }
  // Bytes up to and including the request line's LF (leading empty lines
  // included); 0 while the request line is incomplete.
  std::uint64_t request_line_end() const { return request_line_end_; }

 private:
  enum class Phase : std::uint8_t {
    leading,       // empty lines before the request line (RFC 9112 §2.2)
    request_line,  // inside the request line
    line_start,    // at the first byte of a field line, or the final CRLF
    final_cr,      // saw CR at a line start: the head ends at the next LF
    field_line,    // inside a field line
  };

  Result fail(ParseError e);
  void remember_request_line(const char* p, std::size_t n);
  bool scan_method(const char* p, std::size_t n);
  ParseError judge_version() const;
  bool over_limit(std::size_t pending) const { return bytes_ + pending > max_; }

  std::uint32_t max_;
  std::uint64_t bytes_ = 0;
  std::uint64_t request_line_end_ = 0;
  Phase phase_ = Phase::leading;
  ParseError error_ = ParseError::none;
  // The last bytes of the request line, enough to see "HTTP/x.y\r".
  char tail_[12] = {};
  std::uint8_t tail_len_ = 0;
  bool pending_cr_ = false;   // the previous chunk ended with CR mid-line
  bool method_seen_ = false;  // the request line's first SP has arrived
  std::uint32_t method_bytes_ = 0;
};

}  // namespace gale

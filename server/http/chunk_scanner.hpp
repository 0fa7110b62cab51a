// ChunkScanner: our own byte-level check of chunked body framing, run
// ahead of http-parser by RequestParser (see the class comment).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gale {

// Our own pass over a chunked body, ahead of http-parser. The library as
// Debian builds it (HTTP_PARSER_STRICT=0) takes any two bytes after chunk
// data for the CRLF and a bare CR for a line end, so a proxy in front could
// see a different body end than we do. This checks the framing byte by
// byte (RFC 9112 §7.1), finds where the message ends, and bounds what
// chunk extensions, over-long size lines and trailer fields may spend in
// total. It starts at the head's final LF, which http-parser leaves
// unconsumed when it hands the head over.
class ChunkScanner {
 public:
  enum class Result : std::uint8_t { need_more, complete, error };

  void reset(std::uint64_t max_extra_bytes);
  // Scans `len` bytes. On `complete`, `consumed` is the number of bytes up
  // to and including the LF that ends the message; otherwise it is `len`.
  Result scan(const char* data, std::size_t len, std::size_t& consumed);

 private:
  enum class State : std::uint8_t {
    head_lf,        // the LF that ends the head
    size_start,     // first hex digit of a chunk size
    size,           // more hex digits, or what follows them
    size_ws,        // whitespace after the size (BWS before ';')
    extension,      // chunk extensions, up to CR
    size_lf,        // the LF after a size line's CR
    data,           // chunk data
    data_cr,        // the CR after chunk data
    data_lf,        // the LF after chunk data
    trailer_start,  // the start of a trailer line, or the final CRLF
    trailer,        // inside a trailer field line
    trailer_lf,     // the LF after a trailer line's CR
    final_lf,       // the LF that ends the message
    done,
  };
  State state_ = State::head_lf;
  std::uint64_t size_ = 0;  // the chunk's size, then its bytes left
  std::uint32_t line_ = 0;  // bytes of the current size line
  std::uint64_t extra_ = 0;
  std::uint64_t max_extra_ = 0;
};

}  // namespace gale

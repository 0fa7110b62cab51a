// gale's one interface to an HTTP/1.1 request parser.
//
// Bytes in; an event and the number of bytes consumed out; no I/O, so it can
// be unit-tested and fuzzed alone. http-parser sits behind it and appears in
// no other file: replacing it with llhttp means rewriting request_parser.cpp.
//
// Per message the caller sees `head_complete` once (the head is then
// available, the body not yet read), then `message_complete` once the body
// has been read in full. Every framing decision that matters for request
// smuggling (Content-Length vs Transfer-Encoding, repeated lengths, chunk
// syntax) is taken here, from our own view of the fields, not left to the C
// library's defaults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/chunk_scanner.hpp"
#include "server/http/fields.hpp"
#include "server/http/head_scanner.hpp"
#include "server/http/method.hpp"
#include "server/http/parse_error.hpp"
#include "server/http/request_body.hpp"

namespace gale {

// What the parser knows about a request once its head is complete. The
// views point into the parser's own copy of the head bytes and stay valid
// until the parser is reset for the next message.
struct RequestHead {
  Method method = Method::other;
  std::string_view method_name;
  std::string_view target;  // the request-target, as sent
  unsigned version_major = 1;
  unsigned version_minor = 1;
  RequestHeaders headers;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  bool keep_alive = true;           // from the version and Connection
  bool expect_continue = false;     // Expect: 100-continue
  bool expect_unsupported = false;  // any other expectation -> 417
  bool upgrade = false;             // Upgrade requested, or CONNECT
  int host_fields = 0;              // Host fields seen, counted up to 2
};

struct ParserLimits {
  std::uint32_t max_header_bytes = 65536;
  std::uint64_t max_body_bytes = 16777216;
};

class RequestParser {
 public:
  enum class Event : std::uint8_t {
    need_more,         // all input consumed; feed more
    head_complete,     // head() is ready; feed the rest for the body
    message_complete,  // body() is complete; reset() before the next message
    error,             // error() says why; the connection must be closed
  };
  struct Step {
    Event event;
    std::size_t consumed;
  };

  explicit RequestParser(ParserLimits limits = {});
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Prepares for the next message, keeping allocated capacity.
  void reset();
  void set_limits(ParserLimits limits) { limits_ = limits; }

  // Consumes bytes up to the next event. Bytes after a message's end are not
  // consumed (they belong to the next, pipelined, message).
  Step feed(const char* data, std::size_t len);

  ParseError error() const { return error_; }
  const RequestHead& head() const { return head_; }
  // The body read so far (in memory, or spooled to a file past the limit
  // set with body().set_spooling()).
  RequestBody& body() { return body_; }
  const RequestBody& body() const { return body_; }
  // Whether any byte of the current message has been seen.
  bool started() const { return started_; }
  bool head_done() const { return head_done_; }

  // Trampolines for the C callbacks; not for use elsewhere.
  struct Callbacks;

 private:
  struct Slice {
    std::uint32_t offset;
    std::uint32_t size;
  };
  struct FieldSlice {
    Slice name;
    Slice value;
  };

  Step feed_head(const char* data, std::size_t len);
  Step run_http_parser(const char* data, std::size_t len);
  Step fail(ParseError e, std::size_t consumed);
  ParseError map_library_error(unsigned code, std::size_t at);
  ParseError judge_framing();
  void materialize_head();
  std::string_view view(Slice s) const {
    return std::string_view(head_bytes_).substr(s.offset, s.size);
  }
  Slice& extend(Slice& s, const char* at, std::size_t n);

  // Callback bodies; return 0 to go on, non-zero to stop http-parser.
  int on_url(const char* at, std::size_t n);
  int on_header_field(const char* at, std::size_t n);
  int on_header_value(const char* at, std::size_t n);
  int on_headers_complete();
  int on_body(const char* at, std::size_t n);
  int on_message_complete();

  ParserLimits limits_;
  alignas(8) unsigned char raw_[32];  // the http_parser struct, opaque here
  HeadScanner scanner_;
  ChunkScanner chunk_scanner_;
  std::string head_bytes_;  // this message's head, copied as it arrives
  // Where the chunk being fed starts within head_bytes_, so callback
  // pointers into the chunk become stable offsets.
  const char* chunk_ = nullptr;
  std::size_t chunk_offset_ = 0;
  Slice url_{0, 0};
  boost::container::small_vector<FieldSlice, 16> fields_;
  bool in_value_ = false;
  int content_length_fields_ = 0;
  bool restore_length_flag_ = false;
  RequestHead head_;
  RequestBody body_;
  ParseError error_ = ParseError::none;
  bool started_ = false;
  bool library_started_ = false;  // http-parser has seen the request line
  bool head_done_ = false;
  bool head_reported_ = false;
  bool message_done_ = false;
};

}  // namespace gale

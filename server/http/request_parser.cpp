#include "server/http/request_parser.hpp"

#include <http_parser.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <new>

namespace gale {
namespace {

// The head capacity a parser keeps between requests (most heads fit).
constexpr std::size_t kKeptHeadCapacity = 8 * 1024;

Method method_from(unsigned m) {
  switch (m) {
    case HTTP_GET:
      return Method::get;
    case HTTP_HEAD:
      return Method::head;
    case HTTP_POST:
      return Method::post;
    case HTTP_PUT:
      return Method::put;
    case HTTP_DELETE:
      return Method::delete_;
    case HTTP_PATCH:
      return Method::patch;
    case HTTP_OPTIONS:
      return Method::options;
    case HTTP_CONNECT:
      return Method::connect;
    case HTTP_TRACE:
      return Method::trace;
    default:
      return Method::other;
  }
}

// http-parser's own header cap is one process-wide constant; our HeadScanner
// enforces the configured limit per connection, so the library's is lifted
// out of the way once.
void lift_library_header_cap() {
  static const bool done = [] {
    http_parser_set_max_header_size(std::numeric_limits<std::uint32_t>::max() /
                                    2);
    return true;
  }();
  (void)done;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  s = trim_ows(s);
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

struct RequestParser::Callbacks {
  static RequestParser& self(http_parser* p) {
    return *static_cast<RequestParser*>(p->data);
  }
  // Exceptions (only std::bad_alloc can occur) must not unwind through C.
  template <class F>
  static int guard(http_parser* p, F f) {
    try {
      return f(self(p));
    } catch (...) {
      self(p).error_ = ParseError::headers_too_large;
      return -1;
    }
  }
  static int url(http_parser* p, const char* at, size_t n) {
    return guard(p, [&](RequestParser& s) { return s.on_url(at, n); });
  }
  static int field(http_parser* p, const char* at, size_t n) {
    return guard(p, [&](RequestParser& s) { return s.on_header_field(at, n); });
  }
  static int value(http_parser* p, const char* at, size_t n) {
    return guard(p, [&](RequestParser& s) { return s.on_header_value(at, n); });
  }
  static int headers_complete(http_parser* p) {
    return guard(p, [&](RequestParser& s) { return s.on_headers_complete(); });
  }
  static int body(http_parser* p, const char* at, size_t n) {
    return guard(p, [&](RequestParser& s) { return s.on_body(at, n); });
  }
  static int message_complete(http_parser* p) {
    return guard(p, [&](RequestParser& s) { return s.on_message_complete(); });
  }
  static http_parser_settings make_settings() {
    http_parser_settings s{};
    http_parser_settings_init(&s);
    s.on_url = url;
    s.on_header_field = field;
    s.on_header_value = value;
    s.on_headers_complete = headers_complete;
    s.on_body = body;
    s.on_message_complete = message_complete;
    return s;
  }
};

namespace {
const http_parser_settings kSettings =
    RequestParser::Callbacks::make_settings();

http_parser* as_parser(unsigned char* raw) {
  return std::launder(reinterpret_cast<http_parser*>(raw));
}
}  // namespace

static_assert(sizeof(http_parser) <= 32, "grow RequestParser::raw_");
static_assert(alignof(http_parser) <= 8, "realign RequestParser::raw_");

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {
  lift_library_header_cap();
  new (raw_) http_parser{};
  reset();
}

RequestParser::~RequestParser() = default;

void RequestParser::reset() {
  http_parser* p = as_parser(raw_);
  http_parser_init(p, HTTP_REQUEST);
  p->data = this;
  scanner_.reset(limits_.max_header_bytes);
  // A parser waits in the worker's pool between requests: an oversized
  // head (up to max_header_bytes) must not stay pinned to it.
  if (head_bytes_.capacity() > kKeptHeadCapacity)
    std::string().swap(head_bytes_);
  head_bytes_.clear();
  chunk_ = nullptr;
  chunk_offset_ = 0;
  url_ = {0, 0};
  fields_.clear();
  in_value_ = false;
  content_length_fields_ = 0;
  restore_length_flag_ = false;
  head_ = RequestHead{};
  body_.clear();  // a huge body does not pin its memory to a pooled parser
  chunk_scanner_.reset(limits_.max_header_bytes);
  error_ = ParseError::none;
  started_ = false;
  library_started_ = false;
  head_done_ = false;
  head_reported_ = false;
  message_done_ = false;
}

RequestParser::Step RequestParser::fail(ParseError e, std::size_t consumed) {
  if (error_ == ParseError::none) error_ = e;
  return {Event::error, consumed};
}

RequestParser::Step RequestParser::feed(const char* data, std::size_t len) {
  if (error_ != ParseError::none) return {Event::error, 0};
  if (message_done_) return {Event::message_complete, 0};
  if (len == 0) return {Event::need_more, 0};
  started_ = true;
  if (!head_done_) return feed_head(data, len);
  if (!head_.chunked) return run_http_parser(data, len);
  // Chunked: our scan decides where the message ends; http-parser, given
  // exactly those bytes, must agree.
  std::size_t n = len;
  ChunkScanner::Result r = chunk_scanner_.scan(data, len, n);
  if (r == ChunkScanner::Result::error) return fail(ParseError::bad_chunk, 0);
  Step step = run_http_parser(data, n);
  if (step.event == Event::error) return step;
  bool complete = r == ChunkScanner::Result::complete;
  if ((step.event == Event::message_complete) != complete || step.consumed != n)
    return fail(ParseError::bad_chunk, step.consumed);
  return step;
}

RequestParser::Step RequestParser::feed_head(const char* data,
                                             std::size_t len) {
  std::size_t head_part = 0;
  if (scanner_.scan(data, len, head_part) == HeadScanner::Result::error)
    return fail(scanner_.error(), 0);
  // Copy the head as it arrives: field views then survive the caller
  // compacting or reusing its read buffer.
  std::size_t held = head_bytes_.size();
  head_bytes_.append(data, head_part);
  // http-parser sees nothing before the request line is complete, so the
  // scanner's verdict on it (414, 505, malformed) comes first wherever the
  // input is split; the bytes held back are replayed from our copy.
  if (scanner_.in_request_line()) return {Event::need_more, len};
  if (!library_started_) {
    library_started_ = true;
    if (held > 0) {
      chunk_ = head_bytes_.data();
      chunk_offset_ = 0;
      if (run_http_parser(chunk_, held).event == Event::error)
        return {Event::error, 0};
    }
  }
  chunk_ = data;
  chunk_offset_ = held;
  return run_http_parser(data, len);
}

RequestParser::Step RequestParser::run_http_parser(const char* data,
                                                   std::size_t len) {
  http_parser* p = as_parser(raw_);
  if (HTTP_PARSER_ERRNO(p) == HPE_PAUSED) http_parser_pause(p, 0);
  std::size_t n = http_parser_execute(p, &kSettings, data, len);
  unsigned err = HTTP_PARSER_ERRNO(p);
  if (err == HPE_OK || err == HPE_PAUSED) {
    if (message_done_) return {Event::message_complete, n};
    if (head_done_ && !head_reported_) {
      head_reported_ = true;
      return {Event::head_complete, n};
    }
    return {Event::need_more, n};
  }
  if (error_ != ParseError::none) return {Event::error, n};
  return fail(map_library_error(err, n), n);
}

// `at` is where in the chunk being fed http-parser stopped.
ParseError RequestParser::map_library_error(unsigned code, std::size_t at) {
  switch (code) {
    case HPE_INVALID_METHOD:
      // Our head scanner has let through only token bytes before the
      // first space (anything else was refused at once, 400): this is a
      // well-formed method http-parser's fixed list does not know.
      return ParseError::unknown_method;
    case HPE_INVALID_URL:
    case HPE_INVALID_HOST:
    case HPE_INVALID_PORT:
    case HPE_INVALID_PATH:
    case HPE_INVALID_QUERY_STRING:
    case HPE_INVALID_FRAGMENT:
    case HPE_INVALID_VERSION:
      return ParseError::bad_request_line;
    case HPE_INVALID_CHUNK_SIZE:
      return ParseError::bad_chunk;
    case HPE_INVALID_CONTENT_LENGTH:
      // Also raised for a chunk size that overflows 64 bits.
      return head_done_ ? ParseError::bad_chunk
                        : ParseError::bad_content_length;
    case HPE_UNEXPECTED_CONTENT_LENGTH:
    case HPE_INVALID_TRANSFER_ENCODING: {
      // Raised before on_headers_complete: judge from our own view.
      materialize_head();
      ParseError e = judge_framing();
      return e != ParseError::none ? e : ParseError::bad_header;
    }
    case HPE_HEADER_OVERFLOW:
      return head_done_ ? ParseError::bad_chunk : ParseError::headers_too_large;
    default:
      if (head_done_) return ParseError::bad_chunk;
      return chunk_offset_ + at < scanner_.request_line_end()
                 ? ParseError::bad_request_line
                 : ParseError::bad_header;
  }
}

RequestParser::Slice& RequestParser::extend(Slice& s, const char* at,
                                            std::size_t n) {
  auto offset = static_cast<std::uint32_t>(chunk_offset_ + (at - chunk_));
  if (s.size == 0) s.offset = offset;
  s.size += static_cast<std::uint32_t>(n);
  return s;
}

int RequestParser::on_url(const char* at, std::size_t n) {
  extend(url_, at, n);
  return 0;
}

int RequestParser::on_header_field(const char* at, std::size_t n) {
  if (head_done_) return 0;  // trailer fields are tolerated and dropped
  // Built non-strict, http-parser takes SP as a name character, so
  // "Host : a" would be a field named "Host ". RFC 9112 §5.1: reject it,
  // or a proxy that trims the name sees a different request than we do.
  if (std::memchr(at, ' ', n) != nullptr) {
    error_ = ParseError::bad_header;
    return -1;
  }
  auto offset = static_cast<std::uint32_t>(chunk_offset_ + (at - chunk_));
  // A name arrives in pieces only when input was split mid-name: then the
  // piece continues the previous one exactly.
  bool continues =
      !in_value_ && !fields_.empty() &&
      fields_.back().name.offset + fields_.back().name.size == offset;
  if (!continues) fields_.push_back({{offset, 0}, {0, 0}});
  in_value_ = false;
  Slice& name = extend(fields_.back().name, at, n);
  // http-parser rejects any repeated Content-Length, even an identical one,
  // which RFC 9110 §8.6 allows. Let it parse the repeat; judge_framing()
  // rejects differing values.
  if (content_length_fields_ > 0 && iequals(view(name), "content-length")) {
    as_parser(raw_)->flags &= ~F_CONTENTLENGTH;
    restore_length_flag_ = true;
  }
  return 0;
}

int RequestParser::on_header_value(const char* at, std::size_t n) {
  if (head_done_) return 0;
  if (fields_.empty()) return -1;
  FieldSlice& f = fields_.back();
  if (!in_value_) {
    in_value_ = true;
    bool is_length = iequals(view(f.name), "content-length");
    content_length_fields_ += is_length ? 1 : 0;
    if (restore_length_flag_ && !is_length)
      as_parser(raw_)->flags |= F_CONTENTLENGTH;
    restore_length_flag_ = false;
  }
  extend(f.value, at, n);
  return 0;
}

void RequestParser::materialize_head() {
  http_parser* p = as_parser(raw_);
  head_.method = method_from(p->method);
  head_.method_name = http_method_str(static_cast<http_method>(p->method));
  head_.target = view(url_);
  head_.version_major = p->http_major;
  head_.version_minor = p->http_minor;
  head_.headers.clear();
  for (const FieldSlice& f : fields_)
    head_.headers.add(view(f.name), trim_ows(view(f.value)));
}

// Decides how the body is framed, from our own reading of the fields, and
// rejects every ambiguous combination (RFC 9112 §6).
ParseError RequestParser::judge_framing() {
  std::optional<std::uint64_t> length;
  bool transfer_encoding = false;
  int chunked = 0;
  bool other_coding = false;
  for (const HeaderView& h : head_.headers) {
    if (iequals(h.name, "content-length")) {
      auto v = parse_decimal(h.value);
      if (!v) return ParseError::bad_content_length;
      if (length && *length != *v)
        return ParseError::conflicting_content_length;
      length = v;
    } else if (iequals(h.name, "transfer-encoding")) {
      transfer_encoding = true;
      std::string_view list = h.value;
      while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view coding = trim_ows(list.substr(0, comma));
        if (iequals(coding, "chunked"))
          ++chunked;
        else if (!coding.empty())
          other_coding = true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
  }
  if (transfer_encoding && length)
    return ParseError::content_length_with_transfer_encoding;
  if (other_coding) return ParseError::unsupported_transfer_coding;
  if (transfer_encoding && chunked != 1) return ParseError::bad_header;
  head_.content_length = length;
  head_.chunked = chunked == 1;
  return ParseError::none;
}

int RequestParser::on_headers_complete() {
  http_parser* p = as_parser(raw_);
  head_done_ = true;
  materialize_head();
  if (ParseError e = judge_framing(); e != ParseError::none) {
    error_ = e;
    return -1;
  }
  // Our framing and the library's must agree byte for byte, or a peer
  // could be made to see a different message boundary than we do.
  bool library_chunked = (p->flags & F_CHUNKED) != 0;
  bool library_length = p->content_length != ULLONG_MAX;
  if (library_chunked != head_.chunked ||
      (!head_.chunked && library_length != head_.content_length.has_value()) ||
      (!head_.chunked && head_.content_length &&
       *head_.content_length != p->content_length)) {
    error_ = ParseError::bad_header;
    return -1;
  }
  if (head_.content_length && *head_.content_length > limits_.max_body_bytes) {
    error_ = ParseError::body_too_large;
    return -1;
  }

  bool close = false, keep_alive = false;
  std::string_view expect;
  for (const HeaderView& h : head_.headers) {
    if (iequals(h.name, "connection")) {
      close = close || has_token(h.value, "close");
      keep_alive = keep_alive || has_token(h.value, "keep-alive");
    } else if (iequals(h.name, "expect")) {
      expect = h.value;
    } else if (iequals(h.name, "host")) {
      head_.host_fields = std::min(head_.host_fields + 1, 2);
    }
  }
  bool http11 = head_.version_major == 1 && head_.version_minor >= 1;
  // An HTTP/1.0 chunked body is legal but the connection cannot be trusted
  // to stay in sync afterwards (RFC 9112 §6.1): close after answering.
  head_.keep_alive = http11 ? !close : (keep_alive && !close && !head_.chunked);
  if (!expect.empty()) {
    bool continue_ = iequals(expect, "100-continue");
    head_.expect_continue = continue_ && http11;
    head_.expect_unsupported = !continue_;
  }
  head_.upgrade = p->upgrade;
  // http-parser ends a CONNECT request at its head whatever its framing
  // fields say, so a body would be parsed as the next request; RFC 9112
  // §6.3 (and a proxy in front) frames every request by them alone.
  if (p->method == HTTP_CONNECT) p->upgrade = 0;
  http_parser_pause(p, 1);  // hand the head to the caller before the body
  return 0;
}

int RequestParser::on_body(const char* at, std::size_t n) {
  if (body_.size() + n > limits_.max_body_bytes) {
    error_ = ParseError::body_too_large;
    return -1;
  }
  if (!body_.append(at, n)) {
    error_ = ParseError::body_not_stored;
    return -1;
  }
  return 0;
}

int RequestParser::on_message_complete() {
  message_done_ = true;
  http_parser_pause(as_parser(raw_), 1);  // one message per feed sequence
  return 0;
}

}  // namespace gale

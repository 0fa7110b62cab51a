#include "server/http/head_scanner.hpp"

#include <cstring>

#include "server/http/fields.hpp"

namespace gale {

void HeadScanner::reset(std::uint32_t max_bytes) {
  max_ = max_bytes;
  bytes_ = 0;
  request_line_end_ = 0;
  phase_ = Phase::leading;
  error_ = ParseError::none;
  tail_len_ = 0;
  pending_cr_ = false;
  method_seen_ = false;
  method_bytes_ = 0;
}

// CTLs other than HTAB, and DEL; CR is judged separately (before the LF).
static bool has_control_byte(const char* p, std::size_t n) {
  bool bad = false;
  for (std::size_t k = 0; k < n; ++k) {
    auto c = static_cast<unsigned char>(p[k]);
    bad |= (c < 0x20 && c != '\t' && c != '\r') || c == 0x7f;
  }
  return bad;
}

bool HeadScanner::scan_method(const char* p, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    auto c = static_cast<unsigned char>(p[k]);
    if (c == ' ') {
      method_seen_ = method_bytes_ > 0;
      return method_seen_;  // an empty method is no method
    }
    if (!is_token_char(c)) return false;
    ++method_bytes_;
  }
  return true;
}

HeadScanner::Result HeadScanner::fail(ParseError e) {
  error_ = e;
  return Result::error;
}

void HeadScanner::remember_request_line(const char* p, std::size_t n) {
  constexpr std::size_t cap = sizeof tail_;
  if (n >= cap) {
    std::memcpy(tail_, p + n - cap, cap);
    tail_len_ = cap;
    return;
  }
  std::size_t keep = tail_len_ + n > cap ? cap - n : tail_len_;
  std::memmove(tail_, tail_ + tail_len_ - keep, keep);
  std::memcpy(tail_ + keep, p, n);
  tail_len_ = static_cast<std::uint8_t>(keep + n);
}

// A request line ends in " HTTP/<digit>.<digit>", optionally followed by CR
// (RFC 9112 §3). http-parser would take a line without it ("GET /") as an
// HTTP/0.9 request, so that is rejected here; the rest of the line is left
// to http-parser. A major version of 2 or more (the HTTP/2 preface among
// them) is a protocol this port does not speak.
ParseError HeadScanner::judge_version() const {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t n = tail_len_;
  if (n > 0 && tail_[n - 1] == '\r') --n;
  if (n < 9) return ParseError::bad_request_line;
  const char* v = tail_ + n - 9;
  if (std::memcmp(v, " HTTP/", 6) != 0 || !digit(v[6]) || v[7] != '.' ||
      !digit(v[8]))
    return ParseError::bad_request_line;
  return v[6] >= '2' ? ParseError::version_not_supported : ParseError::none;
}

HeadScanner::Result HeadScanner::scan(const char* data, std::size_t len,
                                      std::size_t& consumed) {
  std::size_t i = 0;
  while (i < len) {
    switch (phase_) {
      case Phase::leading: {
        if (data[i] != '\r' && data[i] != '\n') {
          phase_ = Phase::request_line;
          break;
        }
        ++i;
        if (over_limit(i)) return fail(ParseError::request_line_too_long);
        break;
      }
      case Phase::request_line:
      case Phase::field_line: {
        ParseError malformed = phase_ == Phase::request_line
                                   ? ParseError::bad_request_line
                                   : ParseError::bad_header;
        if (pending_cr_) {
          pending_cr_ = false;
          if (data[i] != '\n') return fail(malformed);
        }
        // The method is checked byte by byte as it arrives: what cannot be
        // a method (a TLS ClientHello on the plain port) is refused at
        // once, not after a line feed that may never come.
        if (phase_ == Phase::request_line && !method_seen_ &&
            !scan_method(data + i, len - i))
          return fail(ParseError::bad_request_line);
        const void* lf = std::memchr(data + i, '\n', len - i);
        std::size_t end = lf ? static_cast<const char*>(lf) - data : len;
        // A CR is only allowed right before the LF (RFC 9112 §2.2): a bare
        // CR would end the line for http-parser but not for a proxy.
        if (const void* cr = std::memchr(data + i, '\r', end - i)) {
          std::size_t k = static_cast<const char*>(cr) - data;
          if (!lf && k == len - 1)
            pending_cr_ = true;
          else if (!(lf && k == end - 1))
            return fail(malformed);
        }
        // No other control byte either (RFC 9110 §5.5): http-parser lets
        // one through as the first byte of a field value.
        if (has_control_byte(data + i, end - i)) return fail(malformed);
        if (phase_ == Phase::request_line)
          remember_request_line(data + i, end - i);
        std::size_t next = lf ? end + 1 : len;
        if (over_limit(next)) {
          return fail(phase_ == Phase::request_line
                          ? ParseError::request_line_too_long
                          : ParseError::headers_too_large);
        }
        if (lf && phase_ == Phase::request_line) {
          if (ParseError e = judge_version(); e != ParseError::none)
            return fail(e);
          request_line_end_ = bytes_ + next;
        }
        if (lf) phase_ = Phase::line_start;
        i = next;
        break;
      }
      case Phase::line_start: {
        char c = data[i];
        if (c == ' ' || c == '\t') return fail(ParseError::obs_fold);
        if (over_limit(i + 1)) return fail(ParseError::headers_too_large);
        if (c == '\n') {
          consumed = i + 1;
          bytes_ += consumed;
          return Result::complete;
        }
        phase_ = c == '\r' ? Phase::final_cr : Phase::field_line;
        if (c == '\r') ++i;
        break;
      }
      case Phase::final_cr: {
        if (data[i] != '\n') return fail(ParseError::bad_header);
        if (over_limit(i + 1)) return fail(ParseError::headers_too_large);
        consumed = i + 1;
        bytes_ += consumed;
        return Result::complete;
      }
    }
  }
  bytes_ += len;
  consumed = len;
  return Result::need_more;
}

}  // namespace gale

// Why a request could not be accepted, as decided while parsing it.
//
// Each value maps to exactly one status (SPEC §4); after any of them the
// connection is closed, because the framing of what follows is in doubt.
#pragma once

#include <cstdint>
#include <string_view>

namespace gale {

enum class ParseError : std::uint8_t {
  none,
  // 400: the request line is not `METHOD SP target SP HTTP/x.y`.
  bad_request_line,
  // 400: a malformed field line, including whitespace before the colon.
  bad_header,
  // 400: a field line continued on the next line (obs-fold, RFC 9112 §5.2).
  obs_fold,
  // 400: Content-Length that is not a plain decimal number.
  bad_content_length,
  // 400: repeated Content-Length fields with differing values.
  conflicting_content_length,
  // 400: both Content-Length and Transfer-Encoding (a smuggling vector).
  content_length_with_transfer_encoding,
  // 400: an invalid chunk size line or chunk framing.
  bad_chunk,
  // 501: a transfer coding other than chunked.
  unsupported_transfer_coding,
  // 414: the request line alone exceeds limits.max_header_bytes.
  request_line_too_long,
  // 431: request line + fields exceed limits.max_header_bytes.
  headers_too_large,
  // 413: the body exceeds limits.max_body_bytes.
  body_too_large,
  // 505: HTTP/2 connection preface, or an HTTP version >= 2.
  version_not_supported,
  // 501: a well-formed method (a token, RFC 9110 §9.1) this server does
  // not know; a method with non-token bytes is bad_request_line (400).
  unknown_method,
  // 500: the body could not be spooled to its temp file (disk full, no
  // descriptors left): the server's fault, not the request's.
  body_not_stored,
};
// The last enumerator, so tests can walk them all.
inline constexpr ParseError kLastParseError = ParseError::body_not_stored;

// The status code the server answers with.
int status_for(ParseError e);

// A short human-readable reason, used as the error body and in the log.
std::string_view describe(ParseError e);

}  // namespace gale

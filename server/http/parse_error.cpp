#include "server/http/parse_error.hpp"

namespace gale {

int status_for(ParseError e) {
  switch (e) {
    case ParseError::none:
      return 200;
    case ParseError::bad_request_line:
    case ParseError::bad_header:
    case ParseError::obs_fold:
    case ParseError::bad_content_length:
    case ParseError::conflicting_content_length:
    case ParseError::content_length_with_transfer_encoding:
    case ParseError::bad_chunk:
      return 400;
    case ParseError::unsupported_transfer_coding:
    case ParseError::unknown_method:
      return 501;
    case ParseError::request_line_too_long:
      return 414;
    case ParseError::headers_too_large:
      return 431;
    case ParseError::body_too_large:
      return 413;
    case ParseError::version_not_supported:
      return 505;
    case ParseError::body_not_stored:
      return 500;
  }
  return 400;  // not reached: every value is listed (-Wswitch)
}

std::string_view describe(ParseError e) {
  switch (e) {
    case ParseError::none:
      return "no error";
    case ParseError::bad_request_line:
      return "malformed request line";
    case ParseError::bad_header:
      return "malformed header field";
    case ParseError::obs_fold:
      return "obsolete line folding in header";
    case ParseError::bad_content_length:
      return "invalid Content-Length";
    case ParseError::conflicting_content_length:
      return "conflicting Content-Length values";
    case ParseError::content_length_with_transfer_encoding:
      return "both Content-Length and Transfer-Encoding";
    case ParseError::bad_chunk:
      return "invalid chunked encoding";
    case ParseError::unsupported_transfer_coding:
      return "unsupported transfer coding";
    case ParseError::request_line_too_long:
      return "request line too long";
    case ParseError::headers_too_large:
      return "request header too large";
    case ParseError::body_too_large:
      return "request body too large";
    case ParseError::version_not_supported:
      return "HTTP version not supported";
    case ParseError::unknown_method:
      return "method not implemented";
    case ParseError::body_not_stored:
      return "cannot store the request body";
  }
  return "bad request";
}

}  // namespace gale

// The one exception HttpClient::fetch() throws for a failed fetch (after
// Tornado's HTTPClientError): which kind of failure, the URL it happened
// on, and the underlying cause when there is one. A fetch that is
// cancelled (the handler's client went away) ends differently: with
// boost::system::system_error(operation_aborted), as any Asio operation.
#pragma once

#include <boost/system/error_code.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "server/client/client_messages.hpp"

namespace gale {

enum class HttpClientErrc {
  invalid_request,     // a bad URL, https, a field with CR/LF, a bad method
  resolve_failed,      // the host name did not resolve
  connect_failed,      // refused, unreachable
  connect_timeout,     // not connected within connect_timeout
  timeout,             // the fetch did not end within request_timeout
  connection_closed,   // EOF or reset before the response was complete
  malformed_response,  // not HTTP/1.x, or a bad redirect Location
  too_large,           // body over max_body_bytes, head over max_header_bytes
  too_many_redirects,  // still a redirect after max_redirects
  http_status,         // raise_for_status and a status outside 2xx
};

// "timeout", "connect refused"... for messages and logs.
std::string_view to_string(HttpClientErrc kind);

class HttpClientError : public std::runtime_error {
 public:
  HttpClientError(HttpClientErrc kind, std::string url, std::string_view detail,
                  boost::system::error_code cause = {});
  // http_status: the response that was not 2xx.
  HttpClientError(std::string url, HttpClientResponse response);

  HttpClientErrc kind() const { return kind_; }
  const std::string& url() const { return url_; }
  // The socket or parser error behind it, if any (e.g. connection_refused).
  boost::system::error_code cause() const { return cause_; }
  // Only for http_status; else null.
  const HttpClientResponse* response() const { return response_.get(); }

 private:
  HttpClientErrc kind_;
  std::string url_;
  boost::system::error_code cause_;
  std::shared_ptr<const HttpClientResponse> response_;
};

}  // namespace gale

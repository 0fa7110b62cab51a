// What HttpClient::fetch() takes and returns, after Tornado's HTTPRequest
// and HTTPResponse. Defaults follow Tornado's simple_httpclient (20 s
// timeouts, 5 redirects, 100 MB body).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gale {

using HttpFields = std::vector<std::pair<std::string, std::string>>;

struct HttpClientRequest {
  std::string url;  // absolute, http:// only
  std::string method = "GET";
  // Sent as given, after Host (and User-Agent, unless set here). The
  // client frames the body itself: Content-Length or Transfer-Encoding
  // here is an invalid request.
  HttpFields headers;
  std::string body;
  // Resolving the host and establishing the TCP connection.
  std::chrono::milliseconds connect_timeout{20000};
  // The whole fetch: connect, request, response, and every redirect.
  std::chrono::milliseconds request_timeout{20000};
  bool follow_redirects = true;
  int max_redirects = 5;
  std::size_t max_body_bytes = 100u << 20;  // a larger body: too_large
  std::size_t max_header_bytes = 64u << 10;
  // When true, a final status outside 2xx throws HttpClientError
  // (http_status, response attached) instead of being returned.
  bool raise_for_status = false;
};

struct HttpClientResponse {
  int status = 0;
  std::string reason;
  HttpFields headers;  // in arrival order, names as sent
  std::string body;
  std::string effective_url;  // the URL of the final response
  int redirects = 0;          // how many were followed
  std::chrono::milliseconds request_time{0};

  // The first value of field `name` (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

}  // namespace gale

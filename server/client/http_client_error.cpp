#include "server/client/http_client_error.hpp"

#include <utility>

#include "server/http/fields.hpp"

namespace gale {
namespace {

std::string describe(HttpClientErrc kind, const std::string& url,
                     std::string_view detail) {
  std::string s(to_string(kind));
  s.append(": ").append(url);
  if (!detail.empty()) s.append(": ").append(detail);
  return s;
}

}  // namespace

std::string_view to_string(HttpClientErrc kind) {
  switch (kind) {
    case HttpClientErrc::invalid_request:
      return "invalid request";
    case HttpClientErrc::resolve_failed:
      return "cannot resolve host";
    case HttpClientErrc::connect_failed:
      return "cannot connect";
    case HttpClientErrc::connect_timeout:
      return "connect timeout";
    case HttpClientErrc::timeout:
      return "timeout";
    case HttpClientErrc::connection_closed:
      return "connection closed";
    case HttpClientErrc::malformed_response:
      return "malformed response";
    case HttpClientErrc::too_large:
      return "response too large";
    case HttpClientErrc::too_many_redirects:
      return "too many redirects";
    case HttpClientErrc::http_status:
      return "HTTP status";
  }
  return "error";
}

std::string_view HttpClientResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return {};
}

HttpClientError::HttpClientError(HttpClientErrc kind, std::string url,
                                 std::string_view detail,
                                 boost::system::error_code cause)
    : std::runtime_error(describe(kind, url, detail)),
      kind_(kind),
      url_(std::move(url)),
      cause_(cause) {}

HttpClientError::HttpClientError(std::string url, HttpClientResponse response)
    : std::runtime_error(
          describe(HttpClientErrc::http_status, url,
                   std::to_string(response.status) + " " + response.reason)),
      kind_(HttpClientErrc::http_status),
      url_(std::move(url)),
      response_(
          std::make_shared<const HttpClientResponse>(std::move(response))) {}

}  // namespace gale

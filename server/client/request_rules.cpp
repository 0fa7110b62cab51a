#include "server/client/request_rules.hpp"

#include <algorithm>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "server/http/fields.hpp"

namespace gale::client {
namespace {

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return is_token_char(static_cast<unsigned char>(c));
  });
}

void remove_fields(HttpFields& fields,
                   std::initializer_list<std::string_view> names) {
  std::erase_if(fields, [&](const auto& field) {
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) {
      return iequals(field.first, n);
    });
  });
}

}  // namespace

std::string request_problem(const HttpClientRequest& request) {
  if (!is_token(request.method))
    return "invalid method \"" + request.method + "\"";
  for (const auto& [name, value] : request.headers) {
    if (!is_token(name)) return "invalid field name \"" + name + "\"";
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      return "CR, LF or NUL in the value of " + name;
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding"))
      return name + " is set by the client, not the request";
  }
  return {};
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

void follow_redirect(HttpClientRequest& request, int status, std::string url,
                     bool same_origin) {
  request.url = std::move(url);
  const bool becomes_get = status == 301 || status == 302 || status == 303;
  if (becomes_get && request.method != "HEAD") {
    request.method = "GET";
    request.body.clear();
    remove_fields(request.headers, {"Content-Type", "Content-Encoding"});
  }
  if (!same_origin)
    remove_fields(request.headers,
                  {"Authorization", "Proxy-Authorization", "Cookie", "Host"});
}

bool is_idempotent(const std::string& method) {
  for (std::string_view m :
       {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
    if (method == m) return true;
  return false;
}

}  // namespace gale::client

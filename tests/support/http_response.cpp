#include "tests/support/http_response.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace gale::test {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

const char* describe(Outcome o) {
  switch (o) {
    case Outcome::ok:
      return "ok";
    case Outcome::connect_failed:
      return "connect failed";
    case Outcome::send_failed:
      return "send failed";
    case Outcome::eof:
      return "connection closed (EOF)";
    case Outcome::reset:
      return "connection reset";
    case Outcome::timeout:
      return "timed out";
    case Outcome::malformed:
      return "not an HTTP response";
  }
  return "?";
}

// ---- HttpResponse -----------------------------------------------------------

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

bool HttpResponse::has_header(std::string_view name) const {
  return header_count(name) > 0;
}

int HttpResponse::header_count(std::string_view name) const {
  int n = 0;
  for (const auto& [k, v] : headers)
    n += iequals(k, name) ? 1 : 0;
  return n;
}

bool HttpResponse::closes() const {
  return has_token(header("Connection"), "close");
}

std::string Reply::describe() const {
  std::string s = test::describe(outcome);
  if (error_number) s += std::string(" (") + std::strerror(error_number) + ")";
  if (ok()) s += ": " + std::to_string(status) + " " + body.substr(0, 80);
  return s;
}

bool parse_head(std::string_view head, HttpResponse& r) {
  std::size_t eol = head.find("\r\n");
  r.status_line = std::string(head.substr(0, eol));
  // "HTTP/1.1 200 OK"
  if (r.status_line.size() < 12 ||
      r.status_line.compare(0, 7, "HTTP/1.") != 0 || r.status_line[8] != ' ')
    return false;
  r.version = r.status_line.substr(0, 8);
  r.status = std::atoi(r.status_line.substr(9, 3).c_str());
  r.reason = r.status_line.size() > 13 ? r.status_line.substr(13) : "";
  std::string_view rest =
      eol == std::string_view::npos ? "" : head.substr(eol + 2);
  while (!rest.empty()) {
    std::size_t e = rest.find("\r\n");
    std::string_view line = rest.substr(0, e);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    r.headers.emplace_back(std::string(line.substr(0, colon)),
                           std::string(trim(line.substr(colon + 1))));
    if (e == std::string_view::npos) break;
    rest.remove_prefix(e + 2);
  }
  return true;
}

}  // namespace gale::test

#include "server/http_headers.hpp"

#include <algorithm>
#include <stdexcept>

namespace gale {
namespace {

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

void check_field(std::string_view name, std::string_view value) {
  if (name.empty() || name.find_first_of(" \t\r\n:") != std::string_view::npos)
    throw std::invalid_argument("invalid header name: " + std::string(name));
  // A plain scan: find_first_of calls memchr once per character.
  bool has_line_break = false;
  for (char c : value)
    has_line_break |= (c == '\r') | (c == '\n');
  if (has_line_break)
    throw std::invalid_argument("header value for " + std::string(name) +
                                " contains CR or LF");
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view element = trim_ows(value.substr(0, comma));
    if (iequals(element, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view RequestHeaders::get(std::string_view name,
                                     std::string_view fallback) const {
  for (const HeaderView& f : fields_)
    if (iequals(f.name, name)) return f.value;
  return fallback;
}

bool RequestHeaders::contains(std::string_view name) const {
  for (const HeaderView& f : fields_)
    if (iequals(f.name, name)) return true;
  return false;
}

void ResponseHeaders::set(std::string_view name, std::string_view value) {
  check_field(name, value);
  bool replaced = false;
  for (auto it = fields_.begin(); it != fields_.end();) {
    if (!iequals(it->first, name)) {
      ++it;
    } else if (!replaced) {
      it->second.assign(value);
      replaced = true;
      ++it;
    } else {
      it = fields_.erase(it);
    }
  }
  if (!replaced) fields_.emplace_back(std::string(name), std::string(value));
}

void ResponseHeaders::add(std::string_view name, std::string_view value) {
  check_field(name, value);
  fields_.emplace_back(std::string(name), std::string(value));
}

void ResponseHeaders::remove(std::string_view name) {
  fields_.erase(
      std::remove_if(fields_.begin(), fields_.end(),
                     [&](const Field& f) { return iequals(f.first, name); }),
      fields_.end());
}

const std::string* ResponseHeaders::find(std::string_view name) const {
  for (const Field& f : fields_)
    if (iequals(f.first, name)) return &f.second;
  return nullptr;
}

}  // namespace gale

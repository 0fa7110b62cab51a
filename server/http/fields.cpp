#include "server/http/fields.hpp"

#include <algorithm>
#include <stdexcept>

namespace gale {
namespace {

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// One table lookup per byte: names must be tokens; values may hold
// anything but CR, LF and NUL (which would end or split the field).
void check_field(std::string_view name, std::string_view value) {
  bool bad_name = name.empty();
  for (char c : name)
    bad_name |= !is_token_char(static_cast<unsigned char>(c));
  if (bad_name)
    throw std::invalid_argument("invalid header name: " + std::string(name));
  bool bad_value = false;
  for (char c : value)
    bad_value |= c == '\r' || c == '\n' || c == '\0';
  if (bad_value)
    throw std::invalid_argument("header value for " + std::string(name) +
                                " contains CR, LF or NUL");
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

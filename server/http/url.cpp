#include "server/http/url.hpp"

#include "server/core/format.hpp"

namespace gale {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

TargetParts split_target(std::string_view target) {
  bool empty_path = false;
  if (target.size() > 0 && target[0] != '/' && target != "*") {
    // absolute-form: skip "scheme://authority"
    std::size_t scheme = target.find("://");
    if (scheme != std::string_view::npos) {
      std::size_t path = target.find_first_of("/?", scheme + 3);
      target = path == std::string_view::npos ? std::string_view("/")
                                              : target.substr(path);
      // "http://h?x": an empty path is "/" (RFC 9112 §3.2.2).
      empty_path = target[0] == '?';
    }
  }
  std::size_t hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {empty_path ? std::string_view("/") : target.substr(0, q),
          target.substr(q + 1)};
}

std::optional<std::string> percent_decode(std::string_view s,
                                          bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(static_cast<unsigned char>(s[i + 1])),
          lo = hex_value(static_cast<unsigned char>(s[i + 2]));
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string percent_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void parse_form_urlencoded(std::string_view s, Arguments& out) {
  while (!s.empty()) {
    std::size_t amp = s.find('&');
    std::string_view pair = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1),
        true);
    if (!name || !value) continue;
    out.emplace_back(std::move(*name), std::move(*value));
  }
}

}  // namespace gale

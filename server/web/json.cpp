#include "server/web/json.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace gale {

Json& Json::set(std::string key, Json value) {
  auto* obj = std::get_if<Object>(&v_);
  if (!obj) throw std::logic_error("Json::set on a non-object");
  obj->emplace_back(std::move(key), std::move(value));
  return *this;
}

Json& Json::push_back(Json value) {
  auto* arr = std::get_if<Array>(&v_);
  if (!arr) throw std::logic_error("Json::push_back on a non-array");
  arr->push_back(std::move(value));
  return *this;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

namespace {

template <class N>
void append_number(std::string& out, N n) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

}  // namespace

void Json::dump_to(std::string& out) const {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v))
            append_number(out, v);
          else
            out += "null";  // JSON has no NaN or infinity
        } else if constexpr (std::is_arithmetic_v<T>) {
          append_number(out, v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          append_json_string(out, v);
        } else if constexpr (std::is_same_v<T, Array>) {
          out += '[';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            v[i].dump_to(out);
          }
          out += ']';
        } else {
          out += '{';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            append_json_string(out, v[i].first);
            out += ':';
            v[i].second.dump_to(out);
          }
          out += '}';
        }
      },
      v_);
}

std::string Json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

}  // namespace gale

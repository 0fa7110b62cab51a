#include "server/web/json.hpp"

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

namespace gale {
namespace {

// Copies Boost.JSON's output `raw` to `out`, escaping '<', '>' and '&'
// (which JSON holds only inside strings) and writing the non-finite
// numbers it emits outside strings (NaN, Infinity, -Infinity) as null.
void append_safe(std::string& out, std::string_view raw) {
  out.reserve(out.size() + raw.size());
  bool in_string = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (in_string) {
      if (c == '\\') {
        out += c;
        out += raw[++i];  // the escaped character; never the last byte
        continue;
      }
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == 'N' || c == 'I' || (c == '-' && raw.substr(i, 2) == "-I")) {
      // Outside strings these letters start only NaN and Infinity.
      i += c == 'N' ? 2 : c == 'I' ? 7 : 8;
      out += "null";
      continue;
    }
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

void append_json(std::string& out, const boost::json::value& value) {
  append_safe(out, boost::json::serialize(value));
}

void append_json_string(std::string& out, std::string_view s) {
  append_safe(out, boost::json::serialize(boost::json::string_view(s)));
}

boost::json::value parse_json(std::string_view text, std::string& error) {
  error.clear();
  if (text.empty()) {
    error = "empty, JSON expected";
    return nullptr;
  }
  boost::json::parser parser;  // default options: strict RFC 8259, depth 32
  boost::system::error_code ec;
  std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) return parser.release();
  error = ec.message() + " at byte " + std::to_string(consumed);
  return nullptr;
}

}  // namespace gale

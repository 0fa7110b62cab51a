#include "server/http/forwarded.hpp"

#include <optional>

namespace gale {
namespace {

// Yields the elements of every `name` field line, rightmost first: the last
// line's last element, then leftwards, then the line before. Empty elements
// are skipped (RFC 9110 §5.6.1: a recipient ignores them).
class ListFromRight {
 public:
  ListFromRight(const RequestHeaders& headers, std::string_view name)
      : line_(headers.end()), first_(headers.begin()), name_(name) {}

  std::optional<std::string_view> next() {
    for (;;) {
      while (rest_.empty()) {
        if (!previous_line()) return std::nullopt;
      }
      const std::size_t comma = rest_.rfind(',');
      const std::string_view element = trim_ows(
          comma == std::string_view::npos ? rest_ : rest_.substr(comma + 1));
      rest_ = comma == std::string_view::npos ? std::string_view()
                                              : rest_.substr(0, comma);
      if (!element.empty()) return element;
    }
  }

 private:
  bool previous_line() {
    while (line_ != first_) {
      --line_;
      if (iequals(line_->name, name_) && !line_->value.empty()) {
        rest_ = line_->value;
        return true;
      }
    }
    return false;
  }

  RequestHeaders::Storage::const_iterator line_;
  RequestHeaders::Storage::const_iterator first_;
  std::string_view name_;
  std::string_view rest_;
};

}  // namespace

std::string_view forwarded_client(const RequestHeaders& headers,
                                  const IpNetworkList& trusted) {
  ListFromRight hops(headers, "X-Forwarded-For");
  std::string_view last_trusted;
  while (const std::optional<std::string_view> hop = hops.next()) {
    const std::optional<IpAddress> address = parse_ip_address(*hop);
    if (!address) return last_trusted;
    if (!trusted.contains(*address)) return *hop;
    last_trusted = *hop;
  }
  return last_trusted;
}

std::string_view forwarded_proto(const RequestHeaders& headers) {
  ListFromRight values(headers, "X-Forwarded-Proto");
  const std::optional<std::string_view> nearest = values.next();
  if (!nearest) return {};
  if (iequals(*nearest, "https")) return "https";
  if (iequals(*nearest, "http")) return "http";
  return {};
}

}  // namespace gale

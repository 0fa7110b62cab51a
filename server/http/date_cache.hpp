// The current time, formatted once a second rather than once per request.
//
// A worker refreshes it from its periodic tick; every response reads the
// cached `Date` value and every access-log line the cached CLF timestamp.
#pragma once

#include <ctime>
#include <string_view>

namespace gale {

class DateCache {
 public:
  DateCache() { refresh(std::time(nullptr)); }

  // Reformats only when the second has changed.
  void refresh(std::time_t now);

  // IMF-fixdate (RFC 9110 §5.6.7): "Wed, 25 Nov 2026 07:23:23 GMT".
  std::string_view http_date() const { return {http_, kHttpLen}; }
  // Common Log Format: "25/Nov/2026:07:23:23 +0000".
  std::string_view clf_date() const { return {clf_, kClfLen}; }
  std::time_t seconds() const { return now_; }

 private:
  static constexpr std::size_t kHttpLen = 29;
  static constexpr std::size_t kClfLen = 26;
  std::time_t now_ = -1;
  char http_[kHttpLen + 1] = {};
  char clf_[kClfLen + 1] = {};
};

// Formats `t` as an IMF-fixdate into `out` (at least 30 bytes).
void format_http_date(std::time_t t, char* out);

// Parses the three date formats RFC 9110 §5.6.7 asks recipients to accept
// (IMF-fixdate, RFC 850, asctime). Returns -1 when `s` is none of them.
std::time_t parse_http_date(std::string_view s);

}  // namespace gale

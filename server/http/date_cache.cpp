#include "server/http/date_cache.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace gale {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed",
                                 "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int month_index(const char* name) {
  for (int i = 0; i < 12; ++i)
    if (std::strncmp(name, kMonths[i], 3) == 0) return i;
  return -1;
}

}  // namespace

void format_http_date(std::time_t t, char* out) {
  tm g{};
  gmtime_r(&t, &g);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[g.tm_wday], g.tm_mday, kMonths[g.tm_mon],
                g.tm_year + 1900, g.tm_hour, g.tm_min, g.tm_sec);
  std::memcpy(out, buf, 29);
  out[29] = '\0';
}

void DateCache::refresh(std::time_t now) {
  if (now == now_) return;
  now_ = now;
  format_http_date(now, http_);
  tm g{};
  gmtime_r(&now, &g);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", g.tm_mday,
                kMonths[g.tm_mon], g.tm_year + 1900, g.tm_hour, g.tm_min,
                g.tm_sec);
  std::memcpy(clf_, buf, kClfLen);
  clf_[kClfLen] = '\0';
}

std::time_t parse_http_date(std::string_view s) {
  std::string z(s);  // sscanf needs a terminated string
  char wday[16] = {}, mon[4] = {};
  tm t{};
  int n = 0;
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  if (std::sscanf(z.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d GMT%n", wday,
                  &t.tm_mday, mon, &t.tm_year, &t.tm_hour, &t.tm_min, &t.tm_sec,
                  &n) == 7 &&
      static_cast<size_t>(n) == z.size()) {
    t.tm_year -= 1900;
  } else if (std::sscanf(z.c_str(),
                         "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", wday,
                         &t.tm_mday, mon, &t.tm_year, &t.tm_hour, &t.tm_min,
                         &t.tm_sec, &n) == 7 &&
             static_cast<size_t>(n) == z.size()) {
    // RFC 850 two-digit year: interpret as the nearest past century.
    if (t.tm_year < 70) t.tm_year += 100;
  } else if (std::sscanf(z.c_str(), "%3s %3s %2d %2d:%2d:%2d %4d%n", wday, mon,
                         &t.tm_mday, &t.tm_hour, &t.tm_min, &t.tm_sec,
                         &t.tm_year, &n) == 7 &&
             static_cast<size_t>(n) == z.size()) {
    t.tm_year -= 1900;  // asctime
  } else {
    return -1;
  }
  t.tm_mon = month_index(mon);
  // %2d also reads a sign: "-1:49:37" must not pass as a time.
  if (t.tm_mon < 0 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour < 0 ||
      t.tm_hour > 23 || t.tm_min < 0 || t.tm_min > 59 || t.tm_sec < 0 ||
      t.tm_sec > 60)
    return -1;
  return timegm(&t);
}

}  // namespace gale

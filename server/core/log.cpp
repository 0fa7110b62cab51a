#include "server/core/log.hpp"

#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace gale::log {
namespace {

LogLevel g_level = LogLevel::info;
std::string g_tag = "gale";

// ISO 8601 UTC with milliseconds: sortable, unambiguous across time zones.
void append_timestamp(std::string& out) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm t{};
  gmtime_r(&tv.tv_sec, &t);
  char buf[40];
  int n =
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                    t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                    t.tm_min, t.tm_sec, static_cast<int>(tv.tv_usec / 1000));
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace

void set_level(LogLevel l) {
  g_level = l;
}
LogLevel level() {
  return g_level;
}
void set_process_tag(std::string tag) {
  g_tag = std::move(tag);
}

std::string_view level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "?";
}

void emit(LogLevel l, std::string_view message) {
  std::string line;
  line.reserve(message.size() + 64);
  append_timestamp(line);
  line += " [";
  line += level_name(l);
  line += "] ";
  line += g_tag;
  line += ": ";
  // One event, one line: a multi-line message would break log parsers.
  for (char c : message)
    line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace gale::log

// Leveled diagnostics on stderr, one line per event:
//   2026-11-25T07:23:23.123Z [warning] worker 2: accept: too many open files
// Not for the access log (see access_log.hpp). Cheap when a level is off: the
// message is only built when it will be printed.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include "server/core/log_level.hpp"

namespace gale::log {

void set_level(LogLevel level);
LogLevel level();
inline bool enabled(LogLevel l) {
  return l >= level();
}

// The tag after the level names the process: "master", "worker 3".
void set_process_tag(std::string tag);

// Writes one complete line with a single write(2), so lines from the master
// and the workers, which share stderr, never interleave mid-line.
void emit(LogLevel level, std::string_view message);

template <class... Parts>
void print(LogLevel l, const Parts&... parts) {
  if (!enabled(l)) return;
  std::ostringstream out;
  (out << ... << parts);
  emit(l, out.str());
}

template <class... P>
void debug(const P&... p) {
  print(LogLevel::debug, p...);
}
template <class... P>
void info(const P&... p) {
  print(LogLevel::info, p...);
}
template <class... P>
void warning(const P&... p) {
  print(LogLevel::warning, p...);
}
template <class... P>
void error(const P&... p) {
  print(LogLevel::error, p...);
}

std::string_view level_name(LogLevel level);

}  // namespace gale::log

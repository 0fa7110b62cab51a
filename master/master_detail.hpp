// What the master's files share: its clocks' constants and the words it
// logs with. Internal to master/.
#pragma once

#include <sys/wait.h>

#include <chrono>
#include <iomanip>
#include <sstream>
#include <string>

#include "master/listen_sockets.hpp"
#include "master/master.hpp"
#include "master/signal_fd.hpp"

namespace gale::master_detail {

using Seconds = std::chrono::duration<double>;

constexpr auto kPollTick = std::chrono::milliseconds(100);
// A worker that lived this long was healthy: its slot's backoff resets.
constexpr auto kHealthyUptime = std::chrono::seconds(60);
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
// How long a new generation may take to report ready before a reload is
// abandoned.
constexpr auto kReloadDeadline = std::chrono::seconds(15);
// After SIGABRT, how long a stuck worker gets before SIGKILL.
constexpr auto kAbortGrace = std::chrono::seconds(2);
// Beyond graceful_timeout_s, how long a draining worker gets before
// SIGKILL (it enforces the graceful bound itself; this is the backstop).
constexpr auto kDrainBackstop = std::chrono::seconds(5);
constexpr int kExitWorkerSetup = 3;

inline std::string seconds_text(double s) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s << " s";
  return out.str();
}

inline std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    std::string s =
        std::string("was killed by ") + signal_name(WTERMSIG(status));
    if (WCOREDUMP(status)) s += " (core dumped)";
    return s;
  }
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "stopped";
}

inline MasterClock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<MasterClock::duration>(Seconds(seconds));
}

inline std::string listener_key(const ListenAddress& a, bool reuse_port) {
  return describe(a) + (reuse_port ? " reuseport" : "");
}

}  // namespace gale::master_detail

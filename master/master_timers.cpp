// The master's clock: heartbeats, recycling, the reload deadline, the
// watchdog, and how long poll() may sleep.
#include "master/master.hpp"

#include <algorithm>
#include <sstream>

#include "master/master_detail.hpp"
#include "master/sd_notify.hpp"
#include "server/core/log.hpp"

namespace gale {

using namespace master_detail;

void Master::on_timers(MasterClock::time_point now) {
  if (!stopping_) {
    for (unsigned i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      if (s.restart_pending && now >= s.restart_at) {
        s.restart_pending = false;
        s.process = spawn(i, current_);
        if (!s.process) schedule_restart(i, Seconds(0));
      }
      if (s.failures > 0 && s.process && s.process->ready &&
          now - s.process->started >= kHealthyUptime) {
        if (s.degraded) log::info("worker slot ", i, " recovered");
        s.failures = 0;
        s.degraded = false;
      }
    }
    check_recycling(now);
    check_reload(now);
  }
  check_heartbeats(now);
  for (auto& p : processes_) {
    if ((p->retiring || p->abort_sent) && now >= p->kill_at) {
      log::warning("worker ", p->index, " (pid ", p->pid,
                   ") did not exit in time; sending SIGKILL");
      ::kill(p->pid, SIGKILL);
      p->kill_at = MasterClock::time_point::max();
    }
  }
  check_watchdog(now);
}

// A worker's loop beats every ~250 ms; one silent for workers_policy.
// timeout_s is stuck in a handler. SIGABRT leaves a core to debug; SIGKILL
// follows if even that does not end it.
void Master::check_heartbeats(MasterClock::time_point now) {
  for (auto& p : processes_) {
    if (p->abort_sent) continue;
    double timeout = p->generation->config->workers_policy.timeout_s;
    double silent = Seconds(now - p->last_beat).count();
    if (silent <= timeout) continue;
    std::ostringstream why;
    why << "worker " << p->index << " (pid " << p->pid
        << ") sent no heartbeat for " << seconds_text(silent)
        << ": its loop is stuck";
    if (std::string request = serving(*p); !request.empty())
      why << " in " << request;
    why << "; sending SIGABRT";
    log::error(why.str());
    ::kill(p->pid, SIGABRT);
    p->abort_sent = true;
    p->kill_at = now + kAbortGrace;
  }
}

// Rolling recycling, one slot at a time: the replacement starts beside the
// old worker, which retires once the replacement accepts.
void Master::check_recycling(MasterClock::time_point now) {
  if (reload_) return;
  const WorkersPolicy& policy = config().workers_policy;
  if (!policy.max_requests && !policy.max_rss_mb && policy.max_age_s <= 0)
    return;
  for (const Slot& s : slots_)
    if (s.replacement) return;
  for (unsigned i = 0; i < slots_.size(); ++i) {
    WorkerProcess* p = slots_[i].process;
    if (!p || !p->ready || p->retiring) continue;
    std::string reason;
    if (policy.max_requests && p->beat.requests >= p->recycle_requests)
      reason = "served " + std::to_string(p->beat.requests) + " requests";
    else if (policy.max_rss_mb && p->beat.rss_bytes > policy.max_rss_mb << 20)
      reason = "RSS " + std::to_string(p->beat.rss_bytes >> 20) + " MB";
    else if (policy.max_age_s > 0 &&
             Seconds(now - p->started).count() >= p->recycle_age_s)
      reason = "age " + seconds_text(Seconds(now - p->started).count());
    if (reason.empty()) continue;
    log::info("recycling worker ", i, " (pid ", p->pid, "): ", reason);
    slots_[i].replacement = spawn(i, current_);
    return;
  }
}

void Master::check_reload(MasterClock::time_point now) {
  if (reload_ && now >= reload_->deadline)
    abort_reload("the new workers were not ready within " +
                 seconds_text(Seconds(kReloadDeadline).count()));
}

// WATCHDOG=1 only while every serving worker beats: systemd then restarts
// a server whose workers are all stuck.
void Master::check_watchdog(MasterClock::time_point now) {
  if (!watchdog_ || now < next_watchdog_) return;
  next_watchdog_ = now + *watchdog_ / 2;
  for (const Slot& s : slots_) {
    if (!s.process) return;
    double timeout = s.process->generation->config->workers_policy.timeout_s;
    if (Seconds(now - s.process->last_beat).count() > timeout) return;
  }
  sd_notify("WATCHDOG=1");
}

int Master::poll_timeout_ms(MasterClock::time_point now) const {
  auto wait = MasterClock::duration(kPollTick);
  for (const Slot& s : slots_)
    if (s.restart_pending) wait = std::min(wait, s.restart_at - now);
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::max<long long>(ms, 0));
}

bool Master::all_ready() const {
  for (const Slot& s : slots_)
    if (!s.process || !s.process->ready) return false;
  return true;
}

}  // namespace gale

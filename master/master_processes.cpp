// The master's workers as processes: spawning, reaping, restarting with
// backoff, retiring.
#include "master/master.hpp"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>

#include "config/load_config.hpp"
#include "master/master_detail.hpp"
#include "master/sd_notify.hpp"
#include "server/core/log.hpp"
#include "server/core/shared_page.hpp"
#include "worker/worker.hpp"

namespace gale {

using namespace master_detail;

Master::WorkerProcess* Master::spawn(unsigned index,
                                     const std::shared_ptr<Generation>& gen) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
                   sv) != 0) {
    log::error("cannot start worker ", index,
               ": socketpair: ", std::strerror(errno));
    return nullptr;
  }
  // Mapped before the fork, so parent and child share the same page.
  std::unique_ptr<ActivitySlot, WorkerProcess::Unmap> activity(
      map_shared<ActivitySlot>());
  int accept_line = accept_board_ ? accept_board_->claim_line() : -1;
  pid_t pid = ::fork();
  if (pid < 0) {
    log::error("cannot start worker ", index, ": fork: ", std::strerror(errno));
    ::close(sv[0]);
    ::close(sv[1]);
    if (accept_board_) accept_board_->release_line(accept_line);
    return nullptr;
  }
  if (pid == 0) {
    ::close(sv[0]);
    child_main(index, *gen, sv[1], activity.release(), accept_line);
  }
  if (accept_line >= 0) accept_board_->lines[accept_line].owner.store(pid);
  ::close(sv[1]);
  auto p = std::make_unique<WorkerProcess>();
  p->activity = std::move(activity);
  p->accept_line = accept_line;
  p->pid = pid;
  p->index = index;
  p->generation = gen;
  p->channel = FileDescriptor(sv[0]);
  p->started = p->last_beat = MasterClock::now();
  const WorkersPolicy& policy = gen->config->workers_policy;
  // Jitter, so workers started together are not all recycled together.
  if (policy.max_requests > 0)
    p->recycle_requests =
        policy.max_requests + random_() % (policy.max_requests / 10 + 1);
  if (policy.max_age_s > 0)
    p->recycle_age_s =
        policy.max_age_s *
        (1.0 + std::uniform_real_distribution<>(0, 0.1)(random_));
  log::info("started worker ", index, " (pid ", pid, ", generation ",
            gen->number, ")");
  processes_.push_back(std::move(p));
  return processes_.back().get();
}

// The worker's side of the fork. Never returns: a worker ends with _exit so
// the master's inherited objects are never destroyed twice.
void Master::child_main(unsigned index, const Generation& gen, int channel_fd,
                        ActivitySlot* activity, int accept_line) {
  // If the master dies, the kernel sends SIGTERM, which drains the worker.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != pid_) ::_exit(0);  // it died before prctl took effect
  signals_.release_in_child();
  log::set_process_tag("worker " + std::to_string(index));
  // Keep only this generation's listeners and our own channel.
  std::set<int> keep;
  for (const auto& l : gen.listeners)
    keep.insert(l->get());
  auto close_unless_kept = [&](const std::shared_ptr<FileDescriptor>& fd) {
    if (fd && fd->valid() && !keep.count(fd->get())) ::close(fd->release());
  };
  for (auto& [key, fd] : listeners_)
    close_unless_kept(fd);
  for (auto& p : processes_) {
    if (p->channel.valid()) ::close(p->channel.release());
    for (auto& fd : p->generation->listeners)
      close_unless_kept(fd);
  }
  if (reload_)
    for (auto& fd : reload_->generation->listeners)
      close_unless_kept(fd);

  const Config& config = *gen.config;
  WorkerOptions options;
  options.index = index;
  options.generation = gen.number;
  options.control_fd = channel_fd;
  options.activity = activity;
  options.accept_board = accept_board_;
  options.accept_line = accept_line;
  options.listeners_outlive_us = options_.socket_activated;
  if (config.reuse_port && !options_.socket_activated) {
    // Each worker its own SO_REUSEPORT listener: the kernel spreads
    // connections over them. The master's copies only reserve the port.
    for (const ListenAddress& a : config.listen) {
      std::string error;
      ListenSocket s = bind_listen_socket(a, config.backlog, true, error);
      if (!s.fd.valid()) {
        log::error(error);
        ::_exit(kExitWorkerSetup);
      }
      options.listen_fds.push_back(s.fd.release());
    }
    for (const auto& l : gen.listeners)
      ::close(l->release());
  } else {
    for (const auto& l : gen.listeners)
      options.listen_fds.push_back(l->release());
  }
  int status = kExitWorkerSetup;
  try {
    Worker worker(config, *gen.app, std::move(options));
    status = worker.run();
  } catch (const std::exception& e) {
    log::error("worker failed: ", e.what());
  }
  ::_exit(status);
}

void Master::WorkerProcess::Unmap::operator()(ActivitySlot* slot) const {
  unmap_shared(slot);
}

std::string Master::serving(const WorkerProcess& p) const {
  std::string request;
  double seconds = 0;
  if (!(p.activity && p.activity->read(request, seconds))) {
    if (!p.beat.oldest_request[0]) return {};
    request = p.beat.oldest_request;
    seconds = p.beat.oldest_request_s;
  }
  return "\"" + request + "\" (for " + seconds_text(seconds) + ")";
}

Master::WorkerProcess* Master::find(pid_t pid) {
  for (auto& p : processes_)
    if (p->pid == pid) return p.get();
  return nullptr;
}

void Master::reap_children() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    if (WorkerProcess* p = find(pid)) {
      read_last_messages(*p);
      on_exit(*p, status);
    }
  }
}

// A worker that drained sent its handed-over connections, then exited; the
// exit can be reaped in the same round as, or before, the channel is read
// (poll saw only SIGCHLD, or on_channel stopped at its 64-message turn).
// Whatever is still queued is read now: closing the channel unread would
// close the descriptors in flight in it, and each client would see its
// next request reset. The worker is gone, so this ends at EOF.
void Master::read_last_messages(WorkerProcess& p) {
  while (p.channel.valid() && on_channel(p)) {
  }
}

void Master::log_death(const WorkerProcess& p, int status) const {
  double uptime = Seconds(MasterClock::now() - p.started).count();
  std::ostringstream line;
  line << "worker " << p.index << " (pid " << p.pid << ", generation "
       << p.generation->number << ") " << describe_status(status) << " after "
       << seconds_text(uptime) << "; RSS " << std::fixed << std::setprecision(1)
       << static_cast<double>(p.beat.rss_bytes) / (1 << 20) << " MB; ";
  std::string request = serving(p);
  line << (request.empty() ? "it was serving no request"
                           : "it was serving " + request);
  log::error(line.str());
}

void Master::on_exit(WorkerProcess& p, int status) {
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  bool expected = p.retiring || stopping_;
  if (expected && clean)
    log::info("worker ", p.index, " (pid ", p.pid, ") exited after draining");
  else
    log_death(p, status);

  bool current = p.generation == current_ && p.index < slots_.size();
  bool serving = current && slots_[p.index].process == &p;
  bool replacement = current && slots_[p.index].replacement == &p;
  bool candidate = false;
  if (reload_) {
    auto& s = reload_->starting;
    candidate = std::find(s.begin(), s.end(), &p) != s.end();
    std::erase(s, &p);
  }
  std::chrono::duration<double> uptime = MasterClock::now() - p.started;
  unsigned index = p.index;
  remove_process(p);

  if (candidate && !stopping_)
    abort_reload("worker " + std::to_string(index) + " of the new generation " +
                 describe_status(status) + " before it was ready");
  if (stopping_) return;
  if (serving) {
    slots_[index].process = nullptr;
    schedule_restart(index, uptime);
  } else if (replacement) {
    slots_[index].replacement = nullptr;  // the old one keeps serving
  }
}

void Master::remove_process(WorkerProcess& p) {
  if (accept_board_) accept_board_->release_line(p.accept_line);
  if (p.channel.valid()) relay_.forget(p.channel.get());
  for (Slot& s : slots_) {
    if (s.process == &p) s.process = nullptr;
    if (s.replacement == &p) s.replacement = nullptr;
  }
  std::erase_if(processes_, [&](const auto& q) { return q.get() == &p; });
}

// Restarts at once after a worker that ran a healthy minute; after quick
// deaths in a row, waits 100 ms doubling up to restart_backoff_max_s.
void Master::schedule_restart(unsigned index,
                              std::chrono::duration<double> uptime) {
  Slot& s = slots_[index];
  if (uptime >= kHealthyUptime) s.failures = 0;
  double delay = 0;
  if (s.failures > 0) {
    double first = Seconds(kFirstBackoff).count();
    delay = std::min(first * std::pow(2.0, s.failures - 1),
                     config().workers_policy.restart_backoff_max_s);
  }
  ++s.failures;
  s.restart_pending = true;
  s.restart_at = MasterClock::now() + to_duration(delay);
  if (s.failures >= 3) {
    s.degraded = true;
    log::error("worker slot ", index, " is degraded: ", s.failures,
               " deaths in a row; next start in ", seconds_text(delay));
  } else if (delay > 0) {
    log::warning("restarting worker ", index, " in ", seconds_text(delay));
  }
}

void Master::retire(WorkerProcess& p, DrainMode mode) {
  if (p.retiring) return;
  p.retiring = true;
  p.kill_at =
      MasterClock::now() +
      to_duration(p.generation->config->workers_policy.graceful_timeout_s) +
      kDrainBackstop;
  std::string payload(1, static_cast<char>(mode));
  if (!p.channel.valid() || send_control(p.channel.get(), ControlType::drain,
                                         payload) != IoResult::ok)
    ::kill(p.pid, SIGTERM);  // the signal drains too (in stop mode)
}

}  // namespace gale

#include "master/master.hpp"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <set>
#include <sstream>

#include "config/load_config.hpp"
#include "master/listen_sockets.hpp"
#include "master/sd_notify.hpp"
#include "server/core/log.hpp"
#include "server/core/shared_page.hpp"
#include "worker/worker.hpp"

namespace gale {
namespace {

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

std::string seconds_text(double s) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s << " s";
  return out.str();
}

std::string describe_status(int status) {
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

Clock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(Seconds(seconds));
}

std::string listener_key(const ListenAddress& a, bool reuse_port) {
  return describe(a) + (reuse_port ? " reuseport" : "");
}

}  // namespace

Master::Master(MasterOptions options)
    : options_(std::move(options)),
      pid_(::getpid()),
      signals_({SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGTTIN,
                SIGTTOU}),
      accept_board_(AcceptBoard::create()),
      // Moved, not copied: a copy left in options_ would keep every
      // listener bound at start open (and queueing connections no worker
      // accepts) after a reload drops it.
      listeners_(std::move(options_.listeners)),
      random_(std::random_device{}()),
      relay_(options_.config.pubsub.history) {}

Master::~Master() = default;

int Master::run() {
  log::set_process_tag("master");
  std::vector<std::string> errors;
  auto config = std::make_shared<const Config>(options_.config);
  auto app = std::make_shared<Application>(options_.make_app(*config));
  current_ = make_generation(config, app, errors);
  if (!current_) {
    for (const auto& e : errors)
      log::error(e);
    return 1;
  }
  slots_.resize(config->workers);
  for (unsigned i = 0; i < slots_.size(); ++i) {
    slots_[i].process = spawn(i, current_);
    if (!slots_[i].process) schedule_restart(i, Seconds(0));
  }
  watchdog_ = sd_watchdog_interval();

  std::vector<pollfd> fds;
  std::vector<WorkerProcess*> owners;
  while (!(stopping_ && processes_.empty())) {
    on_timers(MasterClock::now());
    if (stopping_ && processes_.empty()) break;
    poll_set(fds, owners);
    int n = ::poll(fds.data(), fds.size(), poll_timeout_ms(MasterClock::now()));
    if (n < 0 && errno != EINTR) {
      log::error("poll: ", std::strerror(errno));
      return 1;
    }
    if (n <= 0) continue;
    // Channels first: handling them never removes a process (reaping,
    // which does, happens on SIGCHLD below), so `owners` stays valid.
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents & POLLOUT) relay_.on_writable(fds[i].fd);
      if (fds[i].revents & ~POLLOUT) on_channel(*owners[i]);
    }
    // What the round's relay frames brought goes out in few frames.
    relay_.flush();
    if (!handoffs_.empty()) handoffs_.send(adopters());
    if (fds[0].revents & POLLIN)
      while (int sig = signals_.next())
        on_signal(sig);
  }
  log::info("stopped");
  return 0;
}

// What the next poll waits for: signals, and each worker's channel, for
// reading and, while something waits to go out on it, for writing.
void Master::poll_set(std::vector<pollfd>& fds,
                      std::vector<WorkerProcess*>& owners) const {
  fds.assign(1, pollfd{signals_.fd(), POLLIN, 0});
  owners.assign(1, nullptr);
  // Handed-over connections wait for an adopter's POLLOUT.
  std::vector<int> adopting;
  if (!handoffs_.empty()) adopting = adopters();
  for (const auto& p : processes_) {
    if (!p->channel.valid()) continue;
    int ch = p->channel.get();
    short events = POLLIN;
    if (relay_.wants_write(ch) ||
        std::find(adopting.begin(), adopting.end(), ch) != adopting.end())
      events |= POLLOUT;
    fds.push_back(pollfd{ch, events, 0});
    owners.push_back(p.get());
  }
}

// ---- processes
// -----------------------------------------------------------------

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

// ---- events
// ---------------------------------------------------------------------

void Master::on_signal(int sig) {
  switch (sig) {
    case SIGCHLD:
      reap_children();
      break;
    case SIGTERM:
      begin_stop(true);
      break;
    case SIGINT:
      begin_stop(!stopping_);
      break;  // a second Ctrl-C: at once
    case SIGQUIT:
      begin_stop(false);
      break;
    case SIGHUP:
      reload();
      break;
    case SIGUSR1:
      reopen_logs();
      break;
    case SIGTTIN:
      resize(+1);
      break;
    case SIGTTOU:
      resize(-1);
      break;
    default:
      break;
  }
}

bool Master::on_channel(WorkerProcess& p) {
  for (int i = 0; i < 64; ++i) {
    if (!p.channel.valid()) return false;
    ControlMessage m;
    IoResult r = receive_control(p.channel.get(), m);
    if (r == IoResult::would_block) return false;
    if (r == IoResult::closed) {
      relay_.forget(p.channel.get());
      p.channel.reset();  // exiting; SIGCHLD follows
      return false;
    }
    if (r == IoResult::error) continue;
    switch (m.type) {
      case ControlType::ready:
        on_ready(p);
        break;
      case ControlType::heartbeat:
        on_heartbeat(p, m.payload);
        break;
      case ControlType::handoff:
        if (m.fd >= 0) on_handoff(m.fd);
        m.fd = -1;
        break;
      case ControlType::relay:
        relay_.on_frame(p.channel.get(), m.payload);
        break;
      default:
        break;
    }
    if (m.fd >= 0) ::close(m.fd);
  }
  return true;
}

void Master::on_ready(WorkerProcess& p) {
  p.ready = true;
  relay_.on_ready(p.channel.get());
  p.last_beat = MasterClock::now();
  if (p.generation == current_ && p.index < slots_.size()) {
    Slot& s = slots_[p.index];
    if (s.replacement == &p) {
      // Recycling: the replacement accepts, so the old one may go.
      if (s.process) retire(*s.process, DrainMode::hand_over);
      s.process = &p;
      s.replacement = nullptr;
    }
  }
  if (reload_) {
    bool all = std::all_of(reload_->starting.begin(), reload_->starting.end(),
                           [](WorkerProcess* q) { return q->ready; });
    if (all) commit_reload();
  }
  if (!announced_ready_ && all_ready()) {
    announced_ready_ = true;
    log::info("serving with ", slots_.size(), " workers");
    sd_notify("READY=1");
  }
}

void Master::on_heartbeat(WorkerProcess& p, const std::string& payload) {
  if (payload.size() != sizeof(Heartbeat)) return;
  std::memcpy(&p.beat, payload.data(), sizeof(Heartbeat));
  p.beat.oldest_request[sizeof p.beat.oldest_request - 1] = '\0';
  p.last_beat = MasterClock::now();
}

// An idle keep-alive connection from a retiring worker goes to a serving
// worker of the current generation (see handoff_queue.hpp), after any that
// wait already.
void Master::on_handoff(int fd) {
  handoffs_.push(FileDescriptor(fd));
  handoffs_.send(adopters());
}

std::vector<int> Master::adopters() const {
  std::vector<int> out;
  for (const Slot& s : slots_) {
    const WorkerProcess* q = s.process;
    if (q && !q->retiring && q->ready && q->channel.valid())
      out.push_back(q->channel.get());
  }
  return out;
}

// ---- timers
// ------------------------------------------------------------------------

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

// ---- commands
// -------------------------------------------------------------------

void Master::begin_stop(bool graceful) {
  if (stopping_ && graceful) return;
  bool first = !stopping_;
  stopping_ = true;
  if (first) sd_notify("STOPPING=1");
  if (reload_) {
    for (WorkerProcess* p : reload_->starting)
      p->retiring = true;
    reload_.reset();
  }
  if (!handoffs_.empty())
    log::warning("stopping: closing ", handoffs_.size(),
                 " handed-over connections no worker has taken");
  handoffs_.clear();  // every worker is stopping: none will adopt them
  // Close our copies of the listeners now: once the workers close theirs,
  // new connections are refused instead of waiting in a dead backlog.
  for (auto& [key, fd] : listeners_)
    fd->reset();
  for (auto& p : processes_)
    for (auto& fd : p->generation->listeners)
      fd->reset();
  if (graceful) {
    log::info("stopping gracefully: workers finish their requests (up to ",
              seconds_text(config().workers_policy.graceful_timeout_s), ")");
    for (auto& p : processes_)
      retire(*p, DrainMode::stop);
  } else {
    log::info("stopping now");
    for (auto& p : processes_) {
      p->retiring = true;
      ::kill(p->pid, SIGQUIT);
      p->kill_at = MasterClock::now() + kAbortGrace;
    }
  }
}

std::shared_ptr<Master::Generation> Master::make_generation(
    std::shared_ptr<const Config> config, std::shared_ptr<Application> app,
    std::vector<std::string>& errors) {
  auto gen = std::make_shared<Generation>();
  gen->number = next_generation_++;
  gen->config = std::move(config);
  gen->app = std::move(app);
  if (options_.socket_activated) {
    for (auto& [key, fd] : listeners_)
      gen->listeners.push_back(fd);
    return gen;
  }
  for (const ListenAddress& a : gen->config->listen) {
    std::string key = listener_key(a, gen->config->reuse_port);
    auto it = listeners_.find(key);
    if (it != listeners_.end() && it->second->valid()) {
      gen->listeners.push_back(it->second);
      continue;
    }
    std::string error;
    ListenSocket s =
        bind_listen_socket(a, gen->config->backlog, gen->config->reuse_port,
                           error, !gen->config->reuse_port);
    if (!s.fd.valid()) {
      errors.push_back(error);
      return nullptr;
    }
    gen->listeners.push_back(std::make_shared<FileDescriptor>(std::move(s.fd)));
  }
  return gen;
}

// SIGHUP: parse and validate the file, bind new listeners, start a whole
// new generation, and retire the old one only once every new worker
// accepts. Any failure leaves the old generation serving as it was.
void Master::reload() {
  if (stopping_) return;
  if (reload_) {
    log::warning("SIGHUP: a reload is already in progress; ignored");
    return;
  }
  sd_notify("RELOADING=1");
  log::info("SIGHUP: reloading the configuration");
  LoadOutcome outcome = load_config(options_.args);
  for (const auto& w : outcome.warnings)
    log::warning(w);
  auto fail = [&](const std::vector<std::string>& errors) {
    for (const auto& e : errors)
      log::error("reload: ", e);
    log::error("reload failed; still serving generation ", current_->number,
               " with the previous configuration");
    sd_notify("READY=1");
  };
  if (!outcome.errors.empty()) return fail(outcome.errors);
  std::shared_ptr<Application> app;
  try {
    app = std::make_shared<Application>(options_.make_app(outcome.config));
  } catch (const std::exception& e) {
    return fail({e.what()});
  }
  std::vector<std::string> errors;
  auto gen = make_generation(std::make_shared<const Config>(outcome.config),
                             std::move(app), errors);
  if (!gen) return fail(errors);
  reload_ = Reload{gen, {}, MasterClock::now() + kReloadDeadline};
  for (unsigned i = 0; i < gen->config->workers; ++i) {
    WorkerProcess* p = spawn(i, gen);
    if (!p) return abort_reload("cannot start the new workers");
    reload_->starting.push_back(p);
  }
  log::info("reload: generation ", gen->number, " starting ",
            gen->config->workers, " workers");
}

void Master::abort_reload(const std::string& why) {
  if (!reload_) return;
  log::error("reload failed: ", why, "; still serving generation ",
             current_->number, " with the previous configuration");
  for (WorkerProcess* p : reload_->starting) {
    p->retiring = true;
    ::kill(p->pid, SIGKILL);
  }
  reload_.reset();
  sd_notify("READY=1");
}

void Master::commit_reload() {
  std::shared_ptr<Generation> gen = reload_->generation;
  std::vector<WorkerProcess*> starting = std::move(reload_->starting);
  reload_.reset();
  for (Slot& s : slots_) {
    if (s.process) retire(*s.process, DrainMode::hand_over);
    if (s.replacement) retire(*s.replacement, DrainMode::hand_over);
  }
  current_ = gen;
  slots_.assign(gen->config->workers, Slot{});
  for (WorkerProcess* p : starting)
    slots_[p->index].process = p;
  // The master keeps only the listeners the new configuration uses.
  std::map<std::string, std::shared_ptr<FileDescriptor>> kept;
  if (options_.socket_activated) {
    kept = listeners_;
  } else {
    for (std::size_t i = 0; i < gen->config->listen.size(); ++i)
      kept[listener_key(gen->config->listen[i], gen->config->reuse_port)] =
          gen->listeners[i];
  }
  listeners_ = std::move(kept);
  log::info("reload complete: generation ", gen->number, " serving with ",
            slots_.size(), " workers");
  sd_notify("READY=1");
}

void Master::resize(int delta) {
  if (stopping_ || reload_) {
    log::warning("cannot change the worker count while ",
                 stopping_ ? "stopping" : "reloading");
    return;
  }
  if (delta > 0) {
    unsigned index = static_cast<unsigned>(slots_.size());
    slots_.push_back(Slot{});
    slots_.back().process = spawn(index, current_);
    if (!slots_.back().process) schedule_restart(index, Seconds(0));
  } else {
    if (slots_.size() <= 1) {
      log::warning("SIGTTOU: already at one worker");
      return;
    }
    Slot& last = slots_.back();
    if (last.process) retire(*last.process, DrainMode::hand_over);
    if (last.replacement) retire(*last.replacement, DrainMode::hand_over);
    slots_.pop_back();
  }
  log::info(delta > 0 ? "SIGTTIN" : "SIGTTOU", ": now ", slots_.size(),
            " workers");
}

void Master::reopen_logs() {
  log::info("SIGUSR1: reopening log files");
  for (auto& p : processes_)
    if (p->channel.valid())
      send_control(p->channel.get(), ControlType::reopen_logs, {});
}

}  // namespace gale

#include "master/master.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "master/master_detail.hpp"
#include "master/sd_notify.hpp"
#include "server/core/log.hpp"

namespace gale {

using namespace master_detail;

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

}  // namespace gale

// What the master is asked to do: stop, reload (a new generation, kept or
// abandoned), resize, reopen its logs.
#include "master/master.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "config/load_config.hpp"
#include "master/listen_sockets.hpp"
#include "master/master_detail.hpp"
#include "master/sd_notify.hpp"
#include "server/core/log.hpp"

namespace gale {

using namespace master_detail;

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
  LoadOutcome outcome = load_config(options_.args, options_.app_keys);
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

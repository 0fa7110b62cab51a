// The master process: forks the workers, supervises them, and turns
// signals into stops, reloads and resizes (SPEC §5).
//
// It runs no Asio loop of its own (so no io_context ever crosses a fork):
// one poll() over a signalfd and the workers' control sockets, with
// deadlines computed on each turn. It never accepts a connection.
//
// Workers are grouped in generations. A reload starts a whole new
// generation beside the old one and retires the old one only once every
// new worker reports that it accepts; if any step fails the old generation
// goes on serving, untouched. Retiring workers hand their idle keep-alive
// connections back through the master to the new generation, so no client
// sees a connection closed between two requests.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "config/app_keys.hpp"
#include "config/config.hpp"
#include "master/handoff_queue.hpp"
#include "master/relay.hpp"
#include "master/signal_fd.hpp"
#include "server/core/activity_slot.hpp"
#include "server/core/file_descriptor.hpp"
#include "server/web/application.hpp"
#include "worker/accept_board.hpp"
#include "worker/control_protocol.hpp"

namespace gale {

using MasterClock = std::chrono::steady_clock;

struct MasterOptions {
  std::vector<std::string> args;  // for reload: the same flags, file re-read
  AppKeys app_keys;               // ... and the application's own keys
  // Builds the application for a configuration (rebuilt on reload).
  std::function<Application(const Config&)> make_app;
  Config config;
  // Listening sockets already bound, keyed like describe(ListenAddress).
  std::map<std::string, std::shared_ptr<FileDescriptor>> listeners;
  bool socket_activated = false;  // listeners came from systemd
};

class Master {
 public:
  explicit Master(MasterOptions options);
  ~Master();
  // Supervises until stopped; returns the exit status.
  int run();

 private:
  struct Generation {
    std::uint64_t number;
    std::shared_ptr<const Config> config;
    std::shared_ptr<Application> app;
    std::vector<std::shared_ptr<FileDescriptor>> listeners;
  };
  struct WorkerProcess {
    pid_t pid = -1;
    unsigned index = 0;
    std::shared_ptr<Generation> generation;
    FileDescriptor channel;
    MasterClock::time_point started;
    MasterClock::time_point last_beat;
    bool ready = false;
    bool retiring = false;
    MasterClock::time_point kill_at{};  // retiring, or SIGABRT sent
    bool abort_sent = false;
    Heartbeat beat{};
    // Shared with the worker: the handler its loop runs now.
    struct Unmap {
      void operator()(ActivitySlot* slot) const;
    };
    std::unique_ptr<ActivitySlot, Unmap> activity;
    int accept_line = -1;                // its line of the accept board
    std::uint64_t recycle_requests = 0;  // max_requests plus jitter
    double recycle_age_s = 0;            // max_age_s plus jitter
  };
  struct Slot {
    WorkerProcess* process = nullptr;      // serving now
    WorkerProcess* replacement = nullptr;  // recycling: starting up
    unsigned failures = 0;  // deaths in a row without a healthy minute
    bool restart_pending = false;
    MasterClock::time_point restart_at{};
    bool degraded = false;
  };
  struct Reload {
    std::shared_ptr<Generation> generation;
    std::vector<WorkerProcess*> starting;
    MasterClock::time_point deadline;
  };

  // Processes.
  WorkerProcess* spawn(unsigned index, const std::shared_ptr<Generation>& gen);
  [[noreturn]] void child_main(unsigned index, const Generation& gen,
                               int channel_fd, ActivitySlot* activity,
                               int accept_line);
  void reap_children();
  void read_last_messages(WorkerProcess& p);
  void on_exit(WorkerProcess& p, int status);
  void schedule_restart(unsigned index, std::chrono::duration<double> uptime);
  void retire(WorkerProcess& p, DrainMode mode);
  void remove_process(WorkerProcess& p);
  WorkerProcess* find(pid_t pid);

  // Events.
  void on_signal(int sig);
  // Handles up to 64 messages; true when it stopped with more queued.
  bool on_channel(WorkerProcess& p);
  void on_ready(WorkerProcess& p);
  void on_heartbeat(WorkerProcess& p, const std::string& payload);
  void on_handoff(int fd);
  // The control channels of the workers a handed-over connection may go to.
  std::vector<int> adopters() const;
  void on_timers(MasterClock::time_point now);
  void check_heartbeats(MasterClock::time_point now);
  void check_recycling(MasterClock::time_point now);
  void check_reload(MasterClock::time_point now);
  void check_watchdog(MasterClock::time_point now);
  int poll_timeout_ms(MasterClock::time_point now) const;
  void poll_set(std::vector<pollfd>& fds,
                std::vector<WorkerProcess*>& owners) const;

  // Commands.
  void begin_stop(bool graceful);
  void reload();
  void abort_reload(const std::string& why);
  void commit_reload();
  void resize(int delta);
  void reopen_logs();

  const Config& config() const { return *current_->config; }
  std::shared_ptr<Generation> make_generation(
      std::shared_ptr<const Config> config, std::shared_ptr<Application> app,
      std::vector<std::string>& errors);
  bool all_ready() const;
  void log_death(const WorkerProcess& p, int status) const;
  // "GET /x" (for 1.2 s), from the activity slot or else the last heartbeat.
  std::string serving(const WorkerProcess& p) const;

  MasterOptions options_;
  pid_t pid_;
  SignalFd signals_;
  // Accept counts of the workers sharing a listener (accept_board.hpp),
  // mapped before any fork so every worker sees the same page.
  AcceptBoard* accept_board_ = nullptr;
  std::map<std::string, std::shared_ptr<FileDescriptor>> listeners_;
  std::shared_ptr<Generation> current_;
  std::uint64_t next_generation_ = 1;
  std::vector<std::unique_ptr<WorkerProcess>> processes_;
  std::vector<Slot> slots_;
  std::optional<Reload> reload_;
  bool stopping_ = false;
  bool announced_ready_ = false;
  // Handed-over connections no worker's channel has taken yet.
  HandoffQueue handoffs_;
  std::optional<std::chrono::microseconds> watchdog_;
  MasterClock::time_point next_watchdog_{};
  std::mt19937_64 random_;
  // Pub/sub between the workers. Sized by the first configuration: a
  // reload keeps the history (and its bound) rather than lose it.
  Relay relay_;
};

}  // namespace gale

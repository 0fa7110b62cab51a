// Starts the gale-test binary as a master with its workers, in a process
// group of its own, and looks at the processes through /proc.
//
// GaleServer writes the test's YAML into a private directory, forks and
// execs the binary with stdout and stderr captured to files there, and
// kills the whole group (master, workers, orphans) when it goes away, so a
// failing test never leaves a process behind. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/master/support/http.hpp"
#include "tests/master/support/temp_dir.hpp"

namespace gale::mtest {

// The binary under test (compiled in by CMake).
const char* test_binary();

// A port on 127.0.0.1 that was free a moment ago.
int free_port();
// Whether a new listener may bind 127.0.0.1:port now (SO_REUSEADDR, as a
// restarted server would bind it).
bool port_is_free(int port);

// Polls `done` every `every` until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& done, Millis timeout,
                Millis every = 10ms);

// ---- /proc

struct ProcStat {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
  char state = '?';
  unsigned long utime = 0;  // clock ticks
  unsigned long stime = 0;
};
std::optional<ProcStat> read_stat(pid_t pid);
// Exists and is not a zombie.
bool is_alive(pid_t pid);
// Live children of `pid` (by ppid).
std::set<pid_t> children_of(pid_t pid);
// Live members of process group `pgrp`.
std::set<pid_t> group_members(pid_t pgrp);
// CPU seconds (user + system) `pid` has used.
double cpu_seconds(pid_t pid);

// How a process ended.
struct ExitStatus {
  bool exited = false;
  int code = -1;
  int signal = 0;
  std::string describe() const;
};

struct StartOptions {
  // Written to config.yaml and passed with --config, unless empty.
  std::string yaml;
  // Flags after --config.
  std::vector<std::string> args;
  // Extra environment variables (added to the test's own).
  std::vector<std::pair<std::string, std::string>> env;
  // A listening socket handed over as fd 3 with LISTEN_FDS=1 and LISTEN_PID
  // set to the exec'd process's pid (systemd socket activation).
  int activation_fd = -1;
};

// A YAML config listening on 127.0.0.1:port with `workers` workers and the
// access log off; `extra` is appended as more top-level keys.
std::string basic_yaml(int port, int workers, const std::string& extra = "");

class GaleServer {
 public:
  GaleServer();
  // Kills whatever is left of the process group.
  ~GaleServer();
  GaleServer(const GaleServer&) = delete;
  GaleServer& operator=(const GaleServer&) = delete;

  const TempDir& dir() const { return dir_; }
  std::filesystem::path config_path() const { return dir_ / "config.yaml"; }

  void start(const StartOptions& options);
  // Starts with basic_yaml(port, workers, extra) on a fresh free port.
  void start_basic(int workers, const std::string& extra = "");
  // Until GET /health answers 200 and `workers` workers are ready (the
  // master logs "serving with"), or the timeout.
  bool wait_ready(Millis timeout = 15s);

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  void set_port(int port) { port_ = port; }
  void signal(int sig) const;
  std::set<pid_t> workers() const { return children_of(pid_); }

  // Reaps the master if it ended within `timeout`.
  std::optional<ExitStatus> wait_exit(Millis timeout);
  bool exited() const { return status_.has_value(); }

  std::string stderr_text() const;
  std::string stdout_text() const;
  std::size_t count_in_log(const std::string& needle) const;
  // Until `needle` occurs in stderr at least `times` times.
  bool wait_for_log(const std::string& needle, Millis timeout,
                    std::size_t times = 1) const;
  // The stderr lines containing `needle`.
  std::vector<std::string> log_lines(const std::string& needle) const;
  // Sanitizer reports found in stderr ("" if none).
  std::string sanitizer_report() const;

  // Kills the group now (SIGKILL) and reaps the master.
  void kill_all();

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::optional<ExitStatus> status_;
};

// Distinct pids answering /info, by worker index, from bursts of fresh
// connections until every index in 0..n-1 has answered (or the timeout).
std::map<int, long> pids_by_index(int port, int n, Millis timeout = 10s,
                                  long min_generation = 0);

}  // namespace gale::mtest

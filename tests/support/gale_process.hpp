// One gale-test server (a master and its workers) for a test: started with
// an inline YAML config on a free port, watched, signalled and stopped.
//
// A GaleProcess writes the test's config to a private temporary directory,
// spawns the binary there in a process group of its own (spawn.hpp), with
// stdout and stderr captured to files in that directory, and waits until
// it serves. Every wait is bounded: a test never hangs on a server that
// does not start or does not stop, and nothing of the group outlives the
// object. Sanitizer reports in the server's stderr are findings:
// sanitizer_report() returns them and the GaleTest fixture fails on them.
//
// Two ways to start: start() is the end-to-end tests' way (the standard
// flags on a free port, a short drain, and a wait until ready); launch()
// runs exactly the given config and flags and returns at once (the
// process tests: config errors, socket activation, reloads).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/net.hpp"
#include "tests/support/spawn.hpp"
#include "tests/support/temp_dir.hpp"

namespace gale::test {

using namespace std::chrono_literals;

struct LaunchOptions {
  // Written to config.yaml and passed with --config, unless empty.
  std::string yaml;
  // Flags after --config.
  std::vector<std::string> args;
  // Extra environment variables (added to the test's own).
  std::vector<std::pair<std::string, std::string>> env;
  // A listening socket handed over as fd 3 (SpawnOptions::activation_fd).
  int activation_fd = -1;
};

struct ServerOptions {
  // The YAML config; start() adds `workers_policy: {graceful_timeout_s: 2}`
  // when it has no workers_policy, so that a test leaving a request in
  // flight does not make stop() wait for the default 30 s drain.
  std::string yaml;
  // Appended after the standard flags.
  std::vector<std::string> extra_args;
  // --access-log: "off", "-" (stdout) or a file path.
  std::string access_log = "off";
  std::string log_level = "debug";
  int workers = 1;
  // Whether to wait until the server is ready (wait_ready()).
  bool wait_ready = true;
  Millis ready_timeout = 15s;
};

// A YAML config listening on 127.0.0.1:port with `workers` workers and the
// access log off; `extra` is appended as more top-level keys.
std::string basic_yaml(int port, int workers, const std::string& extra = "");

class GaleProcess {
 public:
  GaleProcess();
  // Stops the server (stop(2s)) and kills whatever is left of its group.
  ~GaleProcess();
  GaleProcess(const GaleProcess&) = delete;
  GaleProcess& operator=(const GaleProcess&) = delete;

  // Starts the server on a free port with --host, --port, --workers,
  // --access-log and --log-level from `options`, and (unless told not to)
  // waits until it is ready. False (with why() set) when it exits early or
  // is never ready; it is then stopped.
  bool start(ServerOptions options = {});
  // Starts the binary with exactly this config and these flags; does not
  // wait. port() is whatever set_port() said.
  void launch(const LaunchOptions& options);
  // launch()es basic_yaml(port, workers, extra) on a fresh free port.
  void start_basic(int workers, const std::string& extra = "");
  // Until the master logged that every worker is up ("serving with", at
  // log level info or lower) and GET /health on port() answers 200. False
  // (with why() set) when the server exits first or the time runs out.
  bool wait_ready(Millis timeout = 15s);

  // SIGTERM to the master, wait up to `grace`, then SIGKILL to the group;
  // the status says timed_out then. Idempotent: later calls return the
  // first result. Whatever is left of the group is killed either way.
  ExitStatus stop(Millis grace = 5s);
  // SIGKILL to the group now; reaps the master and waits until no member
  // of the group is left.
  ExitStatus kill_all();

  // Sends `sig` to the master (not once it has been reaped).
  void signal(int sig) const;
  // Reaps the master if it ends within `timeout`.
  std::optional<ExitStatus> wait_exit(Millis timeout);
  // Whether the master is still running (reaps it if it has ended).
  bool running() { return pid_ > 0 && !wait_exit(0ms); }
  bool exited() const { return status_.has_value(); }

  pid_t pid() const { return pid_; }
  // The worker processes: the master's live children.
  std::set<pid_t> workers() const;
  int port() const { return port_; }
  void set_port(int port) { port_ = port; }
  const TempDir& dir() const { return dir_; }
  std::filesystem::path config_path() const { return dir_ / "config.yaml"; }
  const std::string& why() const { return why_; }

  // What the server wrote so far.
  std::string stderr_text() const;
  std::string stdout_text() const;
  std::size_t count_in_log(const std::string& needle) const;
  // Until `needle` occurs in stderr at least `times` times.
  bool wait_for_log(const std::string& needle, Millis timeout,
                    std::size_t times = 1) const;
  // The stderr lines containing `needle`.
  std::vector<std::string> log_lines(const std::string& needle) const;
  // The first sanitizer report in stderr, with some context; "" if none.
  std::string sanitizer_report() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::optional<ExitStatus> status_;
  std::string why_;
};

}  // namespace gale::test

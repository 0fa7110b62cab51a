// Starts the real gale-test binary for an end-to-end test, and stops it.
//
// A GaleProcess picks a free port, writes the test's inline YAML config to
// a private temporary directory, forks and execs the binary in a process
// group of its own (so the master and every worker can be signalled
// together), captures stdout and stderr to files, and waits until a
// `GET /health` on 127.0.0.1 is answered. Every wait is bounded: a test
// never hangs on a server that does not start or does not stop.
//
// stop() sends SIGTERM, waits, then SIGKILLs the whole group; the exit
// status and the captured stderr are kept for the test to inspect. Sanitizer
// reports in the server's stderr ("ERROR: AddressSanitizer", UBSan's
// "runtime error:") are findings: sanitizer_report() returns them and the
// GaleTest fixture fails the test on them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gale::itest {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// The path of the binary under test (compiled in by CMake).
const char* test_binary();

// A directory under $TMPDIR removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to `name` inside the directory; returns the full path.
  std::filesystem::path write(const std::string& name,
                              const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read
// it, close). Another process may take it before the server binds it;
// GaleProcess::start() retries with a new port when that happens.
int free_port();

// How a process ended.
struct ExitStatus {
  bool exited = false;     // it exited (code is valid)
  int code = -1;           // exit code
  int signal = 0;          // the signal that killed it, if any
  bool timed_out = false;  // it did not end in time and was SIGKILLed
  std::string describe() const;
};

struct ServerOptions {
  // The YAML config, written to config.yaml in the temporary directory and
  // passed with --config; empty means no --config flag.
  std::string yaml;
  // Appended after the standard flags.
  std::vector<std::string> extra_args;
  // --access-log: "off", "-" (stdout) or a file path.
  std::string access_log = "off";
  std::string log_level = "debug";
  int workers = 1;
  // Whether to probe GET /health until it is answered.
  bool wait_ready = true;
  Millis ready_timeout = 15s;
};

class GaleProcess {
 public:
  GaleProcess() = default;
  ~GaleProcess();
  GaleProcess(const GaleProcess&) = delete;
  GaleProcess& operator=(const GaleProcess&) = delete;

  // Starts the server and waits until it serves. False (with why() set)
  // when it exits early or never answers; it is then stopped.
  bool start(ServerOptions options = {});

  // SIGTERM, wait up to `grace`, then SIGKILL to the group. Idempotent:
  // later calls return the first result.
  ExitStatus stop(Millis grace = 5s);

  // Whether the process is still running (reaps it if it has ended).
  bool running();
  // Sends `sig` to the server process (the master, if there is one).
  void signal(int sig);
  // Waits up to `timeout` for the process to end on its own.
  std::optional<ExitStatus> wait_exit(Millis timeout);

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const TempDir& dir() const { return dir_; }
  const std::string& why() const { return why_; }
  // What the server wrote so far.
  std::string stderr_text() const;
  std::string stdout_text() const;
  // The first sanitizer report in stderr, with some context; empty if none.
  std::string sanitizer_report() const;

 private:
  bool spawn(const std::vector<std::string>& args);
  bool wait_ready(Millis timeout);
  std::optional<ExitStatus> reap(bool block);

  TempDir dir_;
  ServerOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::optional<ExitStatus> status_;
  std::string why_;
};

// Runs the binary with `args` to completion (SIGKILLed after `timeout`),
// capturing its output. For the command-line tests: the process must end
// on its own.
struct RunResult {
  ExitStatus status;
  std::string out;
  std::string err;
  Millis elapsed{0};
};
RunResult run_binary(const std::vector<std::string>& args,
                     Millis timeout = 10s);

// The sanitizer report in `text`, if any: the line of the first match and a
// few after it.
std::string find_sanitizer_report(const std::string& text);

// Whether something accepts TCP connections on 127.0.0.1:port.
bool port_accepts(int port);

}  // namespace gale::itest

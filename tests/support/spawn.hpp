// Starting the binary under test as a child process: in a process group of
// its own (so the master and every worker can be signalled together), in a
// directory of its own, with stdout and stderr captured to files. And what
// is left of a process after it ended: its exit status and any sanitizer
// report in its stderr.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gale::test {

using Millis = std::chrono::milliseconds;

// The path of the binary under test: $GALE_TEST_BINARY when set (to run the
// suites against another build), else the gale-test built beside them.
const char* test_binary();

// How a process ended.
struct ExitStatus {
  bool exited = false;     // it exited (code is valid)
  int code = -1;           // exit code
  int signal = 0;          // the signal that killed it, if any
  bool timed_out = false;  // it did not end in time and was SIGKILLed
  std::string describe() const;
};
// The ExitStatus of a waitpid() status.
ExitStatus decode_wait_status(int wait_status);

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the path
  // Added to the test's environment (which loses LISTEN_* and
  // NOTIFY_SOCKET, so no systemd setting of the test runner leaks in).
  std::vector<std::pair<std::string, std::string>> env;
  // A listening socket handed over as fd 3 with LISTEN_FDS=1 and LISTEN_PID
  // set to the exec'd process's pid (systemd socket activation).
  int activation_fd = -1;
  std::filesystem::path cwd;  // the child runs here
  std::filesystem::path out;  // stdout goes here
  std::filesystem::path err;  // stderr goes here
};
// Forks and execs; the child leads a new process group, has no core
// dumps, an empty signal mask, stdin from /dev/null and no descriptor of
// the test process. Throws when the capture files cannot be opened.
pid_t spawn(const SpawnOptions& options);

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
                     Millis timeout = std::chrono::seconds(10));

// The first sanitizer report in `text` (ASan, LSan, UBSan): the line of
// the first match and a few after it; "" if none.
std::string find_sanitizer_report(const std::string& text);

}  // namespace gale::test

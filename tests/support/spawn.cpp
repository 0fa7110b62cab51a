#include "tests/support/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "tests/support/temp_dir.hpp"

extern char** environ;

namespace gale::test {
namespace {

using Clock = std::chrono::steady_clock;

// Writes the decimal digits of `v` into `out` (no allocation: used between
// fork and exec).
void format_pid(char* out, long v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n > 0)
    *out++ = tmp[--n];
  *out = '\0';
}

std::vector<std::string> child_environment(const SpawnOptions& o) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view v(*e);
    if (v.starts_with("LISTEN_") || v.starts_with("NOTIFY_SOCKET=")) continue;
    env.emplace_back(v);
  }
  for (const auto& [k, v] : o.env)
    env.push_back(k + "=" + v);
  if (o.activation_fd >= 0) env.emplace_back("LISTEN_FDS=1");
  return env;
}

int open_capture(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + p.string());
  return fd;
}

// The child's side, between fork and exec: async-signal-safe calls only,
// since the test process may have threads.
[[noreturn]] void exec_child(const SpawnOptions& o, char* const* argv,
                             char* const* envp, char* listen_pid, int in,
                             int out, int err) {
  ::setpgid(0, 0);
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);  // /test/crash and SIGABRT
  if (::chdir(o.cwd.c_str()) != 0) ::_exit(126);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  int keep = 3;
  if (o.activation_fd >= 0) {
    if (o.activation_fd != 3) ::dup2(o.activation_fd, 3);
    ::fcntl(3, F_SETFD, 0);
    format_pid(listen_pid + std::strlen("LISTEN_PID="), ::getpid());
    keep = 4;
  }
  // No descriptor of the test process (client sockets, a listener held on
  // purpose) leaks into the server.
  ::close_range(static_cast<unsigned>(keep), ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(argv[0], argv, envp);
  const char msg[] = "exec of the test binary failed\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(127);
}

}  // namespace

const char* test_binary() {
  static const char* const path = [] {
    const char* env = std::getenv("GALE_TEST_BINARY");
    return env && *env ? env : GALE_TEST_BINARY;
  }();
  return path;
}

ExitStatus decode_wait_status(int wait_status) {
  ExitStatus s;
  if (WIFEXITED(wait_status)) {
    s.exited = true;
    s.code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    s.signal = WTERMSIG(wait_status);
  }
  return s;
}

std::string ExitStatus::describe() const {
  std::string s;
  if (exited)
    s = "exited with " + std::to_string(code);
  else if (signal)
    s = std::string("killed by signal ") + std::to_string(signal) + " (" +
        ::strsignal(signal) + ")";
  else
    s = "still running";
  if (timed_out) s += " after timing out";
  return s;
}

pid_t spawn(const SpawnOptions& o) {
  // Everything the child touches is prepared before fork().
  std::vector<std::string> args = o.argv;
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = child_environment(o);
  char listen_pid[64] = "LISTEN_PID=";
  std::vector<char*> envp;
  for (std::string& e : env)
    envp.push_back(e.data());
  if (o.activation_fd >= 0) envp.push_back(listen_pid);
  envp.push_back(nullptr);
  int out = open_capture(o.out);
  int err = open_capture(o.err);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid == 0)
    exec_child(o, argv.data(), envp.data(), listen_pid, in, out, err);
  ::close(out);
  ::close(err);
  ::close(in);
  if (pid < 0) throw std::runtime_error("fork failed");
  ::setpgid(pid, pid);  // also here: no race with the first kill()
  return pid;
}

RunResult run_binary(const std::vector<std::string>& args, Millis timeout) {
  TempDir dir("gale-run");
  SpawnOptions o;
  o.argv = {test_binary()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.cwd = dir.path();
  o.out = dir / "stdout";
  o.err = dir / "stderr";
  auto start = Clock::now();
  pid_t pid = spawn(o);
  RunResult result;
  int st = 0;
  for (;;) {
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      result.status = decode_wait_status(st);
      break;
    }
    if (Clock::now() - start > timeout) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &st, 0);
      result.status = decode_wait_status(st);
      result.status.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid, SIGKILL);  // nothing of it may outlive the run
  result.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
  result.out = read_file(o.out);
  result.err = read_file(o.err);
  return result;
}

std::string find_sanitizer_report(const std::string& text) {
  static const char* const kMarkers[] = {
      "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
      "runtime error:", "ERROR: UndefinedBehaviorSanitizer"};
  std::size_t first = std::string::npos;
  for (const char* m : kMarkers)
    first = std::min(first, text.find(m));
  if (first == std::string::npos) return {};
  std::size_t line_start = text.rfind('\n', first);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  std::size_t end = line_start;
  for (int lines = 0; lines < 25 && end != std::string::npos; ++lines)
    end = text.find('\n', end + 1);
  return text.substr(line_start, end == std::string::npos ? std::string::npos
                                                          : end - line_start);
}

}  // namespace gale::test

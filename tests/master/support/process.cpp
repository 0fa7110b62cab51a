#include "tests/master/support/process.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace gale::mtest {
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

}  // namespace

const char* test_binary() {
  return GALE_TEST_BINARY;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool port_is_free(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::listen(fd, 1) == 0;
  ::close(fd);
  return ok;
}

bool wait_until(const std::function<bool()>& done, Millis timeout,
                Millis every) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

// ---- /proc

std::optional<ProcStat> read_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name may hold spaces and parentheses: fields start after
  // the last ')'.
  std::size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  ProcStat s;
  s.pid = pid;
  std::string skip;
  rest >> s.state >> s.ppid >> s.pgrp;
  for (int i = 0; i < 8; ++i)
    rest >> skip;  // session .. cmajflt
  rest >> s.utime >> s.stime;
  if (!rest) return std::nullopt;
  return s;
}

bool is_alive(pid_t pid) {
  auto s = read_stat(pid);
  return s && s->state != 'Z' && s->state != 'X';
}

namespace {
template <class Pred>
std::set<pid_t> scan(Pred pred) {
  std::set<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (!end || *end != '\0' || pid <= 0) continue;
    auto s = read_stat(static_cast<pid_t>(pid));
    if (s && s->state != 'Z' && s->state != 'X' && pred(*s)) out.insert(s->pid);
  }
  ::closedir(d);
  return out;
}
}  // namespace

std::set<pid_t> children_of(pid_t pid) {
  return scan([pid](const ProcStat& s) { return s.ppid == pid; });
}

std::set<pid_t> group_members(pid_t pgrp) {
  return scan([pgrp](const ProcStat& s) { return s.pgrp == pgrp; });
}

double cpu_seconds(pid_t pid) {
  auto s = read_stat(pid);
  if (!s) return -1;
  return static_cast<double>(s->utime + s->stime) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string ExitStatus::describe() const {
  if (exited) return "exited with " + std::to_string(code);
  if (signal) return std::string("killed by ") + strsignal(signal);
  return "still running";
}

std::string basic_yaml(int port, int workers, const std::string& extra) {
  std::string y =
      "listen:\n  - host: 127.0.0.1\n    port: " + std::to_string(port) +
      "\nworkers: " + std::to_string(workers) +
      "\nlog:\n  access_log: \"off\"\n";
  return y + extra;
}

// ---- GaleServer

GaleServer::GaleServer() = default;

GaleServer::~GaleServer() {
  kill_all();
}

void GaleServer::start(const StartOptions& options) {
  std::vector<std::string> args{test_binary()};
  if (!options.yaml.empty()) {
    dir_.write("config.yaml", options.yaml);
    args.push_back("--config");
    args.push_back(config_path().string());
  }
  args.insert(args.end(), options.args.begin(), options.args.end());

  // Everything the child needs is built before fork: the test process has
  // threads, so the child may only make async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string_view v(*e);
    if (v.starts_with("LISTEN_") || v.starts_with("NOTIFY_SOCKET=")) continue;
    env_strings.emplace_back(v);
  }
  for (const auto& [k, v] : options.env)
    env_strings.push_back(k + "=" + v);
  char listen_pid[64] = "LISTEN_PID=";
  std::string listen_fds = "LISTEN_FDS=1";
  std::vector<char*> envp;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  if (options.activation_fd >= 0) {
    envp.push_back(listen_fds.data());
    envp.push_back(listen_pid);
  }
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string out_path = (dir_ / "stdout.log").string();
  std::string err_path = (dir_ / "stderr.log").string();
  int out_fd =
      ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd =
      ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot open logs");

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::setpgid(0, 0);
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // /test/crash and SIGABRT
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (options.activation_fd >= 0) {
      if (options.activation_fd != 3) {
        ::dup2(options.activation_fd, 3);
      } else {
        int flags = ::fcntl(3, F_GETFD);
        ::fcntl(3, F_SETFD, flags & ~FD_CLOEXEC);
      }
      format_pid(listen_pid + std::strlen("LISTEN_PID="), ::getpid());
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: no race with the first signal
  ::close(out_fd);
  ::close(err_fd);
  pid_ = pid;
  status_.reset();
}

void GaleServer::start_basic(int workers, const std::string& extra) {
  port_ = free_port();
  start({.yaml = basic_yaml(port_, workers, extra)});
}

bool GaleServer::wait_ready(Millis timeout) {
  return wait_until(
             [&] {
               if (const_cast<GaleServer*>(this)->wait_exit(0ms)) return true;
               if (count_in_log("master: serving with") == 0) return false;
               Response r = http_get(port_, "/health", 1s);
               return r.ok() && r.status == 200;
             },
             timeout, 20ms) &&
         !exited();
}

void GaleServer::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<ExitStatus> GaleServer::wait_exit(Millis timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      ExitStatus e;
      e.exited = WIFEXITED(st);
      e.code = e.exited ? WEXITSTATUS(st) : -1;
      e.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
      status_ = e;
      return status_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

std::string GaleServer::stderr_text() const {
  return read_file(dir_ / "stderr.log");
}

std::string GaleServer::stdout_text() const {
  return read_file(dir_ / "stdout.log");
}

std::size_t GaleServer::count_in_log(const std::string& needle) const {
  std::string text = stderr_text();
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

bool GaleServer::wait_for_log(const std::string& needle, Millis timeout,
                              std::size_t times) const {
  return wait_until([&] { return count_in_log(needle) >= times; }, timeout,
                    20ms);
}

std::vector<std::string> GaleServer::log_lines(
    const std::string& needle) const {
  std::istringstream in(stderr_text());
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) out.push_back(line);
  return out;
}

std::string GaleServer::sanitizer_report() const {
  std::string text = stderr_text();
  for (const char* marker :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
    std::size_t at = text.find(marker);
    if (at != std::string::npos) return text.substr(at, 2000);
  }
  return {};
}

void GaleServer::kill_all() {
  if (pid_ <= 0) return;
  // Once the master is reaped its pid may be reused: signal the group only
  // while it still has members (orphaned workers keep the master's pgid).
  if (!status_ || !group_members(pid_).empty()) ::kill(-pid_, SIGKILL);
  for (pid_t p : group_members(pid_))
    ::kill(p, SIGKILL);
  wait_exit(5s);
  wait_until([&] { return group_members(pid_).empty(); }, 5s);
}

std::map<int, long> pids_by_index(int port, int n, Millis timeout,
                                  long min_generation) {
  std::map<int, long> seen;
  wait_until(
      [&] {
        for (const Info& i : info_burst(port, 2 * n + 4, 2s))
          if (i.generation >= min_generation) seen[i.worker] = i.pid;
        for (int k = 0; k < n; ++k)
          if (!seen.count(k)) return false;
        return true;
      },
      timeout, 20ms);
  return seen;
}

}  // namespace gale::mtest

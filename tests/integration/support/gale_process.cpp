#include "tests/integration/support/gale_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/integration/support/http_client.hpp"

namespace gale::itest {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ExitStatus decode(int wait_status) {
  ExitStatus s;
  if (WIFEXITED(wait_status)) {
    s.exited = true;
    s.code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    s.signal = WTERMSIG(wait_status);
  }
  return s;
}

// fork + exec with stdout/stderr to files, in a process group of its own.
// Everything the child touches is prepared before fork(): the test process
// may have threads, so the child only makes async-signal-safe calls.
// The child runs in `cwd`, so nothing in the test's own working directory
// (a ./public folder, say) changes what the server does.
pid_t spawn_process(const std::vector<std::string>& args, const fs::path& cwd,
                    const fs::path& out_path, const fs::path& err_path) {
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int out =
      ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err =
      ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || err < 0 || in < 0)
    throw std::runtime_error("cannot open capture files in " +
                             out_path.parent_path().string());
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // No descriptor of the test process (client sockets, a listener held
    // on purpose) leaks into the server.
    ::close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    const char msg[] = "exec of the test binary failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  ::close(in);
  if (pid < 0) throw std::runtime_error("fork failed");
  ::setpgid(pid, pid);  // also here: no race with the first kill()
  return pid;
}

}  // namespace

const char* test_binary() {
  // GALE_TEST_BINARY in the environment runs the suite against another
  // build of gale-test (a release build, a patched one).
  static const char* const path = [] {
    const char* env = std::getenv("GALE_TEST_BINARY");
    return env && *env ? env : GALE_TEST_BINARY;
  }();
  return path;
}

// ---- TempDir ----------------------------------------------------------------

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      std::string(base && *base ? base : "/tmp") + "/gale-itest-XXXXXX";
  if (!::mkdtemp(templ.data()))
    throw std::runtime_error("mkdtemp failed: " +
                             std::string(std::strerror(errno)));
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& name,
                        const std::string& text) const {
  fs::path p = path_ / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  return p;
}

// ---- ports ------------------------------------------------------------------

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind port 0");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

bool port_accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// ---- exit status
// --------------------------------------------------------------

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

// ---- GaleProcess ------------------------------------------------------------

GaleProcess::~GaleProcess() {
  stop(2s);
}

bool GaleProcess::start(ServerOptions options) {
  options_ = std::move(options);
  std::string yaml = options_.yaml;
  // A test that leaves a request in flight must not make stop() wait for
  // the default 30 s drain.
  if (yaml.find("workers_policy") == std::string::npos) {
    if (!yaml.empty() && yaml.back() != '\n') yaml += '\n';
    yaml += "workers_policy:\n  graceful_timeout_s: 2\n";
  }
  fs::path config = dir_.write("config.yaml", yaml);
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    std::vector<std::string> args = {test_binary(),
                                     "--config",
                                     config.string(),
                                     "--host",
                                     "127.0.0.1",
                                     "--port",
                                     std::to_string(port_),
                                     "--workers",
                                     std::to_string(options_.workers),
                                     "--access-log",
                                     options_.access_log,
                                     "--log-level",
                                     options_.log_level};
    args.insert(args.end(), options_.extra_args.begin(),
                options_.extra_args.end());
    status_.reset();
    pid_ = spawn_process(args, dir_.path(), dir_.path() / "stdout",
                         dir_.path() / "stderr");
    if (!options_.wait_ready) return true;
    if (wait_ready(options_.ready_timeout)) return true;
    // Someone took the port between free_port() and the bind: try another.
    bool port_taken = status_ && status_->exited && status_->code == 1 &&
                      stderr_text().find("in use") != std::string::npos;
    if (!port_taken) break;
  }
  return false;
}

bool GaleProcess::wait_ready(Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto s = reap(false)) {
      why_ = "the server " + s->describe() + " before serving; stderr:\n" +
             stderr_text();
      return false;
    }
    if (port_accepts(port_)) {
      HttpClient c;
      if (c.connect(port_, 2s) &&
          c.send("GET /health HTTP/1.1\r\nHost: ready\r\n"
                 "Connection: close\r\n\r\n")) {
        auto r = c.read_response(3s);
        if (r && r->status == 200) return true;
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  why_ = "the server did not answer GET /health within " +
         std::to_string(timeout.count()) + " ms; stderr:\n" + stderr_text();
  stop(1s);
  return false;
}

std::optional<ExitStatus> GaleProcess::reap(bool block) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = decode(st);
    // Whatever it left behind in its group (workers) goes too.
    ::kill(-pid_, SIGKILL);
  }
  return status_;
}

bool GaleProcess::running() {
  return pid_ > 0 && !reap(false);
}

void GaleProcess::signal(int sig) {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::optional<ExitStatus> GaleProcess::wait_exit(Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (!reap(false) && Clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  return status_;
}

ExitStatus GaleProcess::stop(Millis grace) {
  if (pid_ <= 0) return ExitStatus{};
  if (status_) return *status_;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (reap(false)) return *status_;
    std::this_thread::sleep_for(5ms);
  }
  ::kill(-pid_, SIGKILL);
  reap(true);
  status_->timed_out = true;
  return *status_;
}

std::string GaleProcess::stderr_text() const {
  return read_file(dir_.path() / "stderr");
}

std::string GaleProcess::stdout_text() const {
  return read_file(dir_.path() / "stdout");
}

std::string GaleProcess::sanitizer_report() const {
  return find_sanitizer_report(stderr_text());
}

// ---- one-shot runs ----------------------------------------------------------

RunResult run_binary(const std::vector<std::string>& args, Millis timeout) {
  TempDir dir;
  std::vector<std::string> full = {test_binary()};
  full.insert(full.end(), args.begin(), args.end());
  auto start = Clock::now();
  pid_t pid = spawn_process(full, dir.path(), dir.path() / "stdout",
                            dir.path() / "stderr");
  RunResult result;
  int st = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      result.status = decode(st);
      break;
    }
    if (Clock::now() - start > timeout) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &st, 0);
      result.status = decode(st);
      result.status.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  ::kill(-pid, SIGKILL);  // nothing of it may outlive the run
  result.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
  result.out = read_file(dir.path() / "stdout");
  result.err = read_file(dir.path() / "stderr");
  return result;
}

}  // namespace gale::itest

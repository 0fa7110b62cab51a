#include "tests/support/gale_process.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <sstream>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/net.hpp"
#include "tests/support/proc_stat.hpp"
#include "tests/support/wait.hpp"

namespace gale::test {
namespace {

using Clock = std::chrono::steady_clock;

// What the master logs once every worker is up (master/master.cpp).
constexpr const char* kServing = "master: serving with";

std::string with_short_drain(std::string yaml) {
  if (yaml.find("workers_policy") == std::string::npos) {
    if (!yaml.empty() && yaml.back() != '\n') yaml += '\n';
    yaml += "workers_policy:\n  graceful_timeout_s: 2\n";
  }
  return yaml;
}

}  // namespace

std::string basic_yaml(int port, int workers, const std::string& extra) {
  std::string y =
      "listen:\n  - host: 127.0.0.1\n    port: " + std::to_string(port) +
      "\nworkers: " + std::to_string(workers) +
      "\nlog:\n  access_log: \"off\"\n";
  return y + extra;
}

GaleProcess::GaleProcess() : dir_("gale-server") {}

GaleProcess::~GaleProcess() {
  stop(2s);
}

// ---- starting ---------------------------------------------------------------

void GaleProcess::launch(const LaunchOptions& options) {
  SpawnOptions o;
  o.argv = {test_binary()};
  if (!options.yaml.empty()) {
    dir_.write("config.yaml", options.yaml);
    o.argv.push_back("--config");
    o.argv.push_back(config_path().string());
  }
  o.argv.insert(o.argv.end(), options.args.begin(), options.args.end());
  o.env = options.env;
  o.activation_fd = options.activation_fd;
  o.cwd = dir_.path();
  o.out = dir_ / "stdout";
  o.err = dir_ / "stderr";
  status_.reset();
  why_.clear();
  pid_ = spawn(o);
}

bool GaleProcess::start(ServerOptions options) {
  LaunchOptions l;
  l.yaml = with_short_drain(options.yaml);
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    l.args = {"--host",       "127.0.0.1",
              "--port",       std::to_string(port_),
              "--workers",    std::to_string(options.workers),
              "--access-log", options.access_log,
              "--log-level",  options.log_level};
    l.args.insert(l.args.end(), options.extra_args.begin(),
                  options.extra_args.end());
    launch(l);
    if (!options.wait_ready) return true;
    if (wait_ready(options.ready_timeout)) return true;
    // Someone took the port between free_port() and the bind: try another.
    bool port_taken = status_ && status_->exited && status_->code == 1 &&
                      stderr_text().find("in use") != std::string::npos;
    if (!port_taken) break;
  }
  stop(1s);
  return false;
}

void GaleProcess::start_basic(int workers, const std::string& extra) {
  port_ = free_port();
  LaunchOptions o;
  o.yaml = basic_yaml(port_, workers, extra);
  launch(o);
}

bool GaleProcess::wait_ready(Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto s = wait_exit(0ms)) {
      why_ = "the server " + s->describe() + " before serving; stderr:\n" +
             stderr_text();
      return false;
    }
    if (count_in_log(kServing) > 0) {
      Reply r = http_get(port_, "/health", 2s);
      if (r.ok() && r.status == 200) return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  why_ = "the server was not ready (\"" + std::string(kServing) +
         "\" logged and GET /health answered) within " +
         std::to_string(timeout.count()) + " ms; stderr:\n" + stderr_text();
  return false;
}

// ---- stopping ---------------------------------------------------------------

std::optional<ExitStatus> GaleProcess::wait_exit(Millis timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = decode_wait_status(st);
      return status_;
    }
    if (r < 0 && errno == EINTR) continue;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

ExitStatus GaleProcess::stop(Millis grace) {
  if (pid_ <= 0) return ExitStatus{};
  bool timed_out = false;
  if (!status_) {
    ::kill(pid_, SIGTERM);
    timed_out = !wait_exit(grace);
  }
  kill_all();
  if (timed_out && status_) status_->timed_out = true;
  return status_.value_or(ExitStatus{});
}

ExitStatus GaleProcess::kill_all() {
  if (pid_ <= 0) return ExitStatus{};
  // Once the master is reaped its pid may be reused: signal the group only
  // while it still has members (orphaned workers keep the master's pgid).
  if (!status_ || !group_members(pid_).empty()) ::kill(-pid_, SIGKILL);
  for (pid_t p : group_members(pid_))
    ::kill(p, SIGKILL);
  wait_exit(5s);
  wait_until([&] { return group_members(pid_).empty(); }, 5s);
  return status_.value_or(ExitStatus{});
}

void GaleProcess::signal(int sig) const {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::set<pid_t> GaleProcess::workers() const {
  return children_of(pid_);
}

// ---- output -----------------------------------------------------------------

std::string GaleProcess::stderr_text() const {
  return read_file(dir_ / "stderr");
}

std::string GaleProcess::stdout_text() const {
  return read_file(dir_ / "stdout");
}

std::size_t GaleProcess::count_in_log(const std::string& needle) const {
  std::string text = stderr_text();
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

bool GaleProcess::wait_for_log(const std::string& needle, Millis timeout,
                               std::size_t times) const {
  return wait_until([&] { return count_in_log(needle) >= times; }, timeout,
                    20ms);
}

std::vector<std::string> GaleProcess::log_lines(
    const std::string& needle) const {
  std::istringstream in(stderr_text());
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) out.push_back(line);
  return out;
}

std::string GaleProcess::sanitizer_report() const {
  return find_sanitizer_report(stderr_text());
}

}  // namespace gale::test

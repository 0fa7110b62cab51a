#include "master/run.hpp"

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "config/load_config.hpp"
#include "master/listen_sockets.hpp"
#include "server/log.hpp"
#include "worker/worker.hpp"

namespace gale {
namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

// Thousands of standing connections need thousands of descriptors: take
// the hard limit, as nginx's worker_rlimit_nofile would.
void raise_fd_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

int serve(const Config& config, Application& app) {
  log::set_level(config.log.level);
  raise_fd_limit();
  std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an error code
  std::vector<std::string> errors;
  std::vector<ListenSocket> sockets = bind_all(config, errors);
  if (!errors.empty()) {
    for (const auto& e : errors)
      std::cerr << "gale: " << e << "\n";
    return kExitRuntime;
  }
  WorkerOptions options;
  for (ListenSocket& s : sockets) {
    log::info("listening on ", describe(s.address));
    options.listen_fds.push_back(s.fd.release());
  }
  try {
    Worker worker(config, app, std::move(options));
    return worker.run();
  } catch (const std::exception& e) {
    std::cerr << "gale: " << e.what() << "\n";
    return kExitRuntime;
  }
}

// Returns the exit status when the command line says not to serve.
std::optional<int> handle_cli(const LoadOutcome& outcome) {
  for (const auto& w : outcome.warnings)
    log::warning(w);
  if (outcome.action == CliAction::print_help) {
    std::cout << outcome.help_text;
    return 0;
  }
  if (outcome.action == CliAction::print_version) {
    std::cout << "gale 0.1.0\n";
    return 0;
  }
  if (!outcome.errors.empty()) {
    for (const auto& e : outcome.errors)
      std::cerr << "gale: " << e << "\n";
    return kExitUsage;
  }
  if (outcome.action == CliAction::check_config) {
    std::cout << dump_yaml(outcome.config);
    return 0;
  }
  return std::nullopt;
}

LoadOutcome load(int argc, char** argv) {
  log::set_process_tag("gale");
  return load_config(std::vector<std::string>(argv + 1, argv + argc));
}

}  // namespace

int run(Application& app, int argc, char** argv) {
  LoadOutcome outcome = load(argc, argv);
  if (auto status = handle_cli(outcome)) return *status;
  return serve(outcome.config, app);
}

int run(const std::function<Application(const Config&)>& make_app, int argc,
        char** argv) {
  LoadOutcome outcome = load(argc, argv);
  if (auto status = handle_cli(outcome)) return *status;
  try {
    Application app = make_app(outcome.config);
    return serve(outcome.config, app);
  } catch (const std::exception& e) {
    std::cerr << "gale: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace gale

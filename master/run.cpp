#include "master/run.hpp"

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "config/load_config.hpp"
#include "master/listen_sockets.hpp"
#include "master/master.hpp"
#include "master/pidfile.hpp"
#include "master/socket_activation.hpp"
#include "server/core/log.hpp"
#include "server/websocket/handshake.hpp"

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

int serve(const std::vector<std::string>& args, const AppKeys& app_keys,
          const Config& config,
          std::function<Application(const Config&)> make_app) {
  log::set_level(config.log.level);
  raise_fd_limit();
  std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an error code
  MasterOptions options;
  options.args = args;
  options.app_keys = app_keys;
  options.make_app = std::move(make_app);
  options.config = config;
  std::vector<FileDescriptor> activated = take_activated_sockets();
  if (!activated.empty()) {
    options.socket_activated = true;
    for (std::size_t i = 0; i < activated.size(); ++i)
      options.listeners["systemd:" + std::to_string(i)] =
          std::make_shared<FileDescriptor>(std::move(activated[i]));
    log::info("using ", activated.size(),
              " listening sockets from systemd (LISTEN_FDS); listen: ignored");
  } else {
    std::vector<std::string> errors;
    std::vector<ListenSocket> sockets = bind_all(config, errors);
    if (!errors.empty()) {
      for (const auto& e : errors)
        std::cerr << "gale: " << e << "\n";
      return kExitRuntime;
    }
    for (ListenSocket& s : sockets) {
      log::info("listening on ", describe(s.address),
                config.reuse_port ? " (SO_REUSEPORT per worker)" : "");
      std::string key =
          describe(s.address) + (config.reuse_port ? " reuseport" : "");
      options.listeners[key] =
          std::make_shared<FileDescriptor>(std::move(s.fd));
    }
  }
  // One WebSocket accept key now, before any worker forks: libcrypto's
  // SHA-1 and base64 pages are then touched once and shared by every
  // worker, instead of each worker paying ~1 MiB at its first handshake.
  (void)websocket::accept_key("dGhlIHNhbXBsZSBub25jZQ==");
  try {
    std::optional<PidFile> pidfile;
    if (!config.pidfile.empty()) pidfile.emplace(config.pidfile);
    Master master(std::move(options));
    return master.run();
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

std::vector<std::string> arguments(int argc, char** argv) {
  return std::vector<std::string>(argv + 1, argv + argc);
}

}  // namespace

int run(Application& app, int argc, char** argv, const AppKeys& app_keys) {
  return run([&app](const Config&) { return app; }, argc, argv, app_keys);
}

int run(const std::function<Application(const Config&)>& make_app, int argc,
        char** argv, const AppKeys& app_keys) {
  log::set_process_tag("master");
  std::vector<std::string> args = arguments(argc, argv);
  LoadOutcome outcome = load_config(args, app_keys);
  if (auto status = handle_cli(outcome)) return *status;
  // Every generation's application gets its configuration's app values:
  // the master builds it before forking, so each worker inherits them.
  auto make_app_with_values = [make_app](const Config& config) {
    Application app = make_app(config);
    for (const auto& [name, value] : config.app)
      app.settings().app.set(name, value);
    return app;
  };
  try {
    make_app_with_values(outcome.config);  // fail before binding anything
  } catch (const std::exception& e) {
    std::cerr << "gale: " << e.what() << "\n";
    return kExitUsage;
  }
  return serve(args, app_keys, outcome.config, make_app_with_values);
}

}  // namespace gale

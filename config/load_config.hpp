// Turning command-line flags and the YAML file into one validated Config.
//
// Precedence is defaults < YAML file < flags (SPEC §1). Every problem is
// collected, not just the first: the caller prints `errors` one per line and
// exits 2. Each message names where the bad value came from:
//   gale.yaml:7:3: limits.max_body_bytes: expected an integer, got "lots"
//   --port 70000: must be 1..65535
#pragma once

#include <string>
#include <vector>

#include "config/app_keys.hpp"
#include "config/config.hpp"

namespace gale {

enum class CliAction {
  serve,          // run the server
  check_config,   // --check-config: print the effective config, exit 0 or 2
  print_version,  // --version
  print_help,     // --help
};

struct LoadOutcome {
  CliAction action = CliAction::serve;
  Config config;                      // meaningful only when errors is empty
  std::vector<std::string> errors;    // one line each, with their origin
  std::vector<std::string> warnings;  // e.g. "./public missing: static off"
  std::string help_text;              // filled for print_help
};

// `args` excludes argv[0]. Relative paths in the YAML file (static.root, the
// access log) resolve against the file's directory; those given as flags
// resolve against the current directory. Never throws on bad input.
// `app_keys` are the application's own keys: `app:` in the file, --app-*
// flags, config.app in the outcome.
LoadOutcome load_config(const std::vector<std::string>& args,
                        const AppKeys& app_keys = AppKeys::none());

// The effective configuration as YAML that load_config() accepts back.
std::string dump_yaml(const Config& config);

// CPUs this process may really run on: the affinity mask, further capped by
// a cgroup v2 `cpu.max` quota when there is one. Never less than 1.
unsigned usable_cpu_count();

}  // namespace gale

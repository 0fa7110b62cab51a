// The command line (SPEC §1), read with Boost.Program_options.
//
// Every problem is collected as one line naming the flag and its value:
//   --port 70000: must be 1..65535
//   --wokers: unknown flag (did you mean --workers?)
// Program_options never gets to print or throw past us: its one kind of
// exception we cannot avoid (a malformed flag such as `--help=1` or a
// trailing `--port`) becomes one line, and then reading stops there.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/app_keys.hpp"
#include "config/config.hpp"
#include "config/origins.hpp"

namespace gale {

// What the flags said; nullopt = not given. Paths are already absolute
// (flags are relative to the current directory).
struct FlagValues {
  bool help = false;
  bool version = false;
  bool check_config = false;
  std::optional<std::string> config_file;  // as typed: messages quote it
  std::optional<std::string> host;
  std::optional<std::uint16_t> port;
  std::optional<unsigned> workers;
  std::optional<std::string> static_root;  // "" = route off
  std::optional<LogLevel> log_level;
  std::optional<std::string> access_log;  // absolute, "-" or "off"
  std::optional<std::string> pidfile;
  Origins origins;  // "--static-root www", for checks after merging
  // The application's --app-* flags, by key name ("app.page_size"), typed
  // and checked; a list key's items in the order given.
  std::map<std::string, AppValue, std::less<>> app;  // AppFlagValues
};

// `args` excludes argv[0]; `app_keys` adds the application's flags.
FlagValues parse_flags(const std::vector<std::string>& args,
                       std::vector<std::string>& errors,
                       const AppKeys& app_keys = AppKeys::none());

// The --help text: usage line and one line per flag, the application's
// own in a group of their own.
std::string flags_help(const AppKeys& app_keys = AppKeys::none());

// Lays the flags over `config` (defaults + YAML): a given flag wins over the
// same key. --host/--port replace the whole listen list (see the .cpp).
void apply_flags(const FlagValues& flags, Config& config, Origins& origins);

}  // namespace gale

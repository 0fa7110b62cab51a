// load_config(): defaults < YAML file < flags, then one validation pass.
#include "config/load_config.hpp"

#include <exception>

#include "config/flags.hpp"
#include "config/origins.hpp"
#include "config/paths.hpp"
#include "config/resolve.hpp"
#include "config/yaml_file.hpp"

namespace gale {
namespace {

// A default its own validators refuse is the application's bug; said
// once, at start, rather than never.
void check_defaults(const AppKeys& app_keys, std::vector<std::string>& errors) {
  for (const AppKey& key : app_keys.keys()) {
    if (std::string why = key.problem(key.default_value()); !why.empty())
      errors.push_back(key.name() + ": the application's default " + why);
  }
}

void load(const std::vector<std::string>& args, const AppKeys& app_keys,
          LoadOutcome& out) {
  // also handy to print after a usage error
  out.help_text = flags_help(app_keys);
  const FlagValues flags = parse_flags(args, out.errors, app_keys);
  // --help and --version answer even a command line with mistakes in it,
  // the way most tools do: the user is asking how to fix them.
  if (flags.help || flags.version) {
    out.action = flags.help ? CliAction::print_help : CliAction::print_version;
    out.errors.clear();
    return;
  }
  if (flags.check_config) out.action = CliAction::check_config;

  Config config;
  config.workers = 0;  // SPEC §1: one per CPU unless told otherwise
  config.app = app_keys.defaults();
  check_defaults(app_keys, out.errors);
  Origins origins;
  if (flags.config_file) {
    const YamlSource source{*flags.config_file,
                            absolute_path(*flags.config_file, current_dir())};
    read_yaml_file(source, config, origins, out.errors, app_keys);
  }
  apply_flags(flags, config, origins);
  resolve_and_check(config, origins, out.errors, out.warnings);
  out.config = std::move(config);
}

}  // namespace

LoadOutcome load_config(const std::vector<std::string>& args,
                        const AppKeys& app_keys) {
  LoadOutcome out;
  // Nothing below should throw on bad input; this is the backstop that
  // keeps a bug (or bad_alloc) a message rather than a crash at startup.
  try {
    load(args, app_keys, out);
  } catch (const std::exception& e) {
    out.errors.push_back(std::string("internal error loading the config: ") +
                         e.what());
  } catch (...) {
    out.errors.push_back("internal error loading the config");
  }
  return out;
}

}  // namespace gale

#include "config/flags.hpp"

#include <boost/program_options.hpp>

#include <array>
#include <charconv>
#include <set>
#include <sstream>
#include <string_view>
#include <variant>

#include "config/app_flags.hpp"
#include "config/did_you_mean.hpp"
#include "config/paths.hpp"
#include "config/rules.hpp"

namespace gale {
namespace {

namespace po = boost::program_options;

// unix_style minus allow_guessing: `--work 2` must not quietly mean
// `--workers 2`; an abbreviation would also break the day a flag is added.
constexpr int kStyle = po::command_line_style::unix_style &
                       ~po::command_line_style::allow_guessing;

po::options_description describe_flags(const AppKeys& app_keys);

po::options_description describe_gale_flags() {
  po::options_description flags("Options");
  auto text = [] { return po::value<std::string>(); };
  flags.add_options()  //
      ("config", text()->value_name("FILE"),
       "YAML config file (its keys override the defaults; flags override "
       "its keys)")  //
      ("host", text()->value_name("ADDR"),
       "listen on ADDR only (default 0.0.0.0); replaces the file's listen "
       "list")  //
      ("port", text()->value_name("N"),
       "listen on port N only (default 8888); replaces the file's listen "
       "list")  //
      ("workers", text()->value_name("N"),
       "worker processes; 0 = one per usable CPU (the default)")  //
      ("static-root", text()->value_name("DIR"),
       "serve /static/ from DIR (default ./public when it exists; \"\" = "
       "off)")  //
      ("log-level", text()->value_name("LEVEL"),
       "debug|info|warning|error (default info)")  //
      ("access-log", text()->value_name("PATH|-|off"),
       "access log file, - for stdout (the default), off for none")  //
      ("pidfile", text()->value_name("FILE"),
       "write the master's pid to FILE")  //
      ("check-config",
       "validate flags and file, print the effective config as YAML and "
       "exit 0, or print every error and exit 2")  //
      ("version", "print the version and exit")    //
      ("help", "print this help and exit");
  return flags;
}

// gale's flags, then the application's --app-* group.
po::options_description describe_flags(const AppKeys& app_keys) {
  po::options_description all = describe_gale_flags();
  if (!app_keys.empty()) all.add(describe_app_flags(app_keys));
  return all;
}

// --- one setter per value flag ----------------------------------------------
// Each stores the checked value and returns the problem ("" when fine).

using Setter = std::string (*)(FlagValues&, std::string_view value,
                               const std::string& origin);

std::string set_config(FlagValues& f, std::string_view v, const std::string&) {
  if (v.empty()) return "must not be empty";
  f.config_file = std::string(v);
  return {};
}

std::string set_host(FlagValues& f, std::string_view v, const std::string&) {
  auto host = check_host(v);
  if (!host.value) return host.problem;
  f.host = std::move(*host.value);
  return {};
}

std::string set_port(FlagValues& f, std::string_view v, const std::string&) {
  const auto port = check_integer(v, kPortRange);
  if (!port.value) return port.problem;
  f.port = static_cast<std::uint16_t>(*port.value);
  return {};
}

std::string set_workers(FlagValues& f, std::string_view v, const std::string&) {
  const auto workers = check_integer(v, kWorkersRange);
  if (!workers.value) return workers.problem;
  f.workers = static_cast<unsigned>(*workers.value);
  return {};
}

std::string set_static_root(FlagValues& f, std::string_view v,
                            const std::string& origin) {
  f.static_root = v.empty() ? "" : absolute_path(v, current_dir());
  f.origins.static_root = origin;
  return {};
}

std::string set_log_level(FlagValues& f, std::string_view v,
                          const std::string&) {
  const auto level = check_log_level(v);
  if (!level.value) return level.problem;
  f.log_level = *level.value;
  return {};
}

std::string set_access_log(FlagValues& f, std::string_view v,
                           const std::string& origin) {
  const auto setting = check_access_log(v);
  if (!setting.value) return setting.problem;
  f.access_log =
      access_log_is_path(v) ? absolute_path(v, current_dir()) : std::string(v);
  f.origins.access_log = origin;
  return {};
}

std::string set_pidfile(FlagValues& f, std::string_view v,
                        const std::string& origin) {
  if (v.empty()) return "must not be empty";
  f.pidfile = absolute_path(v, current_dir());
  f.origins.pidfile = origin;
  return {};
}

struct ValueFlag {
  std::string_view name;
  Setter set;
};

constexpr std::array<ValueFlag, 8> kValueFlags = {{
    {"config", set_config},
    {"host", set_host},
    {"port", set_port},
    {"workers", set_workers},
    {"static-root", set_static_root},
    {"log-level", set_log_level},
    {"access-log", set_access_log},
    {"pidfile", set_pidfile},
}};

constexpr std::array<std::string_view, 11> kAllFlags = {
    "config",       "host",      "port",       "workers",
    "static-root",  "log-level", "access-log", "pidfile",
    "check-config", "version",   "help"};

// "--port 70000", quoting a value that would otherwise be invisible.
std::string origin_of(std::string_view flag, std::string_view value) {
  const bool plain =
      !value.empty() && value.find_first_of(" \t\"") == std::string_view::npos;
  return "--" + std::string(flag) + " " +
         (plain ? std::string(value) : in_quotes(value));
}

// Program_options' syntax errors, in our words.
std::string syntax_problem(const po::error& e) {
  const auto* with_name = dynamic_cast<const po::error_with_option_name*>(&e);
  const auto* syntax = dynamic_cast<const po::invalid_syntax*>(&e);
  if (with_name == nullptr || syntax == nullptr) return e.what();
  const std::string name = with_name->get_option_name();
  switch (syntax->kind()) {
    case po::invalid_syntax::missing_parameter:
      return name + ": expects a value";
    case po::invalid_syntax::extra_parameter:
      return name + ": takes no value";
    case po::invalid_syntax::empty_adjacent_parameter:
      return name + "=: expects a value after '='";
    default:
      return e.what();
  }
}

// Reads the options Program_options split out of the command line.
class FlagReader {
 public:
  FlagReader(FlagValues& flags, std::vector<std::string>& errors,
             const AppKeys& app_keys)
      : flags_(flags), errors_(errors), app_keys_(app_keys) {}

  void read(const po::option& option) {
    const bool was_unknown = previous_unknown_wants_value_;
    previous_unknown_wants_value_ = false;
    if (option.position_key != -1) return read_positional(option, was_unknown);
    if (option.unregistered) return read_unknown(option);
    if (const AppKey* key = app_keys_.find_flag(option.string_key))
      return read_app(*key, option);
    if (!seen_.insert(option.string_key).second) {
      errors_.push_back("--" + option.string_key + ": given more than once");
      return;
    }
    read_known(option);
  }

 private:
  // The word after an unknown flag is most likely that flag's value
  // (`--wokers 4`); one "unknown flag" line says it all.
  void read_positional(const po::option& option, bool after_unknown) {
    if (after_unknown) return;
    const std::string word = option.value.empty() ? "" : option.value[0];
    errors_.push_back(in_quotes(word) +
                      ": unexpected argument (gale takes only flags; see "
                      "--help)");
  }

  void read_unknown(const po::option& option) {
    const std::string& token = option.original_tokens.front();
    const std::string name = token.substr(0, token.find('='));
    std::string line = name + ": unknown flag";
    const std::size_t dashes = name.find_first_not_of('-');
    const std::string bare =
        dashes == std::string::npos ? "" : name.substr(dashes);
    std::vector<std::string_view> known(kAllFlags.begin(), kAllFlags.end());
    for (const AppKey& key : app_keys_.keys())
      known.push_back(key.flag());
    if (auto near = closest_match(bare, known)) {
      line += " (did you mean --" + *near + "?)";
    }
    errors_.push_back(line);
    // Program_options reads "-port" as "-p" with the value "ort"; the user
    // still meant a flag followed by its value, as the token has no '='.
    previous_unknown_wants_value_ = token.find('=') == std::string::npos;
  }

  void read_known(const po::option& option) {
    const std::string& name = option.string_key;
    if (name == "help") flags_.help = true;
    if (name == "version") flags_.version = true;
    if (name == "check-config") flags_.check_config = true;
    for (const ValueFlag& flag : kValueFlags) {
      if (flag.name == name) read_value(flag, option);
    }
  }

  void read_value(const ValueFlag& flag, const po::option& option) {
    const std::string value = option.value.empty() ? "" : option.value[0];
    // `--static-root --port 80`: Program_options hands "--port" over as the
    // directory; the user forgot the value.
    if (option.original_tokens.size() == 2 && value.starts_with("--")) {
      errors_.push_back("--" + std::string(flag.name) +
                        ": expects a value, got the flag " + value);
      return;
    }
    const std::string origin = origin_of(flag.name, value);
    const std::string problem = flag.set(flags_, value, origin);
    if (!problem.empty()) errors_.push_back(origin + ": " + problem);
  }

  // --app-*: typed and checked by the key (app_flags.cpp); a list key's
  // flag may repeat, each time one more item.
  void read_app(const AppKey& key, const po::option& option) {
    const bool list = key.type() == AppKeyType::list;
    if (!list && !seen_.insert(option.string_key).second) {
      errors_.push_back("--" + key.flag() + ": given more than once");
      return;
    }
    std::string text = option.value.empty() ? "" : option.value[0];
    if (option.value.empty() && key.type() == AppKeyType::boolean)
      text = "true";
    if (option.original_tokens.size() == 2 && text.starts_with("--")) {
      errors_.push_back("--" + key.flag() + ": expects a value, got the flag " +
                        text);
      return;
    }
    const std::string origin = origin_of(key.flag(), text);
    const std::string problem = store_app_flag(key, text, flags_.app);
    if (!problem.empty()) errors_.push_back(origin + ": " + problem);
  }

 private:
  FlagValues& flags_;
  std::vector<std::string>& errors_;
  const AppKeys& app_keys_;
  std::set<std::string> seen_;
  bool previous_unknown_wants_value_ = false;
};

}  // namespace

FlagValues parse_flags(const std::vector<std::string>& args,
                       std::vector<std::string>& errors,
                       const AppKeys& app_keys) {
  FlagValues flags;
  std::vector<po::option> options;
  try {
    // allow_unregistered: unknown flags come back as options instead of one
    // exception for the first, so that all of them get reported.
    options = po::command_line_parser(args)
                  .options(describe_flags(app_keys))
                  .style(kStyle)
                  .allow_unregistered()
                  .run()
                  .options;
  } catch (const po::error& e) {
    errors.push_back(syntax_problem(e));
    return flags;
  }
  FlagReader reader(flags, errors, app_keys);
  for (const po::option& option : options)
    reader.read(option);
  check_app_lists(app_keys, flags.app, errors);
  return flags;
}

std::string flags_help(const AppKeys& app_keys) {
  std::ostringstream text;
  text << "Usage: gale [options]\n\n" << describe_flags(app_keys);
  return text.str();
}

void apply_flags(const FlagValues& flags, Config& config, Origins& origins) {
  // --host and --port name one socket, so either replaces the whole listen
  // list with that single address (nginx-like: the command line overrides
  // the file, it does not merge into it). The half not given takes the
  // built-in default, not the file's: `--port 9000` with a file listing
  // 127.0.0.1:8080 and [::1]:8080 listens on 0.0.0.0:9000 only.
  if (flags.host || flags.port) {
    ListenAddress address;
    if (flags.host) address.host = *flags.host;
    if (flags.port) address.port = *flags.port;
    config.listen = {address};
  }
  if (flags.workers) config.workers = *flags.workers;
  if (flags.static_root) {
    config.static_files.root = *flags.static_root;
    origins.static_root = flags.origins.static_root;
  }
  if (flags.log_level) config.log.level = *flags.log_level;
  if (flags.access_log) {
    config.log.access_log = *flags.access_log;
    origins.access_log = flags.origins.access_log;
  }
  if (flags.pidfile) {
    config.pidfile = *flags.pidfile;
    origins.pidfile = flags.origins.pidfile;
  }
  if (flags.config_file) {
    config.config_file = absolute_path(*flags.config_file, current_dir());
  }
  for (const auto& [name, value] : flags.app)
    config.app.set(name, value);
}

}  // namespace gale

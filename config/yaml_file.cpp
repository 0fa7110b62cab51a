#include "config/yaml_file.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <system_error>

#include "config/did_you_mean.hpp"
#include "config/paths.hpp"
#include "config/rules.hpp"

namespace gale {
namespace {

// One value being read: the node its messages point at (the key of a
// `key: value` pair, or the item itself in a list), the value, and its
// dotted name ("limits.max_body_bytes", "listen[1].port").
struct Entry {
  YAML::Node where;
  YAML::Node value;
  std::string name;
};

// "gale.yaml:7:3": yaml-cpp counts from 0, editors from 1.
std::string position(const std::string& shown_name, const YAML::Mark& mark) {
  if (mark.is_null()) return shown_name;
  return shown_name + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

// What a node is, for "expected X, got <this>".
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return in_quotes(node.Scalar());
    default:
      return "an undefined value";
  }
}

std::string join(std::string_view section, std::string_view key) {
  if (section.empty()) return std::string(key);
  return std::string(section) + "." + std::string(key);
}

std::string host_port(const ListenAddress& address) {
  const bool ipv6 = address.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + address.host + "]" : address.host) + ":" +
         std::to_string(address.port);
}

// Walks one YAML document, writing each known key into the Config and
// reporting every unknown, duplicate or invalid one.
class Reader {
 public:
  Reader(const YamlSource& source, Config& config, Origins& origins,
         std::vector<std::string>& errors)
      : source_(source),
        base_dir_(source.path.parent_path()),
        config_(config),
        origins_(origins),
        errors_(errors) {}

  void read_document(const YAML::Node& root) {
    read_mapping(Entry{root, root, ""}, top_level_keys());
  }

 private:
  using Handler = std::function<void(const Entry&)>;
  struct Key {
    std::string_view name;
    Handler read;
  };

  std::vector<Key> top_level_keys() {
    return {
        {"listen", [this](const Entry& e) { read_listen(e); }},
        {"workers",
         [this](const Entry& e) {
           read_integer(e, kWorkersRange, config_.workers);
         }},
        {"reuse_port",
         [this](const Entry& e) { read_bool(e, config_.reuse_port); }},
        {"backlog",
         [this](const Entry& e) {
           read_integer(e, kBacklogRange, config_.backlog);
         }},
        {"pidfile", [this](const Entry& e) { read_pidfile(e); }},
        {"static", [this](const Entry& e) { read_mapping(e, static_keys()); }},
        {"limits", [this](const Entry& e) { read_mapping(e, limits_keys()); }},
        {"workers_policy",
         [this](const Entry& e) { read_mapping(e, policy_keys()); }},
        {"log", [this](const Entry& e) { read_mapping(e, log_keys()); }},
        {"pubsub", [this](const Entry& e) { read_mapping(e, pubsub_keys()); }},
        {"chat", [this](const Entry& e) { read_mapping(e, chat_keys()); }},
    };
  }

  std::vector<Key> pubsub_keys() {
    PubSubConfig& p = config_.pubsub;
    return {
        {"backend", [this](const Entry& e) { read_backend(e); }},
        {"redis_url",
         [this, &p](const Entry& e) {
           read_string(e, check_nonempty, p.redis_url);
         }},
        {"prefix",
         [this, &p](const Entry& e) {
           read_string(e, check_nonempty, p.prefix);
         }},
        {"history",
         [this, &p](const Entry& e) {
           read_integer(e, kPositiveUint32, p.history);
         }},
    };
  }

  std::vector<Key> chat_keys() {
    return {{"poll_timeout_s", [this](const Entry& e) {
               read_seconds(e, false, config_.chat.poll_timeout_s);
             }}};
  }

  std::vector<Key> static_keys() {
    StaticConfig& s = config_.static_files;
    return {
        {"root", [this](const Entry& e) { read_static_root(e); }},
        {"prefix",
         [this, &s](const Entry& e) {
           read_string(e, check_prefix, s.prefix);
         }},
        {"cache_control",
         [this, &s](const Entry& e) {
           read_string(e, check_nonempty, s.cache_control);
         }},
    };
  }

  std::vector<Key> limits_keys() {
    Limits& l = config_.limits;
    return {
        {"max_header_bytes",
         [this, &l](const Entry& e) {
           read_integer(e, kPositiveUint32, l.max_header_bytes);
         }},
        {"max_body_bytes",
         [this, &l](const Entry& e) {
           read_integer(e, kNonNegative, l.max_body_bytes);
         }},
        {"header_timeout_s",
         [this, &l](const Entry& e) {
           read_seconds(e, false, l.header_timeout_s);
         }},
        {"body_timeout_s",
         [this, &l](const Entry& e) {
           read_seconds(e, false, l.body_timeout_s);
         }},
        {"idle_timeout_s",
         [this, &l](const Entry& e) {
           read_seconds(e, false, l.idle_timeout_s);
         }},
        {"max_keepalive_requests",
         [this, &l](const Entry& e) {
           read_integer(e, kPositiveUint32, l.max_keepalive_requests);
         }},
        {"max_connections_per_worker",
         [this, &l](const Entry& e) {
           read_integer(e, kPositiveUint32, l.max_connections_per_worker);
         }},
    };
  }

  std::vector<Key> policy_keys() {
    WorkersPolicy& p = config_.workers_policy;
    return {
        {"graceful_timeout_s",
         [this, &p](const Entry& e) {
           read_seconds(e, false, p.graceful_timeout_s);
         }},
        {"timeout_s",
         [this, &p](const Entry& e) { read_seconds(e, false, p.timeout_s); }},
        {"max_requests",
         [this, &p](const Entry& e) {
           read_integer(e, kNonNegative, p.max_requests);
         }},
        {"max_rss_mb",
         [this, &p](const Entry& e) {
           read_integer(e, kNonNegative, p.max_rss_mb);
         }},
        {"max_age_s",
         [this, &p](const Entry& e) { read_seconds(e, true, p.max_age_s); }},
        {"restart_backoff_max_s",
         [this, &p](const Entry& e) {
           read_seconds(e, false, p.restart_backoff_max_s);
         }},
    };
  }

  std::vector<Key> log_keys() {
    return {
        {"level", [this](const Entry& e) { read_level(e); }},
        {"access_log", [this](const Entry& e) { read_access_log(e); }},
    };
  }

  // --- reporting ----------------------------------------------------------

  void error(const YAML::Node& where, std::string_view name,
             std::string_view problem) {
    std::string line = position(source_.shown_name, where.Mark()) + ": ";
    if (!name.empty()) line += std::string(name) + ": ";
    errors_.push_back(line + std::string(problem));
  }
  void error(const Entry& e, std::string_view problem) {
    error(e.where, e.name, problem);
  }

  // "gale.yaml:8:3: static.root", kept for checks made after merging.
  std::string origin(const Entry& e) const {
    return position(source_.shown_name, e.where.Mark()) + ": " + e.name;
  }

  // --- structure ----------------------------------------------------------

  // Dispatches each key of `section` to its reader. A section left empty
  // (`limits:` with nothing under it) is no error: it changes nothing.
  void read_mapping(const Entry& section, const std::vector<Key>& keys) {
    if (section.value.IsNull()) return;
    if (!section.value.IsMap()) {
      error(section, expected("a mapping of keys", describe(section.value)));
      return;
    }
    // yaml-cpp keeps both entries of a repeated key and node["k"] silently
    // picks one, so repeats are caught here while walking the pairs.
    std::map<std::string, int> first_line;
    for (const auto& pair : section.value) {
      const YAML::Node& key = pair.first;
      if (!key.IsScalar()) {
        error(key, section.name, expected("a key name", describe(key)));
        continue;
      }
      const std::string dotted = join(section.name, key.Scalar());
      const auto [first, fresh] =
          first_line.emplace(key.Scalar(), key.Mark().line + 1);
      if (!fresh) {
        error(key, "",
              "duplicate key " + in_quotes(dotted) + " (first on line " +
                  std::to_string(first->second) + ")");
        continue;
      }
      const Key* known = find_key(keys, key.Scalar());
      if (known == nullptr) {
        report_unknown_key(key, section.name, keys);
        continue;
      }
      known->read(Entry{key, pair.second, dotted});
    }
  }

  static const Key* find_key(const std::vector<Key>& keys,
                             std::string_view name) {
    for (const Key& key : keys) {
      if (key.name == name) return &key;
    }
    return nullptr;
  }

  void report_unknown_key(const YAML::Node& key, std::string_view section,
                          const std::vector<Key>& keys) {
    std::vector<std::string_view> names;
    for (const Key& known : keys)
      names.push_back(known.name);
    std::string problem =
        "unknown key " + in_quotes(join(section, key.Scalar()));
    if (auto near = closest_match(key.Scalar(), names)) {
      problem += " (did you mean " + in_quotes(join(section, *near)) + "?)";
    }
    error(key, "", problem);
  }

  // --- values -------------------------------------------------------------

  // The text of a scalar value; anything else is reported as not `noun`.
  std::optional<std::string> scalar_text(const Entry& e,
                                         std::string_view noun) {
    if (e.value.IsScalar()) return e.value.Scalar();
    error(e, expected(noun, describe(e.value)));
    return std::nullopt;
  }

  template <typename T>
  void read_integer(const Entry& e, IntRange range, T& target) {
    const auto text = scalar_text(e, kAnInteger);
    if (!text) return;
    const auto checked = check_integer(*text, range);
    if (!checked.value) return error(e, checked.problem);
    target = static_cast<T>(*checked.value);
  }

  void read_seconds(const Entry& e, bool zero_allowed, double& target) {
    const auto text = scalar_text(e, kANumber);
    if (!text) return;
    const auto checked = check_seconds(*text, zero_allowed);
    if (!checked.value) return error(e, checked.problem);
    target = *checked.value;
  }

  // YAML's own booleans (true/false, yes/no, on/off), as yaml-cpp reads them.
  void read_bool(const Entry& e, bool& target) {
    bool value = false;
    if (!e.value.IsScalar() || !YAML::convert<bool>::decode(e.value, value)) {
      return error(e, expected(kABool, describe(e.value)));
    }
    target = value;
  }

  void read_string(const Entry& e,
                   Checked<std::string> (*check)(std::string_view),
                   std::string& target) {
    const auto text = scalar_text(e, kAString);
    if (!text) return;
    auto checked = check(*text);
    if (!checked.value) return error(e, checked.problem);
    target = std::move(*checked.value);
  }

  void read_level(const Entry& e) {
    const auto text = scalar_text(e, kALevel);
    if (!text) return;
    const auto checked = check_log_level(*text);
    if (!checked.value) return error(e, checked.problem);
    config_.log.level = *checked.value;
  }

  void read_backend(const Entry& e) {
    const auto text = scalar_text(e, kABackend);
    if (!text) return;
    const auto checked = check_pubsub_backend(*text);
    if (!checked.value) return error(e, checked.problem);
    config_.pubsub.backend = *checked.value;
  }

  // `root: ""` turns the static route off on purpose (no warning); any
  // other root must exist, which is checked once flags had their say.
  void read_static_root(const Entry& e) {
    const auto text = scalar_text(e, kAString);
    if (!text) return;
    config_.static_files.root =
        text->empty() ? "" : absolute_path(*text, base_dir_);
    origins_.static_root = origin(e);
  }

  void read_access_log(const Entry& e) {
    std::string setting;
    read_string(e, check_access_log, setting);
    if (setting.empty()) return;  // reported by read_string
    config_.log.access_log = access_log_is_path(setting)
                                 ? absolute_path(setting, base_dir_)
                                 : setting;
    origins_.access_log = origin(e);
  }

  // `pidfile: ""` means none, as when the key is absent.
  void read_pidfile(const Entry& e) {
    const auto text = scalar_text(e, kAString);
    if (!text) return;
    config_.pidfile = text->empty() ? "" : absolute_path(*text, base_dir_);
    origins_.pidfile = origin(e);
  }

  void read_listen(const Entry& e) {
    if (!e.value.IsSequence()) {
      return error(e, expected("a list of {host, port}", describe(e.value)));
    }
    if (e.value.size() == 0) {
      return error(e, "must list at least one address");
    }
    std::vector<ListenAddress> addresses;
    for (std::size_t i = 0; i < e.value.size(); ++i) {
      const YAML::Node item = e.value[i];
      const Entry entry{item, item, e.name + "[" + std::to_string(i) + "]"};
      if (!item.IsMap()) {
        error(entry, expected("a mapping of host and port", describe(item)));
        continue;
      }
      ListenAddress address = read_listen_item(entry);
      report_repeated_address(entry, address, addresses);
      addresses.push_back(address);
    }
    config_.listen = std::move(addresses);
  }

  ListenAddress read_listen_item(const Entry& item) {
    ListenAddress address;
    read_mapping(
        item,
        {{"host",
          [&](const Entry& e) { read_string(e, check_host, address.host); }},
         {"port",
          [&](const Entry& e) { read_integer(e, kPortRange, address.port); }}});
    return address;
  }

  // Binding the same address twice would fail at startup with EADDRINUSE
  // against ourselves; say so now, pointing at both entries.
  void report_repeated_address(const Entry& item, const ListenAddress& address,
                               const std::vector<ListenAddress>& earlier) {
    for (std::size_t j = 0; j < earlier.size(); ++j) {
      if (earlier[j].host == address.host && earlier[j].port == address.port) {
        error(item, host_port(address) + " is listed twice (also " +
                        item.name.substr(0, item.name.find('[')) + "[" +
                        std::to_string(j) + "])");
        return;
      }
    }
  }

  const YamlSource& source_;
  std::filesystem::path base_dir_;
  Config& config_;
  Origins& origins_;
  std::vector<std::string>& errors_;
};

}  // namespace

void read_yaml_text(std::string_view text, const YamlSource& source,
                    Config& config, Origins& origins,
                    std::vector<std::string>& errors) {
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (documents.empty()) return;  // an empty file: all defaults
    if (documents.size() > 1) {
      errors.push_back(position(source.shown_name, documents[1].Mark()) +
                       ": expected one YAML document, found " +
                       std::to_string(documents.size()));
    }
    Reader(source, config, origins, errors).read_document(documents[0]);
  } catch (const YAML::Exception& e) {
    // Syntax errors (and anything yaml-cpp throws while walking) carry the
    // position of the trouble.
    errors.push_back(position(source.shown_name, e.mark) + ": " + e.msg);
  }
}

void read_yaml_file(const YamlSource& source, Config& config, Origins& origins,
                    std::vector<std::string>& errors) {
  const std::string flag = "--config " + source.shown_name;
  std::error_code ec;
  if (std::filesystem::is_directory(source.path, ec)) {
    errors.push_back(flag + ": is a directory, not a YAML file");
    return;
  }
  std::ifstream in(source.path, std::ios::binary);
  if (!in) {
    errors.push_back(flag + ": cannot read: " + std::strerror(errno));
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    errors.push_back(flag + ": cannot read: " + std::strerror(errno));
    return;
  }
  read_yaml_text(text.str(), source, config, origins, errors);
}

}  // namespace gale

// The walker behind read_yaml_text(): internal to gale_config, not an API.
//
// One class in two files, so that neither grows past a screenful of pages:
//   yaml_file.cpp      the machinery: walking mappings, unknown and duplicate
//                      keys, typed scalars, messages with file:line:column;
//   yaml_sections.cpp  what SPEC §2 says: the key table of every section and
//                      the readers of the settings that need their own;
//   yaml_app_section.cpp  `app:`, the keys the application declared.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/app_keys.hpp"
#include "config/config.hpp"
#include "config/origins.hpp"
#include "config/rules.hpp"
#include "config/yaml_file.hpp"

namespace gale::yaml_detail {

// One value being read: the node its messages point at (the key of a
// `key: value` pair, or the item itself in a list), the value, and its
// dotted name ("limits.max_body_bytes", "listen[1].port").
struct Entry {
  YAML::Node where;
  YAML::Node value;
  std::string name;
};

// "gale.yaml:7:3": yaml-cpp counts from 0, editors from 1.
std::string position(const std::string& shown_name, const YAML::Mark& mark);

// What a node is, for "expected X, got <this>".
std::string describe(const YAML::Node& node);

// Walks one YAML document, writing each known key into the Config and
// reporting every unknown, duplicate or invalid one.
class Reader {
 public:
  Reader(const YamlSource& source, Config& config, Origins& origins,
         std::vector<std::string>& errors, const AppKeys& app_keys)
      : source_(source),
        base_dir_(source.path.parent_path()),
        config_(config),
        origins_(origins),
        errors_(errors),
        app_keys_(app_keys) {}

  void read_document(const YAML::Node& root) {
    read_mapping(Entry{root, root, ""}, top_level_keys());
  }

 private:
  using Handler = std::function<void(const Entry&)>;
  struct Key {
    std::string_view name;
    Handler read;
  };

  // --- the sections (yaml_sections.cpp) -----------------------------------

  std::vector<Key> top_level_keys();
  std::vector<Key> static_keys();
  std::vector<Key> limits_keys();
  std::vector<Key> policy_keys();
  std::vector<Key> log_keys();
  std::vector<Key> websocket_keys();
  std::vector<Key> pubsub_keys();
  std::vector<Key> chat_keys();
  std::vector<Key> proxy_keys();
  // The application's own (yaml_app_section.cpp).
  std::vector<Key> app_keys();
  void read_app_value(const Entry& e, const AppKey& key);
  std::optional<AppValue> read_app_list(const Entry& e, const AppKey& key);

  void read_level(const Entry& e);
  void read_backend(const Entry& e);
  void read_static_root(const Entry& e);
  void read_access_log(const Entry& e);
  void read_body_temp_dir(const Entry& e);
  void read_pidfile(const Entry& e);
  void read_listen(const Entry& e);
  ListenAddress read_listen_item(const Entry& item);
  void report_repeated_address(const Entry& item, const ListenAddress& address,
                               const std::vector<ListenAddress>& earlier);
  void read_allowed_origins(const Entry& e);
  void read_trusted_proxies(const Entry& e);

  // --- reporting (yaml_file.cpp) ------------------------------------------

  void error(const YAML::Node& where, std::string_view name,
             std::string_view problem);
  void error(const Entry& e, std::string_view problem) {
    error(e.where, e.name, problem);
  }

  // "gale.yaml:8:3: static.root", kept for checks made after merging.
  std::string origin(const Entry& e) const;

  // --- structure (yaml_file.cpp) ------------------------------------------

  // Dispatches each key of `section` to its reader. A section left empty
  // (`limits:` with nothing under it) is no error: it changes nothing.
  void read_mapping(const Entry& section, const std::vector<Key>& keys);
  static const Key* find_key(const std::vector<Key>& keys,
                             std::string_view name);
  void report_unknown_key(const YAML::Node& key, std::string_view section,
                          const std::vector<Key>& keys);

  // --- values (yaml_file.cpp) ---------------------------------------------

  // The text of a scalar value; anything else is reported as not `noun`.
  std::optional<std::string> scalar_text(const Entry& e, std::string_view noun);

  template <typename T>
  void read_integer(const Entry& e, IntRange range, T& target) {
    const auto text = scalar_text(e, kAnInteger);
    if (!text) return;
    const auto checked = check_integer(*text, range);
    if (!checked.value) return error(e, checked.problem);
    target = static_cast<T>(*checked.value);
  }

  void read_seconds(const Entry& e, bool zero_allowed, double& target);

  // YAML's own booleans (true/false, yes/no, on/off), as yaml-cpp reads them.
  void read_bool(const Entry& e, bool& target);

  void read_string(const Entry& e,
                   Checked<std::string> (*check)(std::string_view),
                   std::string& target);

  const YamlSource& source_;
  std::filesystem::path base_dir_;
  Config& config_;
  Origins& origins_;
  std::vector<std::string>& errors_;
  const AppKeys& app_keys_;
};

}  // namespace gale::yaml_detail

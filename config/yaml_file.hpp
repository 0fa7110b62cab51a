// The YAML config file (SPEC §2) laid over a Config, with yaml-cpp.
//
// Every problem in the file is collected, each as one line that starts with
// the file name and the 1-based line:column of the offending key, e.g.
//   gale.yaml:7:3: limits.max_body_bytes: expected an integer, got "lots"
//   gale.yaml:3:1: unknown key "wokers" (did you mean "workers"?)
// Besides SPEC §2's keys it reads workers_policy.max_rss_mb,
// workers_policy.max_age_s and a top-level `pidfile` (so that dump_yaml()
// can write every setting of a Config), and the section `app:` with the
// keys the application declared (config/app_keys.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/app_keys.hpp"
#include "config/config.hpp"
#include "config/origins.hpp"

namespace gale {

struct YamlSource {
  std::string shown_name;      // as the user typed it; starts each message
  std::filesystem::path path;  // absolute; its directory anchors paths
};

// Reads the file at `source.path` over `config`. An unreadable file is one
// error naming the --config flag. `app_keys` are the keys the `app:`
// section may hold (config/app_keys.hpp).
void read_yaml_file(const YamlSource& source, Config& config, Origins& origins,
                    std::vector<std::string>& errors,
                    const AppKeys& app_keys = AppKeys::none());

// The same for text already in memory.
void read_yaml_text(std::string_view text, const YamlSource& source,
                    Config& config, Origins& origins,
                    std::vector<std::string>& errors,
                    const AppKeys& app_keys = AppKeys::none());

}  // namespace gale

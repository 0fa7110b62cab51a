// read_yaml_text() over a fresh Config, as the YAML reader's tests use it:
// the text is read as if it were the file "gale.yaml" in `dir`, so every
// message starts "gale.yaml:<line>:<column>: ".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_file.hpp"

namespace gale::testing {

struct Read {
  Config config;
  Origins origins;
  std::vector<std::string> errors;
};

inline Read read(std::string_view yaml,
                 const std::filesystem::path& dir = "/etc/gale") {
  Read r;
  const YamlSource source{"gale.yaml", dir / "gale.yaml"};
  read_yaml_text(yaml, source, r.config, r.origins, r.errors);
  return r;
}

inline std::vector<std::string> errors_of(std::string_view yaml) {
  return read(yaml).errors;
}

}  // namespace gale::testing

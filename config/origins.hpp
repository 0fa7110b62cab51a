// Where the path settings were configured.
//
// Some checks can only run after the layers are merged: `--static-root`
// replaces the file's `static.root`, and only the winner has to exist. By
// then the value alone no longer says where it came from, so each layer
// records it here for the message. nullopt = left at its default.
#pragma once

#include <optional>
#include <string>

namespace gale {

struct Origins {
  // e.g. "gale.yaml:8:3: static.root" or "--static-root www"
  std::optional<std::string> static_root;
  std::optional<std::string> access_log;
  std::optional<std::string> pidfile;
  std::optional<std::string> body_temp_dir;
};

}  // namespace gale

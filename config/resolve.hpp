// The last step of loading, after defaults < YAML < flags are merged: the
// settings that depend on the machine rather than on what was written
// (`workers: 0`, the default static root), and checks against the disk.
//
// These run on the merged Config on purpose: `--static-root www` replaces a
// file's missing `static.root`, and only the path that wins must exist.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/origins.hpp"

namespace gale {

// Resolves `workers: 0` to usable_cpu_count() and the unset static root to
// ./public (or off, with one warning); reports a configured static root,
// access log or pidfile that cannot be used, prefixed by its origin.
void resolve_and_check(Config& config, const Origins& origins,
                       std::vector<std::string>& errors,
                       std::vector<std::string>& warnings);

}  // namespace gale

// Configured paths -> the absolute paths stored in Config.
//
// Workers may chdir or be forked from a master started elsewhere, and a
// SIGHUP reload must not reinterpret a path, so nothing relative survives
// loading. Relative paths from the YAML file are read against the file's
// directory (like nginx's includes), those from flags against the cwd.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace gale {

// `text` read relative to `base` (ignored when `text` is absolute), made
// absolute, symlinks in its existing part resolved, no trailing '/'.
std::string absolute_path(std::string_view text,
                          const std::filesystem::path& base);

// The current directory, or "/" if it cannot be determined (deleted cwd).
std::filesystem::path current_dir();

}  // namespace gale

#include "config/resolve.hpp"

#include <filesystem>
#include <system_error>

#include "config/load_config.hpp"
#include "config/paths.hpp"
#include "config/rules.hpp"

namespace gale {
namespace {

namespace fs = std::filesystem;

// Why `path` is not a usable directory, or "" when it is.
std::string directory_problem(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) return "no such directory";
  if (ec) return "cannot access: " + ec.message();
  if (!fs::is_directory(status)) return "not a directory";
  return {};
}

void resolve_static_root(Config& config, const Origins& origins,
                         std::vector<std::string>& errors,
                         std::vector<std::string>& warnings) {
  std::string& root = config.static_files.root;
  if (!origins.static_root) {
    // Nothing configured: SPEC §1's default is ./public when it is there.
    const std::string candidate = absolute_path("public", current_dir());
    if (directory_problem(candidate).empty()) {
      root = candidate;
    } else {
      root.clear();
      warnings.push_back("static root ./public not found: the " +
                         config.static_files.prefix + " route is off");
    }
    return;
  }
  if (root.empty()) return;  // switched off on purpose
  const std::string problem = directory_problem(root);
  if (!problem.empty()) {
    errors.push_back(*origins.static_root + ": " + root + ": " + problem);
  }
}

// A file the server will create (log, pidfile): its directory must exist
// now, rather than the first write failing in a worker later.
void check_file_to_create(const std::string& path,
                          const std::optional<std::string>& origin,
                          std::vector<std::string>& errors) {
  if (!origin || path.empty()) return;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    errors.push_back(*origin + ": " + path + ": is a directory");
    return;
  }
  const fs::path parent = fs::path(path).parent_path();
  const std::string problem = directory_problem(parent);
  if (!problem.empty()) {
    errors.push_back(*origin + ": " + parent.string() + ": " + problem);
  }
}

}  // namespace

void resolve_and_check(Config& config, const Origins& origins,
                       std::vector<std::string>& errors,
                       std::vector<std::string>& warnings) {
  if (config.workers == 0) config.workers = usable_cpu_count();
  resolve_static_root(config, origins, errors, warnings);
  if (access_log_is_path(config.log.access_log)) {
    check_file_to_create(config.log.access_log, origins.access_log, errors);
  }
  check_file_to_create(config.pidfile, origins.pidfile, errors);
  if (origins.body_temp_dir && !config.limits.body_temp_dir.empty()) {
    const std::string problem = directory_problem(config.limits.body_temp_dir);
    if (!problem.empty()) {
      errors.push_back(*origins.body_temp_dir + ": " +
                       config.limits.body_temp_dir + ": " + problem);
    }
  }
}

}  // namespace gale

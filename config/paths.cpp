#include "config/paths.hpp"

#include <system_error>

namespace gale {

std::filesystem::path current_dir() {
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? std::filesystem::path("/") : cwd;
}

std::string absolute_path(std::string_view text,
                          const std::filesystem::path& base) {
  std::filesystem::path path = base / std::filesystem::path(text);
  std::error_code ec;
  path = std::filesystem::absolute(path, ec);
  std::filesystem::path resolved = std::filesystem::weakly_canonical(path, ec);
  // weakly_canonical fails on, e.g., an unreadable parent directory; the
  // lexical form is still absolute and good enough for the error message
  // the later existence check will print.
  if (ec) resolved = path.lexically_normal();
  // "www/" and "www" are the same directory; store one spelling so that a
  // dumped config compares equal when loaded back.
  if (!resolved.has_filename() && resolved.has_relative_path()) {
    resolved = resolved.parent_path();
  }
  return resolved.string();
}

}  // namespace gale

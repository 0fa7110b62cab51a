#include "server/static/static_path.hpp"

#include <climits>

namespace gale {

StaticPathVerdict check_static_path(std::string_view path,
                                    const StaticPathRules& rules) {
  if (path.size() >= PATH_MAX) return StaticPathVerdict::too_long;
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7f || c == '\\') return StaticPathVerdict::not_found;
  if (!path.empty() && path.front() == '/') return StaticPathVerdict::not_found;
  // A single trailing slash names a directory; the segments are the rest.
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return StaticPathVerdict::ok;
  for (;;) {
    std::size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (seg.empty() || seg == "." || seg == ".." || seg.size() > NAME_MAX)
      return StaticPathVerdict::not_found;
    if (seg.front() == '.' && !rules.allow_dotfiles)
      return StaticPathVerdict::not_found;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return StaticPathVerdict::ok;
}

}  // namespace gale

// Which request paths may reach the file system at all.
//
// The static route hands over the rest of the URL path, percent-decoded
// once by the router, so `%2e%2e` arrives as `..`, `%2f` as `/` and `%00`
// as a NUL byte, while `%252e` arrives as the three characters `%2e` and
// is never decoded again (that would be the double-decoding hole). This
// check runs on that decoded text before any system call, and refuses
// every shape a traversal takes; safe_open's RESOLVE_BENEATH is the second
// wall, for what the path itself cannot show (symlinks).
#pragma once

#include <string_view>

namespace gale {

enum class StaticPathVerdict {
  ok,
  not_found,  // refused: answer 404, as for a file that is not there
  too_long,   // longer than PATH_MAX: answer 414
};

struct StaticPathRules {
  bool allow_dotfiles = false;  // segments starting with '.' (never . or ..)
};

// Checks a decoded path relative to the root ("css/site.css", "docs/",
// "" for the root itself). Refused: a leading '/' (an absolute path such
// as "//etc/passwd"), "." or ".." segments, empty segments ("a//b"; one
// trailing slash is fine), NUL bytes, backslashes (a Windows separator
// nobody means literally, and a classic traversal spelling), control
// characters, a segment longer than NAME_MAX, dotfiles unless allowed.
StaticPathVerdict check_static_path(std::string_view path,
                                    const StaticPathRules& rules = {});

}  // namespace gale

// Request-target pieces: splitting path from query, percent-decoding, and
// application/x-www-form-urlencoded arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gale {

// Splits an origin-form target "/a/b?x=1" into path "/a/b" and query "x=1".
// An absolute-form target (http://host/a?x) yields its path and query too.
struct TargetParts {
  std::string_view path;
  std::string_view query;
};
TargetParts split_target(std::string_view target);

// Decodes %XX escapes. With `plus_as_space` ('+' means ' ', as in form
// data). Returns nullopt on a malformed escape ("%G1", a lone "%").
std::optional<std::string> percent_decode(std::string_view s,
                                          bool plus_as_space = false);

// Encodes everything but RFC 3986 unreserved characters (and '/' when
// `keep_slash`), e.g. for building redirect locations.
std::string percent_encode(std::string_view s, bool keep_slash = false);

// Parses "a=1&b=2&a=3" into decoded (name, value) pairs in order. Malformed
// pairs are skipped, as Tornado's parse_qs_bytes does with errors ignored.
using Arguments = std::vector<std::pair<std::string, std::string>>;
void parse_form_urlencoded(std::string_view s, Arguments& out);

}  // namespace gale

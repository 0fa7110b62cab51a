// Ordered routes from request paths to handler factories.
//
// Pattern syntax, matched segment by segment against the path (split on '/'
// before decoding, so "%2F" never splits a segment):
//   "/hello/{name}"        {name} matches one non-empty segment
//   "/static/{path:path}"  {x:path} matches the rest of the path, slashes too
//   gale::regex("^/user/(\\d+)$")   a std::regex over the still-encoded path;
//                                   groups become positional path_args
//                                   (paths over kMaxRegexPathBytes never
//                                   match one: see below)
// The first route that matches wins (as Tornado); a path no route matches
// is a 404, a matching route whose handler lacks the method a 405.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "server/web/handler_factory.hpp"
#include "server/web/path_args.hpp"

namespace gale {

// libstdc++'s std::regex recurses once or more per input byte: a 16 KB path
// against "^/r/((a|b)*)$" overflows an 8 MB stack. A longer encoded path
// never matches a regex route (segment routes are unaffected), which leaves
// a wide margin for any reasonable pattern, even under ASan.
constexpr std::size_t kMaxRegexPathBytes = 2048;

struct RegexPattern {
  std::string expression;
};
inline RegexPattern regex(std::string expression) {
  return {std::move(expression)};
}

class Route {
 public:
  // Throws std::invalid_argument for a malformed pattern, naming it.
  Route(std::string pattern, HandlerFactory factory);
  Route(const char* pattern, HandlerFactory factory)
      : Route(std::string(pattern), std::move(factory)) {}
  Route(RegexPattern pattern, HandlerFactory factory);

  const std::string& pattern() const { return pattern_; }
  const HandlerFactory& factory() const { return factory_; }
  // Matches the encoded `path`, filling decoded `args` on success.
  bool match(std::string_view path, PathArgs& args) const;

 private:
  struct Segment {
    enum class Kind { literal, param, rest } kind;
    std::string text;  // the literal, or the parameter's name
  };
  bool match_segments(std::string_view path, PathArgs& args) const;

  std::string pattern_;
  HandlerFactory factory_;
  std::vector<Segment> segments_;
  std::shared_ptr<const std::regex> regex_;  // set for regex routes
};

class Router {
 public:
  void add(Route route) { routes_.push_back(std::move(route)); }
  // The first route matching `path`, or nullptr.
  const Route* match(std::string_view path, PathArgs& args) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Decodes %XX in a path segment; a malformed escape is kept as written
// (as Tornado's url_unescape does) rather than failing the request.
std::string decode_path_segment(std::string_view s);

}  // namespace gale

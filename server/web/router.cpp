#include "server/web/router.hpp"

#include <stdexcept>

#include "server/http/url.hpp"

namespace gale {

std::string decode_path_segment(std::string_view s) {
  if (s.find('%') == std::string_view::npos) return std::string(s);
  if (auto decoded = percent_decode(s)) return std::move(*decoded);
  return std::string(s);
}

Route::Route(std::string pattern, HandlerFactory factory)
    : pattern_(std::move(pattern)), factory_(std::move(factory)) {
  if (pattern_.empty() || pattern_[0] != '/')
    throw std::invalid_argument("route \"" + pattern_ +
                                "\": must start with /");
  std::string_view rest = std::string_view(pattern_).substr(1);
  while (true) {
    std::size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (!seg.empty() && seg.front() == '{') {
      if (seg.back() != '}' || seg.size() < 3)
        throw std::invalid_argument("route \"" + pattern_ +
                                    "\": malformed parameter " +
                                    std::string(seg));
      std::string_view name = seg.substr(1, seg.size() - 2);
      if (name.ends_with(":path")) {
        if (slash != std::string_view::npos)
          throw std::invalid_argument("route \"" + pattern_ +
                                      "\": {x:path} must come last");
        segments_.push_back({Segment::Kind::rest,
                             std::string(name.substr(0, name.size() - 5))});
      } else {
        segments_.push_back({Segment::Kind::param, std::string(name)});
      }
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos)
        throw std::invalid_argument("route \"" + pattern_ +
                                    "\": a parameter must be a whole segment");
      segments_.push_back({Segment::Kind::literal, std::string(seg)});
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
}

Route::Route(RegexPattern pattern, HandlerFactory factory)
    : pattern_(std::move(pattern.expression)), factory_(std::move(factory)) {
  try {
    regex_ = std::make_shared<const std::regex>(pattern_);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("route regex \"" + pattern_ +
                                "\": " + e.what());
  }
}

bool Route::match(std::string_view path, PathArgs& args) const {
  args.clear();
  if (!regex_) return match_segments(path, args);
  if (path.size() > kMaxRegexPathBytes) return false;
  std::match_results<std::string_view::const_iterator> m;
  try {
    if (!std::regex_match(path.begin(), path.end(), m, *regex_)) return false;
  } catch (const std::regex_error&) {
    return false;  // error_complexity / error_stack: no match, no crash
  }
  for (std::size_t i = 1; i < m.size(); ++i)
    args.add("",
             decode_path_segment(std::string_view(m[i].first, m[i].second)));
  return true;
}

bool Route::match_segments(std::string_view path, PathArgs& args) const {
  if (path.empty() || path[0] != '/') return false;
  std::string_view rest = path.substr(1);
  bool exhausted = false;  // the path has no segment left
  for (const Segment& seg : segments_) {
    if (seg.kind == Segment::Kind::rest) {
      if (exhausted) return false;
      args.add(seg.text, decode_path_segment(rest));
      return true;
    }
    if (exhausted) return false;
    std::size_t slash = rest.find('/');
    std::string_view piece = rest.substr(0, slash);
    if (slash == std::string_view::npos)
      exhausted = true;
    else
      rest.remove_prefix(slash + 1);
    if (seg.kind == Segment::Kind::literal) {
      bool equal = piece.find('%') == std::string_view::npos
                       ? piece == seg.text
                       : decode_path_segment(piece) == seg.text;
      if (!equal) return false;
    } else {
      if (piece.empty()) return false;
      args.add(seg.text, decode_path_segment(piece));
    }
  }
  return exhausted;
}

const Route* Router::match(std::string_view path, PathArgs& args) const {
  for (const Route& r : routes_)
    if (r.match(path, args)) return &r;
  args.clear();
  return nullptr;
}

}  // namespace gale

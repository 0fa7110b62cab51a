// Mustache templates, compiled once per process (Tornado's template loader
// and its compiled-template cache), on kainjow's header-only Mustache.
//
//   render("page.html", {{"title", "Hi"}, {"items", boost::json::array{1,
//   2}}});
//
// A handler uses them through RequestHandler::render() and render_string();
// this is the store behind those, one per Application. The rules:
// - a name is a path relative to Settings::template_path (empty: the working
//   directory); an absolute name or a `..` segment is refused, never read;
// - a template is read and parsed on its first use and then kept for the
//   life of the process: a changed file is not read again (a reload, SIGHUP,
//   starts fresh workers, which read it anew);
// - `{{> header}}` includes the partial file `header.mustache` from the same
//   directory (a partial name with an extension, `{{> nav.html}}`, is taken
//   as it is); partials are read once too;
// - `{{x}}` is HTML-escaped (& < > " '), `{{{x}}}` and `{{& x}}` are not.
// The context is JSON: objects, lists (sections repeat), strings, numbers,
// booleans (sections show or hide), null (false).
#pragma once

#include <boost/json/fwd.hpp>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gale {

// A template that cannot be used: a refused name, a file that cannot be
// read, a Mustache syntax error. The message names the template, the file
// and the cause; a handler that lets it escape answers 500 and logs it.
class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TemplateCache {
 public:
  TemplateCache();
  ~TemplateCache();
  // A copy starts empty: every copy of an Application (one per generation,
  // one per worker) compiles its own templates and shares nothing.
  TemplateCache(const TemplateCache&);
  TemplateCache& operator=(const TemplateCache&);
  TemplateCache(TemplateCache&&) noexcept;
  TemplateCache& operator=(TemplateCache&&) noexcept;

  // Renders the template `name` under `template_path` with `context` (an
  // object: its members are the template's names). Throws TemplateError.
  std::string render(const std::string& template_path, std::string_view name,
                     const boost::json::object& context);

  // Templates and partials compiled so far (for tests).
  std::size_t size() const;

 private:
  struct Store;
  std::unique_ptr<Store> store_;  // made on first use: costs nothing unused
};

}  // namespace gale

// RequestHandler::render() and render_string(): templates (Tornado's
// render), kept apart from the rest of the handler so that only this file
// needs the template store.
#include <boost/json.hpp>

#include "server/web/application.hpp"
#include "server/web/request_handler.hpp"

namespace gale {

std::string RequestHandler::render_string(
    std::string_view name, const boost::json::object& context) const {
  Application& app = application();
  return app.templates().render(app.settings().template_path, name, context);
}

void RequestHandler::render(std::string_view name,
                            const boost::json::object& context) {
  // Rendered before anything is set, so a broken template leaves the
  // response untouched for the error page.
  std::string page = render_string(name, context);
  if (headers_.find("Content-Type") == nullptr)
    set_header("Content-Type", "text/html; charset=UTF-8");
  finish(page);
}

}  // namespace gale

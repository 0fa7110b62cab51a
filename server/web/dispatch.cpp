#include "server/web/dispatch.hpp"

namespace gale {
namespace {

// What answers a request no route matches (when the application sets no
// default handler of its own).
struct NotFoundHandler final : RequestHandler {
  void prepare() override { send_error(404); }
};

}  // namespace

RoutedHandler make_handler(const Application& app, std::string_view path) {
  RoutedHandler routed;
  const Route* route = app.router().match(path, routed.path_args);
  const HandlerFactory* factory =
      route ? &route->factory() : app.default_handler();
  if (factory) {
    routed.handler = factory->create();
    routed.methods = factory->methods;
    routed.streams_body = factory->streams_body;
  } else {
    routed.handler = std::make_shared<NotFoundHandler>();
  }
  return routed;
}

bool streams_request_body(const Application& app, std::string_view path) {
  if (!app.streams_bodies()) return false;
  PathArgs ignored;
  const Route* route = app.router().match(path, ignored);
  const HandlerFactory* factory =
      route ? &route->factory() : app.default_handler();
  return factory && factory->streams_body;
}

}  // namespace gale

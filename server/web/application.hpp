// An application: the ordered routes of a site (Tornado's Application).
//
//   gale::Application app({
//       {"/", gale::handler<MainHandler>()},
//       {"/hello/{name}", gale::handler<HelloHandler>()},
//   });
//   return gale::run(app, argc, argv);
#pragma once

#include <initializer_list>
#include <utility>

#include "server/web/handler_factory.hpp"
#include "server/web/router.hpp"
#include "server/web/settings.hpp"
#include "server/web/template_cache.hpp"

namespace gale {

class Application {
 public:
  Application() = default;
  Application(std::initializer_list<Route> routes, Settings settings = {})
      : settings_(std::move(settings)) {
    for (const Route& r : routes)
      add(r);
  }

  // Routes added later match after earlier ones.
  void add(Route route) {
    streams_bodies_ = streams_bodies_ || route.factory().streams_body;
    router_.add(std::move(route));
  }
  const Router& router() const { return router_; }

  const Settings& settings() const { return settings_; }
  Settings& settings() { return settings_; }

  // The templates this application has compiled in this process (see
  // RequestHandler::render()). A copy of the application starts empty.
  TemplateCache& templates() { return templates_; }

  // Serves what no route matches (default: a plain 404). The handler's
  // prepare() or method answers; write_error() shapes every error page.
  void set_default_handler(HandlerFactory factory) {
    streams_bodies_ = streams_bodies_ || factory.streams_body;
    default_handler_ = std::move(factory);
  }
  const HandlerFactory* default_handler() const {
    return default_handler_.create ? &default_handler_ : nullptr;
  }
  // Whether any handler takes its body as it arrives: if none does, a
  // request body needs no route lookup before it is read.
  bool streams_bodies() const { return streams_bodies_; }

 private:
  Router router_;
  Settings settings_;
  TemplateCache templates_;
  HandlerFactory default_handler_;
  bool streams_bodies_ = false;
};

}  // namespace gale

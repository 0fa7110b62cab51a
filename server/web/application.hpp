// An application: the ordered routes of a site (Tornado's Application).
//
//   gale::Application app({
//       {"/", gale::handler<MainHandler>()},
//       {"/hello/{name}", gale::handler<HelloHandler>()},
//   });
//   return gale::run(app, argc, argv);
#pragma once

#include <initializer_list>

#include "server/web/handler_factory.hpp"
#include "server/web/router.hpp"

namespace gale {

class Application {
 public:
  Application() = default;
  Application(std::initializer_list<Route> routes) {
    for (const Route& r : routes)
      router_.add(r);
  }

  // Routes added later match after earlier ones.
  void add(Route route) { router_.add(std::move(route)); }
  const Router& router() const { return router_; }

  // Serves what no route matches (default: a plain 404). The handler's
  // prepare() or method answers; write_error() shapes every error page.
  void set_default_handler(HandlerFactory factory) {
    default_handler_ = std::move(factory);
  }
  const HandlerFactory* default_handler() const {
    return default_handler_.create ? &default_handler_ : nullptr;
  }

 private:
  Router router_;
  HandlerFactory default_handler_;
};

}  // namespace gale

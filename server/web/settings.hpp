// Application settings, after Tornado's Application(handlers, **settings):
// what the framework's second tier reads (templates, signed cookies, XSRF).
//
//   gale::Settings settings;
//   settings.cookie_secrets = {"new secret", "old secret"};
//   settings.xsrf_cookies = true;
//   gale::Application app({{"/", gale::handler<MainHandler>()}}, settings);
//
// A handler reads them as settings(); they are fixed once the workers run.
// An application's own config keys (config/app_keys.hpp) arrive in `app`:
//   settings().get<int>("app.page_size")
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/core/app_values.hpp"

namespace gale {

struct Settings {
  // Where render("name.html") finds its templates; empty: the working
  // directory.
  std::string template_path;
  // Secrets for signed cookies: the first signs, every one verifies, so a
  // secret can be rotated without logging everyone out.
  std::vector<std::string> cookie_secrets;
  // When on, a POST, PUT, PATCH or DELETE without the _xsrf token of its
  // cookie (form field or X-XSRFToken header) is answered 403.
  bool xsrf_cookies = false;
  // The application's own settings, declared with gale::AppKeys and read
  // from the `app:` section and --app-* flags; gale::run fills them in.
  AppValues app;

  // app.get<T>(name): see AppValues::get.
  template <typename T>
  T get(std::string_view name) const {
    return app.get<T>(name);
  }
};

}  // namespace gale

// The application `gale` serves by default (SPEC §3), written on the public
// API exactly as a user would write their own.
#pragma once

#include "config/app_keys.hpp"
#include "config/config.hpp"
#include "server/web/application.hpp"

namespace gale {

Application make_builtin_app(const Config& config);

// The built-in app's own config keys, declared as any application's are:
//   app.template_path  (string)  -> Settings::template_path
//   app.cookie_secrets (list)    -> Settings::cookie_secrets
//   app.xsrf_cookies   (bool)    -> Settings::xsrf_cookies
AppKeys builtin_app_keys();

}  // namespace gale

// gale::run: the whole server behind one call, as a user's main() makes it.
//
//   int main(int argc, char** argv) {
//     gale::Application app({{"/", gale::handler<MainHandler>()}});
//     return gale::run(app, argc, argv);   // flags + YAML + master + workers
//   }
//
// `app_keys` are the application's own config keys (config/app_keys.hpp):
// read with gale's, and handed to every worker's handlers as
// settings().get<T>("app.name") -- again, anew, on each reload (SIGHUP).
#pragma once

#include <functional>

#include "config/app_keys.hpp"
#include "config/config.hpp"
#include "server/web/application.hpp"

namespace gale {

int run(Application& app, int argc, char** argv,
        const AppKeys& app_keys = AppKeys::none());

// For an application that depends on the configuration (the built-in one
// mounts the static root); made once, after the configuration is loaded,
// and again for each reload. Its settings().app is then filled from
// config.app (config values win over any set by make_app).
int run(const std::function<Application(const Config&)>& make_app, int argc,
        char** argv, const AppKeys& app_keys = AppKeys::none());

}  // namespace gale

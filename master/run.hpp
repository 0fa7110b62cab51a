// gale::run: the whole server behind one call, as a user's main() makes it.
//
//   int main(int argc, char** argv) {
//     gale::Application app({{"/", gale::handler<MainHandler>()}});
//     return gale::run(app, argc, argv);   // flags + YAML + master + workers
//   }
#pragma once

#include <functional>

#include "config/config.hpp"
#include "server/web/application.hpp"

namespace gale {

int run(Application& app, int argc, char** argv);

// For an application that depends on the configuration (the built-in one
// mounts the static root); made once, after the configuration is loaded.
int run(const std::function<Application(const Config&)>& make_app, int argc,
        char** argv);

}  // namespace gale

// The `gale` binary: the built-in application (SPEC §3) under the master.
#include "master/run.hpp"
#include "server/app/builtin_app.hpp"

int main(int argc, char** argv) {
  return gale::run(gale::make_builtin_app, argc, argv,
                   gale::builtin_app_keys());
}

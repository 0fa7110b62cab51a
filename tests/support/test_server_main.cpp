// gale-test: the built-in application plus the test-only routes.
#include "master/run.hpp"
#include "server/app/builtin_app.hpp"
#include "tests/support/test_routes.hpp"

int main(int argc, char** argv) {
  // The built-in keys, and one of gale-test's own beside them.
  gale::AppKeys keys = gale::builtin_app_keys();
  keys.define("app.test_number", 7, "a number /test/settings shows")
      .range(0, 1000);
  return gale::run(
      [](const gale::Config& config) {
        gale::Application app = gale::make_builtin_app(config);
        gale::testing::add_test_routes(app);
        return app;
      },
      argc, argv, keys);
}

// gale-test: the built-in application plus the test-only routes.
#include "master/run.hpp"
#include "server/app/builtin_app.hpp"
#include "tests/support/test_routes.hpp"

int main(int argc, char** argv) {
  return gale::run(
      [](const gale::Config& config) {
        gale::Application app = gale::make_builtin_app(config);
        gale::testing::add_test_routes(app);
        return app;
      },
      argc, argv);
}

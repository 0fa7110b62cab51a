// The smallest gale application (SPEC §6): build it, run it, curl it.
//   ./hello_world --port 8080 --workers 2
#include <gale/gale.hpp>

struct MainHandler : gale::RequestHandler {
  void get() override { write("Hello, world"); }
};

int main(int argc, char** argv) {
  gale::Application app({{"/", gale::handler<MainHandler>()}});
  return gale::run(app, argc, argv);
}

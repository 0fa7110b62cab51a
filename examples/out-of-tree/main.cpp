// Flags, YAML, the master and its workers: all from gale::run.
#include "greeter_app.hpp"

int main(int argc, char** argv) {
  gale::Application app = make_greeter_app();
  return gale::run(app, argc, argv);
}

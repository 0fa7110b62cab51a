#include "greeter_app.hpp"

#include <string>

namespace {

struct GreetHandler : gale::RequestHandler {
  void get() override {
    set_header("Content-Type", "text/plain; charset=utf-8");
    write("Greetings, " + std::string(path_arg("name")) + "!\n");
  }
};

}  // namespace

gale::Application make_greeter_app() {
  return gale::Application({{"/greet/{name}", gale::handler<GreetHandler>()}});
}

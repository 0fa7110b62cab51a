// A tour of the handler API, the README's "Writing an application" example
// compiled as it stands (CI builds it, so the README cannot drift).
//   ./tour --port 8080 --workers 2
//   curl localhost:8080/user/42      curl localhost:8080/post/7
//   curl 'localhost:8080/sleep?ms=250'
//   curl -d '{"n": 2}' localhost:8080/double
#include <gale/gale.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <chrono>
#include <string>

struct MainHandler : gale::RequestHandler {
  void get() override { write("Hello, world"); }
};

// Finishes later without blocking the loop: a coroutine on the worker's
// loop, cancelled if the client goes away.
struct SleepHandler : gale::RequestHandler {
  void get() override {
    std::string text = get_argument("ms", "100");
    int ms = -1;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size() || ms < 0 ||
        ms > 10000)
      throw gale::HttpError(400, "ms must be an integer in 0..10000");
    spawn(sleep(ms));
  }
  boost::asio::awaitable<void> sleep(int ms) {
    boost::asio::steady_timer t(executor(), std::chrono::milliseconds(ms));
    co_await t.async_wait(boost::asio::use_awaitable);  // the loop runs on
    write("slept " + std::to_string(ms));               // finished on return
  }
};

// A named path argument: /user/{id}.
struct UserHandler : gale::RequestHandler {
  void get() override { write("user " + std::string(path_arg("id"))); }
};

// A regex route: groups become positional path arguments.
struct PostHandler : gale::RequestHandler {
  void get() override { write("post " + path_args()[0]); }
};

// JSON in and out, on Boost.JSON: a malformed body answers 400.
struct DoubleHandler : gale::RequestHandler {
  void post() override {
    boost::json::value in = json_body();
    const boost::json::value* n =
        in.is_object() ? in.as_object().if_contains("n") : nullptr;
    if (!n || !n->is_int64()) throw gale::HttpError(400, "want {\"n\": int}");
    write(boost::json::value{{"n", n->as_int64()},
                             {"doubled", 2 * n->as_int64()}});
  }
};

int main(int argc, char** argv) {
  gale::Application app({
      {"/", gale::handler<MainHandler>()},
      {"/sleep", gale::handler<SleepHandler>()},
      {"/user/{id}", gale::handler<UserHandler>()},  // path_arg("id")
      {gale::regex("^/post/(\\d+)$"), gale::handler<PostHandler>()},
      {"/double", gale::handler<DoubleHandler>()},
  });
  return gale::run(app, argc, argv);  // flags + YAML + master + workers
}

#include "server/app/builtin_app.hpp"

#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <chrono>

#include "server/app/chat.hpp"
#include "server/app/websocket_routes.hpp"
#include "server/core/worker_state.hpp"
#include "server/static/static_file_handler.hpp"

namespace gale {
namespace {

constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";

struct MainHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", kTextPlain);
    write("Hello, world");
  }
};

struct HelloHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", kTextPlain);
    write("Hello, ");
    write(path_arg("name"));  // already percent-decoded by the router
  }
};

// Answers the body byte for byte with the request's own Content-Type.
struct EchoHandler : RequestHandler {
  void post() override { echo(); }
  void put() override { echo(); }

 private:
  void echo() {
    std::string_view type = request().header("Content-Type");
    set_header("Content-Type",
               type.empty() ? "application/octet-stream" : type);
    // A body spooled to its temp file goes back with sendfile(2), never
    // through the worker's memory.
    if (auto file = request().body_file()) {
      write_file(std::move(file), 0, request().body_size());
    } else {
      write(request().body());
    }
  }
};

struct InfoHandler : RequestHandler {
  void get() override {
    const WorkerState& w = this_worker();
    write(boost::json::object{{"pid", static_cast<std::int64_t>(::getpid())},
                              {"worker", w.index},
                              {"generation", w.generation},
                              {"requests", w.requests},
                              {"connections", w.connections}});
  }
};

// Waits on a timer, never blocking the loop: a hundred of these at once
// finish together.
struct SleepHandler : RequestHandler {
  static constexpr long kMaxMs = 60000;

  void get() override {
    std::string ms_text = get_argument("ms", "0");
    long ms = -1;
    auto [end, ec] =
        std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
    if (ec != std::errc() || end != ms_text.data() + ms_text.size() || ms < 0 ||
        ms > kMaxMs)
      throw HttpError(400, "ms must be an integer in 0..60000");
    spawn(sleep_then_answer(ms));
  }

 private:
  boost::asio::awaitable<void> sleep_then_answer(long ms) {
    boost::asio::steady_timer timer(executor(), std::chrono::milliseconds(ms));
    co_await timer.async_wait(boost::asio::use_awaitable);
    set_header("Content-Type", kTextPlain);
    write("slept " + std::to_string(ms));
  }
};

// For load balancers: 503 as soon as the worker starts draining, so traffic
// moves elsewhere before the listener closes.
struct HealthHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", kTextPlain);
    set_header("Cache-Control", "no-store");
    if (this_worker().draining()) {
      set_status(503);
      write("draining");
    } else {
      write("ok");
    }
  }
};

// Settings from the built-in keys; a config without them (one made in a
// test, not loaded) leaves the defaults.
Settings builtin_settings(const Config& config) {
  Settings settings;
  settings.template_path =
      config.app.get_or<std::string>("app.template_path", "");
  settings.cookie_secrets =
      config.app.get_or<std::vector<std::string>>("app.cookie_secrets", {});
  settings.xsrf_cookies = config.app.get_or<bool>("app.xsrf_cookies", false);
  return settings;
}

}  // namespace

AppKeys builtin_app_keys() {
  AppKeys keys;
  keys.define("app.template_path", "",
              "where render() finds templates (relative to the working "
              "directory; empty: the working directory)");
  keys.define("app.cookie_secrets", std::vector<std::string>{},
              "secrets of signed cookies: the first signs, all verify")
      .check([](const AppValue& value) -> std::string {
        for (const auto& s : std::get<std::vector<std::string>>(value)) {
          if (s.empty()) return "a secret must not be empty";
        }
        return {};
      });
  keys.define("app.xsrf_cookies", false,
              "refuse POST/PUT/PATCH/DELETE without the _xsrf token");
  return keys;
}

Application make_builtin_app(const Config& config) {
  Application app(
      {
          {"/", handler<MainHandler>()},
          {"/hello/{name}", handler<HelloHandler>()},
          {"/echo", handler<EchoHandler>()},
          {"/info", handler<InfoHandler>()},
          {"/sleep", handler<SleepHandler>()},
          {"/health", handler<HealthHandler>()},
      },
      builtin_settings(config));
  ChatOptions chat;
  chat.poll_timeout =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(config.chat.poll_timeout_s));
  add_chat_routes(app, chat);
  add_websocket_routes(app);
  // SPEC §3 GET /static/{path}; the loader leaves root empty when it is off.
  if (!config.static_files.root.empty()) {
    StaticFileOptions files;
    files.root = config.static_files.root;
    files.cache_control = config.static_files.cache_control;
    app.add({config.static_files.prefix + "{path:path}",
             static_files(std::move(files))});
  }
  return app;
}

}  // namespace gale

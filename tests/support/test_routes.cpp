#include "tests/support/test_routes.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#include "server/web/pubsub.hpp"
#include "server/web/websocket_handler.hpp"

namespace gale::testing {
namespace {

long ms_argument(const RequestHandler& h, long fallback) {
  return std::strtol(h.get_argument("ms", std::to_string(fallback)).c_str(),
                     nullptr, 10);
}

// Blocks the whole event loop, as a buggy handler calling sleep() would.
struct BlockHandler : RequestHandler {
  void get() override {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(ms_argument(*this, 1000)));
    write("blocked");
  }
};

struct CrashHandler : RequestHandler {
  void get() override { std::abort(); }
};

struct ThrowHandler : RequestHandler {
  void get() override { throw std::runtime_error("deliberate failure"); }
};

// Streams `n` chunks, each flushed, `ms` apart.
struct StreamHandler : RequestHandler {
  void get() override { spawn(stream()); }

 private:
  boost::asio::awaitable<void> stream() {
    long n = std::strtol(get_argument("n", "3").c_str(), nullptr, 10);
    long ms = ms_argument(*this, 10);
    set_header("Content-Type", "text/plain");
    for (long i = 0; i < n; ++i) {
      write("chunk " + std::to_string(i) + "\n");
      flush();
      boost::asio::steady_timer t(executor(), std::chrono::milliseconds(ms));
      co_await t.async_wait(boost::asio::use_awaitable);
    }
  }
};

// Starts a response, flushes part of it, then fails: the client must see a
// truncated response and a closed connection, never a hang or a crash.
// ?async=1 fails from a coroutine after a timer, otherwise at once.
struct StreamThenThrowHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", "text/plain");
    write("partial\n");
    flush();
    if (get_argument("async", "0") == "1") {
      spawn(fail_later());
      return;
    }
    throw std::runtime_error("deliberate failure after flush");
  }

 private:
  boost::asio::awaitable<void> fail_later() {
    boost::asio::steady_timer t(executor(), std::chrono::milliseconds(20));
    co_await t.async_wait(boost::asio::use_awaitable);
    throw std::runtime_error("deliberate failure after flush");
  }
};

// POST /test/publish?channel=C publishes the request body: answers the id,
// or 503 with the status when it was not published.
struct PublishHandler : RequestHandler {
  void post() override { spawn(publish()); }

 private:
  boost::asio::awaitable<void> publish() {
    pubsub::PublishResult r = co_await pubsub().publish(
        get_argument("channel", "test"), std::string(request().body()));
    set_header("Content-Type", "text/plain");
    if (r.status != pubsub::PublishStatus::published) {
      set_status(503);
      write(r.status == pubsub::PublishStatus::invalid ? "invalid"
                                                       : "unavailable");
      co_return;
    }
    write(r.id);
  }
};

// GET /test/history?channel=C&cursor=X: this worker's kept messages after
// the cursor, one "id body" line each, so a test can compare workers.
struct HistoryHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", "text/plain");
    std::string out;
    for (const auto& m : pubsub().after(get_argument("channel", "test"),
                                        get_argument("cursor", ""))) {
      out += m->id;
      out += ' ';
      out += m->body;
      out += '\n';
    }
    write(out);
  }
};

// /test/ws/tasks: a WebSocketHandler that co_awaits. "quick" answers "done"
// after 10 ms; "wait" answers after 60 s (a test closes first: the task
// must be cancelled and the handler freed); "throw" fails its task.
int live_task_sockets = 0;

struct TaskSocket : WebSocketHandler {
  TaskSocket() { ++live_task_sockets; }
  ~TaskSocket() override { --live_task_sockets; }

  void on_message(std::string_view message, bool) override {
    if (message == "throw") return spawn(fail());
    spawn(answer_after(message == "wait" ? std::chrono::seconds(60)
                                         : std::chrono::milliseconds(10)));
  }

 private:
  boost::asio::awaitable<void> answer_after(
      std::chrono::steady_clock::duration delay) {
    boost::asio::steady_timer timer(executor(), delay);
    co_await timer.async_wait(boost::asio::use_awaitable);
    write_message("done");
  }
  boost::asio::awaitable<void> fail() {
    co_await boost::asio::post(executor(), boost::asio::use_awaitable);
    throw std::runtime_error("deliberate task failure");
  }
};

// GET /test/ws/live: how many TaskSocket handlers this worker holds.
struct LiveTaskSocketsHandler : RequestHandler {
  void get() override { write(std::to_string(live_task_sockets)); }
};

// GET /test/client: the client as a handler sees it, "remote_ip protocol"
// (behind a proxy in proxy.trusted: the forwarded address and scheme).
struct ClientHandler : RequestHandler {
  void get() override {
    set_header("Content-Type", "text/plain");
    write(std::string(request().remote_ip()) + " " +
          std::string(request().protocol()));
  }
};

// PUT/POST /test/upload: a handler that streams its body (Tornado's
// @stream_request_body) and answers what it saw: bytes, pieces,
// the largest piece, an FNV-1a digest, and what body() held at the end,
// as "bytes=N pieces=N largest=N fnv=N body=N".
// `X-Refuse: 1` refuses it in prepare() (403, before any body); with
// `X-Limit: N` a body past N bytes is refused midway (413).
struct UploadHandler : RequestHandler {
  static constexpr bool stream_request_body = true;

  void prepare() override {
    if (!request().header("X-Refuse").empty()) send_error(403);
    limit_ = std::strtoull(
        std::string(request().header("X-Limit", "0")).c_str(), nullptr, 10);
  }
  void data_received(std::string_view chunk) override {
    bytes_ += chunk.size();
    ++pieces_;
    largest_ = std::max<std::uint64_t>(largest_, chunk.size());
    for (unsigned char c : chunk)
      digest_ = (digest_ ^ c) * 1099511628211ull;
    if (limit_ && bytes_ > limit_) throw HttpError(413, "upload too large");
  }
  void put() override { answer(); }
  void post() override { answer(); }

 private:
  void answer() {
    set_header("Content-Type", "text/plain");
    write("bytes=" + std::to_string(bytes_) + " pieces=" +
          std::to_string(pieces_) + " largest=" + std::to_string(largest_) +
          " fnv=" + std::to_string(digest_) +
          " body=" + std::to_string(request().body().size()));
  }
  std::uint64_t limit_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t pieces_ = 0;
  std::uint64_t largest_ = 0;
  std::uint64_t digest_ = 14695981039346656037ull;
};

// What the handlers see of the settings, from the built-in app's keys and
// gale-test's own app.test_number.
struct SettingsHandler : RequestHandler {
  void get() override {
    boost::json::array secrets;
    for (const std::string& s : settings().cookie_secrets)
      secrets.emplace_back(s);
    write(boost::json::object{
        {"template_path", settings().template_path},
        {"cookie_secrets", std::move(secrets)},
        {"xsrf_cookies", settings().xsrf_cookies},
        {"test_number", settings().get<int>("app.test_number")},
    });
  }
};

// test.mustache from app.template_path, with ?name=.
struct RenderHandler : RequestHandler {
  void get() override {
    render("test.mustache", {{"name", get_argument("name", "")}});
  }
};

}  // namespace

void add_test_routes(Application& app) {
  app.add({"/test/settings", handler<SettingsHandler>()});
  app.add({"/test/render", handler<RenderHandler>()});
  app.add({"/test/upload", handler<UploadHandler>()});
  app.add({"/test/ws/tasks", handler<TaskSocket>()});
  app.add({"/test/ws/live", handler<LiveTaskSocketsHandler>()});
  app.add({"/test/block", handler<BlockHandler>()});
  app.add({"/test/crash", handler<CrashHandler>()});
  app.add({"/test/throw", handler<ThrowHandler>()});
  app.add({"/test/stream", handler<StreamHandler>()});
  app.add({"/test/stream_then_throw", handler<StreamThenThrowHandler>()});
  app.add({"/test/publish", handler<PublishHandler>()});
  app.add({"/test/history", handler<HistoryHandler>()});
  app.add({"/test/client", handler<ClientHandler>()});
}

}  // namespace gale::testing

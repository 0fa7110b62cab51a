#include "tests/support/test_routes.hpp"

#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

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

}  // namespace

void add_test_routes(Application& app) {
  app.add({"/test/block", handler<BlockHandler>()});
  app.add({"/test/crash", handler<CrashHandler>()});
  app.add({"/test/throw", handler<ThrowHandler>()});
  app.add({"/test/stream", handler<StreamHandler>()});
  app.add({"/test/stream_then_throw", handler<StreamThenThrowHandler>()});
}

}  // namespace gale::testing

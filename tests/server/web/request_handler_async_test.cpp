// RequestHandler over an in-memory ResponseChannel: streaming with flush(),
// write_file(), finish() and its misuse, finish_later(), a client that
// leaves, and coroutines started with spawn().
#include "server/web/request_handler.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/server/web/request_handler_fixture.hpp"

namespace gale {
namespace {

using web_test::kGet;
using web_test::RequestHandlerTest;

// ---- streaming
// --------------------------------------------------------------------

struct StreamingHandler : RequestHandler {
  void get() override {
    write("one,");
    flush();
    write("two,");
    flush();
    write("three");
  }
};

TEST_F(RequestHandlerTest, FlushStreamsWithoutContentLength) {
  run<StreamingHandler>(kGet);
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_EQ(channel_.length, std::nullopt);  // chunked on the wire
  EXPECT_EQ(channel_.pieces,
            (std::vector<std::string>{"one,", "two,", "three"}));
  EXPECT_EQ(channel_.flushes, 2);
  EXPECT_EQ(channel_.ends, 1);
}

struct EmptyFlushHandler : RequestHandler {
  void get() override {
    flush();
    sent_after_flush = headers_sent();
  }
  bool sent_after_flush = false;
};

TEST_F(RequestHandlerTest, FlushWithNothingBufferedSendsTheHeadOnly) {
  auto h = run<EmptyFlushHandler>(kGet);
  EXPECT_TRUE(h->sent_after_flush);
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_TRUE(channel_.pieces.empty());
  EXPECT_EQ(channel_.ends, 1);
}

struct FileHandler : RequestHandler {
  void get() override {
    auto fd =
        std::make_shared<const FileDescriptor>(::open("/dev/null", O_RDONLY));
    write_file(fd, 10, 90);
  }
};

TEST_F(RequestHandlerTest, WriteFileSendsItsLengthAndTheRange) {
  run<FileHandler>(kGet);
  EXPECT_EQ(channel_.length, 90u);
  ASSERT_EQ(channel_.files.size(), 1u);
  EXPECT_EQ(channel_.files[0].offset, 10u);
  EXPECT_EQ(channel_.files[0].length, 90u);
  EXPECT_EQ(channel_.ends, 1);
}

// ---- finish
// ----------------------------------------------------------------------

struct FinishTwiceHandler : RequestHandler {
  void get() override {
    finish("once");
    finish();
  }
  void on_finish() override { ++finishes; }
  int finishes = 0;
};

TEST_F(RequestHandlerTest, FinishTwiceIsLoggedAndIgnored) {
  ::testing::internal::CaptureStderr();
  auto h = run<FinishTwiceHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_EQ(channel_.body(), "once");
  EXPECT_EQ(h->finishes, 1);
  EXPECT_NE(log.find("finish() called twice for GET /x"), std::string::npos)
      << log;
}

struct WriteAfterFinishHandler : RequestHandler {
  void get() override {
    finish("done");
    write("more");
  }
};

TEST_F(RequestHandlerTest, WriteAfterFinishIsLoggedAndTheResponseStands) {
  ::testing::internal::CaptureStderr();
  run<WriteAfterFinishHandler>(kGet);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.starts, 1);
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_EQ(channel_.body(), "done");
  EXPECT_NE(log.find("write() after finish()"), std::string::npos) << log;
}

struct LaterHandler : RequestHandler {
  void get() override {
    finish_later();
    write("queued ");
  }
  void on_connection_close() override { ++closes; }
  int closes = 0;
};

TEST_F(RequestHandlerTest, FinishLaterKeepsTheResponseOpen) {
  auto h = run<LaterHandler>(kGet);
  EXPECT_EQ(channel_.starts, 0);
  EXPECT_EQ(channel_.ends, 0);
  EXPECT_FALSE(h->finished());
  h->write("later");
  h->finish();
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_EQ(channel_.body(), "queued later");
  EXPECT_EQ(channel_.length, 12u);
}

TEST_F(RequestHandlerTest, ConnectionCloseNotifiesAndDetachesTheChannel) {
  auto h = run<LaterHandler>(kGet);
  EXPECT_TRUE(h->connection_open());
  channel_.open = false;
  harness_.close_connection();
  EXPECT_EQ(h->closes, 1);
  EXPECT_FALSE(h->connection_open());
  harness_.close_connection();  // idempotent
  EXPECT_EQ(h->closes, 1);
  h->finish();  // nobody to answer: nothing reaches the old channel
  EXPECT_TRUE(h->finished());
  EXPECT_EQ(channel_.starts, 0);
  EXPECT_EQ(channel_.ends, 0);
}

TEST_F(RequestHandlerTest, PendingBytesComeFromTheChannel) {
  auto h = run<LaterHandler>(kGet);
  channel_.pending = 1234;
  EXPECT_EQ(h->pending_bytes(), 1234u);
  h->finish();
}

// ---- coroutines
// --------------------------------------------------------------------

struct SleepyHandler : RequestHandler {
  explicit SleepyHandler(int ms = 1, bool fail = false)
      : ms_(ms), fail_(fail) {}
  void get() override { spawn(sleep_then_answer()); }
  boost::asio::awaitable<void> sleep_then_answer() {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                    std::chrono::milliseconds(ms_));
    try {
      co_await timer.async_wait(boost::asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      cancelled = e.code() == boost::asio::error::operation_aborted;
      throw;
    }
    if (fail_) throw std::runtime_error("task failed");
    write("slept");
  }
  void on_connection_close() override { ++closes; }
  int ms_;
  bool fail_;
  bool cancelled = false;
  int closes = 0;
};

TEST_F(RequestHandlerTest, SpawnedTaskFinishesTheResponseWhenItReturns) {
  auto h = run<SleepyHandler>(kGet);
  EXPECT_EQ(channel_.ends, 0);  // the loop has not run yet
  loop_.run();
  EXPECT_EQ(channel_.status, 200);
  EXPECT_EQ(channel_.body(), "slept");
  EXPECT_EQ(channel_.ends, 1);
}

TEST_F(RequestHandlerTest, SpawnedTaskThatThrowsIs500) {
  ::testing::internal::CaptureStderr();
  auto h = run<SleepyHandler>(kGet, {}, 1, true);
  loop_.run();
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(channel_.status, 500);
  EXPECT_EQ(channel_.ends, 1);
  EXPECT_NE(log.find("task failed"), std::string::npos) << log;
}

TEST_F(RequestHandlerTest, ClientGoneCancelsTheSpawnedTask) {
  auto h = run<SleepyHandler>(kGet, {}, 60000);
  loop_.poll();  // the task starts and waits on its timer
  auto start = std::chrono::steady_clock::now();
  harness_.close_connection();
  loop_.run();  // returns at once: the timer was cancelled
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(h->cancelled);
  EXPECT_EQ(h->closes, 1);
  EXPECT_EQ(channel_.starts, 0);  // nobody to answer
  EXPECT_EQ(channel_.ends, 0);
}

}  // namespace
}  // namespace gale

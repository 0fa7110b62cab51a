// FdWatcher, the generic half of the hiredis adapter, over a socketpair on
// a real loop: interest toggled, callbacks re-armed while wanted, cleanup
// from inside a callback, nothing after cleanup, and the fd never closed.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>

#include "server/pubsub/redis/asio_event_adapter.hpp"

namespace gale::pubsub::redis {
namespace {

using namespace std::chrono_literals;

class RedisFdWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0);
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int ours() const { return fds_[0]; }
  void send_byte() { ASSERT_EQ(::write(fds_[1], "x", 1), 1); }
  bool read_byte() {
    char c;
    return ::read(fds_[0], &c, 1) == 1;
  }
  bool fd_open() const { return ::fcntl(fds_[0], F_GETFD) != -1; }
  // Runs the loop until `done` or 2 s.
  template <class Done>
  void run_until(Done done) {
    for (int i = 0; i < 200 && !done(); ++i) {
      loop_.restart();
      loop_.run_for(10ms);
    }
  }
  void run_briefly() {
    loop_.restart();
    loop_.run_for(50ms);
  }

  boost::asio::io_context loop_;
  int fds_[2] = {-1, -1};
};

TEST_F(RedisFdWatcherTest, CallsOnReadableWhileWantedOnly) {
  int reads = 0;
  auto w = FdWatcher::create(
      loop_, ours(), [&] { reads += read_byte() ? 1 : 0; }, [] {});
  send_byte();
  w->add_read();
  run_until([&] { return reads == 1; });
  EXPECT_EQ(reads, 1);

  w->del_read();
  send_byte();
  run_briefly();
  EXPECT_EQ(reads, 1) << "called with read interest off";

  // The byte waited while interest was off: it is seen once interest is
  // back, even though its readiness edge came earlier.
  w->add_read();
  run_until([&] { return reads == 2; });
  EXPECT_EQ(reads, 2);
  w->cleanup();
  EXPECT_TRUE(fd_open());
}

TEST_F(RedisFdWatcherTest, RepeatsOnWritableUntilInterestIsDropped) {
  int writable = 0;
  std::shared_ptr<FdWatcher> w;
  w = FdWatcher::create(
      loop_, ours(), [] {},
      [&] {
        if (++writable == 3) w->del_write();
      });
  w->add_write();
  w->add_write();  // idempotent: still one wait
  run_until([&] { return writable >= 3; });
  run_briefly();
  EXPECT_EQ(writable, 3);
  w->cleanup();
}

TEST_F(RedisFdWatcherTest, CleanupInsideACallbackStopsEverything) {
  int reads = 0;
  int writes = 0;
  std::weak_ptr<FdWatcher> weak;
  {
    auto w = FdWatcher::create(
        loop_, ours(),
        [&] {
          ++reads;
          read_byte();
          weak.lock()->cleanup();  // as hiredis does when it frees a context
        },
        [&] { ++writes; });
    weak = w;
    w->add_read();
  }  // only the watcher's own reference is left
  send_byte();
  run_until([&] { return reads == 1; });
  EXPECT_EQ(reads, 1);
  send_byte();
  run_briefly();
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(writes, 0);
  EXPECT_TRUE(weak.expired()) << "the watcher outlived its cleanup";
  EXPECT_TRUE(fd_open()) << "the watcher closed an fd it does not own";
}

TEST_F(RedisFdWatcherTest, NoCallbackAfterCleanupWithWaitsPending) {
  int calls = 0;
  std::weak_ptr<FdWatcher> weak;
  {
    auto w = FdWatcher::create(
        loop_, ours(), [&] { ++calls; }, [&] { ++calls; });
    weak = w;
    w->add_read();
    w->add_write();  // a socketpair is writable at once
    w->cleanup();
    w->add_read();  // after cleanup: ignored
  }
  send_byte();
  run_briefly();
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(weak.expired());
  EXPECT_TRUE(fd_open());
}

}  // namespace
}  // namespace gale::pubsub::redis

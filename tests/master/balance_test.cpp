// Accepting with SO_REUSEPORT (SPEC §2 reuse_port): each worker opens its
// own listener and the kernel spreads connections over them. The spread
// itself is measured by scripts/measure/, not asserted here.
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/master/support/fixture.hpp"
#include "tests/master/support/load.hpp"

namespace gale::mtest {

using namespace gale::test;  // the shared test support

namespace {

TEST_F(MasterTest, ReusePortWorkersEachServe) {
  server_.start_basic(2, "reuse_port: true\n");
  ASSERT_TRUE(server_.wait_ready());
  EXPECT_TRUE(server_.wait_for_log("SO_REUSEPORT per worker", 1s));
  std::map<int, long> seen = pids_by_index(server_.port(), 2);
  EXPECT_EQ(seen.size(), 2u);
  std::map<long, int> per_pid;
  for (const Info& i : info_burst(server_.port(), 64, 5s))
    ++per_pid[i.pid];
  std::string spread;
  for (const auto& [pid, n] : per_pid)
    spread += std::to_string(n) + " ";
  std::cout << "64-connection burst over 2 reuse_port workers: " << spread
            << "\n";
  EXPECT_EQ(http_get(server_.port(), "/").status, 200);
}

// The master's own copy of a reuse_port address only reserves it: were it
// listening, the kernel would queue a share of the connections on it,
// where no one ever accepts them.
TEST_F(MasterTest, ReusePortMasterTakesNoConnections_Issue3) {
  server_.start_basic(2, "reuse_port: true\n");
  ASSERT_TRUE(server_.wait_ready());
  int answered = 0;
  std::string failures;
  for (int i = 0; i < 48; ++i) {
    Reply r = http_get(server_.port(), "/", 2s);
    if (r.ok() && r.status == 200)
      ++answered;
    else
      failures += r.describe() + "\n";
  }
  EXPECT_EQ(answered, 48) << failures;
  EXPECT_EQ(info_burst(server_.port(), 64, 5s).size(), 64u);
}

// A reload with reuse_port hands every worker a new socket of its own;
// the port keeps answering throughout.
TEST_F(MasterTest, ReusePortSurvivesAReload) {
  server_.start_basic(2, "reuse_port: true\n");
  ASSERT_TRUE(server_.wait_ready());
  server_.signal(SIGHUP);
  ASSERT_TRUE(server_.wait_for_log("reload complete", 15s));
  EXPECT_EQ(pids_by_index(server_.port(), 2, 5s, 2).size(), 2u);
}

// With reuse_port a retiring worker's own socket goes away with its
// accept queue: it first stops taking handshakes, then accepts what is
// queued, so no connection is reset across reloads.
TEST_F(MasterTest, ReusePortReloadsUnderLoadFailNoRequest) {
  server_.start_basic(2, "reuse_port: true\n");
  ASSERT_TRUE(server_.wait_ready());
  ClientLoad load(
      {.port = server_.port(), .keepalive_threads = 4, .fresh_threads = 8});
  std::this_thread::sleep_for(300ms);
  for (int k = 1; k <= 4; ++k) {
    std::size_t before = server_.count_in_log("reload complete");
    server_.signal(SIGHUP);
    ASSERT_TRUE(server_.wait_for_log("reload complete", 15s, before + 1));
    std::this_thread::sleep_for(400ms);
  }
  load.stop();
  std::string samples;
  for (const auto& s : load.failure_samples())
    samples += s + "\n";
  std::cout << load.successes() << " requests, " << load.failures()
            << " failed\n";
  EXPECT_EQ(load.failures(), 0) << samples;
  EXPECT_GT(load.successes(), 300);
}

}  // namespace
}  // namespace gale::mtest

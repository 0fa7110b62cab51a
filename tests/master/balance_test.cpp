// Accepting with SO_REUSEPORT (SPEC §2 reuse_port): each worker opens its
// own listener and the kernel spreads connections over them. The spread
// itself is measured by scripts/measure/, not asserted here.
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/master/support/fixture.hpp"

namespace gale::mtest {
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
    Response r = http_get(server_.port(), "/", 2s);
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

}  // namespace
}  // namespace gale::mtest

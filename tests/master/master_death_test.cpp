// Workers never outlive the master (issue 3 §3): PR_SET_PDEATHSIG and EOF
// on the control socket make them close their listeners at once, finish
// what is in flight, and exit.
#include <signal.h>

#include <gtest/gtest.h>

#include <set>

#include "tests/master/support/fixture.hpp"

namespace gale::mtest {

using namespace gale::test;  // the shared test support

namespace {

using Steady = std::chrono::steady_clock;

bool none_alive(const std::set<pid_t>& pids) {
  for (pid_t p : pids)
    if (is_alive(p)) return false;
  return true;
}

TEST_F(MasterTest, KillingTheMasterTakesIdleWorkersAndThePortWithinASecond) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  std::set<pid_t> workers = server_.workers();
  ASSERT_EQ(workers.size(), 2u);
  ASSERT_FALSE(port_is_free(server_.port()));

  auto t0 = Steady::now();
  server_.signal(SIGKILL);
  bool gone = wait_until(
      [&] { return none_alive(workers) && port_is_free(server_.port()); }, 5s,
      2ms);
  double ms = elapsed_ms(t0);
  ASSERT_TRUE(gone) << "workers or the port outlived the master";
  std::cout << "no worker and the port free " << ms
            << " ms after kill -9 of the master\n";
  RecordProperty("orphans_gone_ms", static_cast<int>(ms));
  EXPECT_LT(ms, 1000);
  ASSERT_TRUE(server_.wait_exit(1s));
  EXPECT_TRUE(group_members(server_.pid()).empty());
}

// Idle keep-alive connections do not hold the port: the listeners close at
// once, and the workers close those connections after the stop grace and
// exit, all within a second (SPEC §5). With a grace of 1 s checked on a
// 100 ms tick they used to exit 1.03-1.08 s after the master died; with
// 700 ms, about 0.8 s.
TEST_F(MasterTest, KillingTheMasterWithIdleKeepAliveConnections_Issue3) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  std::set<pid_t> workers = server_.workers();
  std::vector<HttpClient> idle(8);
  for (auto& c : idle) {
    ASSERT_TRUE(c.connect(server_.port()));
    ASSERT_EQ(c.get("/").status, 200);
  }
  auto t0 = Steady::now();
  server_.signal(SIGKILL);
  EXPECT_TRUE(wait_until([&] { return port_is_free(server_.port()); }, 1s, 2ms))
      << "the port is still taken 1 s after the master died";
  double port_ms = elapsed_ms(t0);
  ASSERT_TRUE(wait_until([&] { return none_alive(workers); }, 3s, 2ms));
  double gone_ms = elapsed_ms(t0);
  std::cout << "port free after " << port_ms << " ms, workers gone after "
            << gone_ms << " ms\n";
  EXPECT_LT(gone_ms, 1000);
  for (auto& c : idle) {
    Reply r = c.read_reply(1s);
    EXPECT_NE(r.outcome, Outcome::timeout) << "closed, not left hanging";
  }
}

TEST_F(MasterTest, KillingTheMasterLetsTheRequestInFlightFinish) {
  server_.start_basic(1);
  ASSERT_TRUE(server_.wait_ready());
  std::set<pid_t> workers = server_.workers();
  HttpClient c;
  ASSERT_TRUE(c.connect(server_.port()));
  ASSERT_TRUE(c.send("GET /sleep?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(200ms);

  auto t0 = Steady::now();
  server_.signal(SIGKILL);
  // The listener goes at once, while the request is still running.
  EXPECT_TRUE(wait_until([&] { return port_is_free(server_.port()); }, 1s, 2ms))
      << "the port is still taken 1 s after the master died";
  EXPECT_FALSE(none_alive(workers)) << "the worker waits for its request";
  Reply r = c.read_reply(5s);
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slept 1500");
  EXPECT_TRUE(r.closes()) << "a stopping worker closes after answering";
  EXPECT_TRUE(wait_until([&] { return none_alive(workers); }, 2s, 2ms));
  std::cout << "worker exited " << elapsed_ms(t0)
            << " ms after kill -9 of the master\n";
}

}  // namespace
}  // namespace gale::mtest

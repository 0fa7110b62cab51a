// Signals to the master (SPEC §5, issue 3 §4): graceful and immediate
// stop, log reopening, one worker more or less, and the pidfile.
#include <signal.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <set>

#include "tests/master/support/fixture.hpp"
#include "tests/master/support/load.hpp"

namespace gale::mtest {

using namespace gale::test;  // the shared test support

namespace {

using Steady = std::chrono::steady_clock;

std::set<int> indexes_answering(int port, int connections) {
  std::set<int> out;
  for (const Info& i : info_burst(port, connections, 2s))
    out.insert(i.worker);
  return out;
}

TEST_F(MasterTest, SigtermFinishesEveryRequestInFlightThenExits0) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  std::set<pid_t> workers = server_.workers();
  ASSERT_EQ(workers.size(), 2u);

  // A keep-alive connection that has served a request and sits idle.
  HttpClient idle;
  ASSERT_TRUE(idle.connect(server_.port()));
  ASSERT_EQ(idle.get("/").status, 200);

  std::vector<HttpClient> sleepers(10);
  for (auto& c : sleepers) {
    ASSERT_TRUE(c.connect(server_.port()));
    ASSERT_TRUE(c.send("GET /sleep?ms=2000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  // Until every sleeper is accepted and in its handler.
  std::this_thread::sleep_for(300ms);
  auto t0 = Steady::now();
  server_.signal(SIGTERM);

  // The drain shows on an open keep-alive connection: 503, then close.
  std::this_thread::sleep_for(200ms);
  Reply health = idle.get("/health", 3s);
  ASSERT_TRUE(health.ok()) << health.describe();
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body, "draining");
  EXPECT_TRUE(health.closes());

  // New connections are refused once the listeners are closed.
  std::this_thread::sleep_for(300ms);
  HttpClient late;
  int err = 0;
  EXPECT_FALSE(late.connect(server_.port(), 3s, &err));
  EXPECT_EQ(err, ECONNREFUSED) << std::strerror(err);

  for (std::size_t i = 0; i < sleepers.size(); ++i) {
    Reply r = sleepers[i].read_reply(5s);
    ASSERT_TRUE(r.ok()) << "sleeper " << i << ": " << r.describe();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "slept 2000");
  }
  auto status = server_.wait_exit(8s);
  ASSERT_TRUE(status) << "the master did not exit";
  std::cout << "master exited " << elapsed_ms(t0) << " ms after SIGTERM\n";
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
  for (pid_t w : workers)
    EXPECT_FALSE(is_alive(w)) << "worker " << w << " outlived the master";
  EXPECT_TRUE(group_members(server_.pid()).empty());
  EXPECT_TRUE(port_is_free(server_.port()));
}

// Under keep-alive load, a graceful stop fails no request: each connection
// gets its last answer with Connection: close, and only the reconnections
// after the listeners closed are refused.
TEST_F(MasterTest, SigtermUnderKeepAliveLoadOnlyRefusesNewConnections) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  ClientLoad load(
      {.port = server_.port(), .keepalive_threads = 8, .fresh_threads = 1});
  std::this_thread::sleep_for(500ms);
  long before = load.successes();
  server_.signal(SIGTERM);
  auto status = server_.wait_exit(8s);
  std::this_thread::sleep_for(200ms);
  load.stop();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0);
  std::string samples;
  for (const auto& s : load.failure_samples())
    samples += s + "\n";
  std::cout << load.successes() << " requests (" << before
            << " before SIGTERM), " << load.refused() << " refused, "
            << load.failures() - load.refused() << " other failures\n";
  EXPECT_GT(before, 50);
  EXPECT_EQ(load.failures() - load.refused(), 0) << samples;
  EXPECT_GT(load.refused(), 0) << "the listeners closed";
}

TEST_F(MasterTest, SigquitStopsAtOnceLeavingNothing) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  std::set<pid_t> workers = server_.workers();
  HttpClient c;
  ASSERT_TRUE(c.connect(server_.port()));
  ASSERT_TRUE(c.send("GET /sleep?ms=5000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(200ms);

  auto t0 = Steady::now();
  server_.signal(SIGQUIT);
  auto status = server_.wait_exit(3s);
  ASSERT_TRUE(status) << "the master did not exit";
  double ms = elapsed_ms(t0);
  std::cout << "master exited " << ms << " ms after SIGQUIT\n";
  EXPECT_LT(ms, 1500);
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
  EXPECT_TRUE(
      wait_until([&] { return group_members(server_.pid()).empty(); }, 1s));
  for (pid_t w : workers)
    EXPECT_FALSE(is_alive(w));
  Reply r = c.read_reply(2s);
  EXPECT_FALSE(r.ok()) << "the request in flight was cut short";
}

// A first SIGINT drains like SIGTERM; a second one (Ctrl-C again) stops
// at once.
TEST_F(MasterTest, SecondSigintStopsAtOnce) {
  server_.start_basic(1);
  ASSERT_TRUE(server_.wait_ready());
  HttpClient c;
  ASSERT_TRUE(c.connect(server_.port()));
  ASSERT_TRUE(c.send("GET /sleep?ms=8000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(200ms);
  server_.signal(SIGINT);
  EXPECT_FALSE(server_.wait_exit(500ms)) << "the first SIGINT drains";
  auto t0 = Steady::now();
  server_.signal(SIGINT);
  auto status = server_.wait_exit(3s);
  ASSERT_TRUE(status);
  EXPECT_LT(elapsed_ms(t0), 1500);
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
  EXPECT_TRUE(
      wait_until([&] { return group_members(server_.pid()).empty(); }, 1s));
}

// A stop that arrives while a reload is starting its new generation ends
// both generations.
TEST_F(MasterTest, SigtermDuringAReloadLeavesNothing) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  server_.signal(SIGHUP);
  server_.signal(SIGTERM);
  auto status = server_.wait_exit(8s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
  EXPECT_TRUE(
      wait_until([&] { return group_members(server_.pid()).empty(); }, 1s));
  EXPECT_TRUE(port_is_free(server_.port()));
}

TEST_F(MasterTest, SigusrOneReopensTheAccessLog) {
  std::string log_path = (server_.dir() / "access.log").string();
  server_.set_port(free_port());
  server_.launch({.yaml = basic_yaml(server_.port(), 2),
                  .args = {"--access-log", log_path}});
  ASSERT_TRUE(server_.wait_ready());
  ASSERT_EQ(http_get(server_.port(), "/hello/before").status, 200);
  ASSERT_TRUE(wait_until(
      [&] {
        return read_file(log_path).find("/hello/before") != std::string::npos;
      },
      3s));

  std::string rotated = log_path + ".1";
  std::filesystem::rename(log_path, rotated);
  server_.signal(SIGUSR1);
  ASSERT_TRUE(server_.wait_for_log("reopening log files", 3s));
  int n = 0;
  bool reopened = wait_until(
      [&] {
        info_burst(server_.port(), 4, 2s);  // reach both workers
        http_get(server_.port(), "/hello/after-" + std::to_string(++n));
        return std::filesystem::exists(log_path) &&
               read_file(log_path).find("/hello/after-") != std::string::npos;
      },
      5s, 50ms);
  EXPECT_TRUE(reopened) << "no new access log with the new lines";
  EXPECT_NE(read_file(rotated).find("/hello/before"), std::string::npos);
  EXPECT_EQ(read_file(log_path).find("/hello/before"), std::string::npos);
}

TEST_F(MasterTest, PidfileHoldsTheMasterPidAndGoesAwayOnExit) {
  std::filesystem::path pidfile = server_.dir() / "gale.pid";
  server_.set_port(free_port());
  server_.launch({.yaml = basic_yaml(server_.port(), 1),
                  .args = {"--pidfile", pidfile.string()}});
  ASSERT_TRUE(server_.wait_ready());
  EXPECT_EQ(read_file(pidfile), std::to_string(server_.pid()) + "\n");
  server_.signal(SIGTERM);
  auto status = server_.wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0);
  EXPECT_FALSE(std::filesystem::exists(pidfile));
}

// The worker SIGTTOU removes hands its connections over like a reload.
TEST_F(MasterTest, SigttinAndSigttouUnderLoadFailNoRequest) {
  server_.start_basic(3);
  ASSERT_TRUE(server_.wait_ready());
  ClientLoad load(
      {.port = server_.port(), .keepalive_threads = 6, .fresh_threads = 6});
  std::this_thread::sleep_for(300ms);
  for (int k = 0; k < 2; ++k) {
    server_.signal(SIGTTOU);
    ASSERT_TRUE(wait_until([&] { return server_.workers().size() == 2; }, 5s));
    std::this_thread::sleep_for(300ms);
    server_.signal(SIGTTIN);
    ASSERT_TRUE(wait_until([&] { return server_.workers().size() == 3; }, 5s));
    std::this_thread::sleep_for(300ms);
  }
  load.stop();
  std::string samples;
  for (const auto& s : load.failure_samples())
    samples += s + "\n";
  EXPECT_EQ(load.failures(), 0) << samples;
  EXPECT_GT(load.successes(), 300);
}

TEST_F(MasterTest, SigttinAddsAWorkerAndSigttouRemovesOne) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  std::set<pid_t> initial = server_.workers();

  server_.signal(SIGTTIN);
  ASSERT_TRUE(wait_until([&] { return server_.workers().size() == 3; }, 5s));
  std::map<int, long> seen = pids_by_index(server_.port(), 3);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen.count(2)) << "the new worker has index 2";
  EXPECT_TRUE(server_.wait_for_log("SIGTTIN: now 3 workers", 1s));

  server_.signal(SIGTTOU);
  ASSERT_TRUE(wait_until([&] { return server_.workers().size() == 2; }, 8s))
      << "the removed worker did not exit";
  EXPECT_EQ(server_.workers(), initial) << "the last index was removed";
  EXPECT_TRUE(server_.wait_for_log("SIGTTOU: now 2 workers", 1s));
  std::set<int> indexes;
  for (int i = 0; i < 5; ++i)
    for (int x : indexes_answering(server_.port(), 8))
      indexes.insert(x);
  EXPECT_EQ(indexes, (std::set<int>{0, 1}));

  // Never below one worker.
  server_.signal(SIGTTOU);
  ASSERT_TRUE(wait_until([&] { return server_.workers().size() == 1; }, 8s));
  server_.signal(SIGTTOU);
  EXPECT_TRUE(server_.wait_for_log("already at one worker", 3s));
  EXPECT_EQ(server_.workers().size(), 1u);
  EXPECT_EQ(http_get(server_.port(), "/").status, 200);
}

}  // namespace
}  // namespace gale::mtest

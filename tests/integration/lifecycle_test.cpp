// SPEC §5 as seen from outside with --workers 1: SIGTERM stops gracefully
// (in-flight requests finish, exit 0), whether or not a master process
// sits in front of the worker.
#include <signal.h>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

using Clock = std::chrono::steady_clock;
using LifecycleTest = GaleTest;

TEST_F(LifecycleTest, SigtermWithNothingInFlightExits0Promptly) {
  HttpClient idle = connect();  // an idle keep-alive connection
  ASSERT_TRUE(idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());
  auto start = Clock::now();
  server().signal(SIGTERM);
  auto status = server().wait_exit(5s);
  ASSERT_TRUE(status) << "still running 5 s after SIGTERM";
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
  // The idle connection does not hold the drain up to graceful_timeout_s.
  EXPECT_LT(Clock::now() - start, 1500ms);
  EXPECT_TRUE(idle.wait_closed(1s));
}

TEST_F(LifecycleTest, SigtermLetsTheRequestInFlightFinish) {
  HttpClient c = send("GET /sleep?ms=500 HTTP/1.1\r\nHost: t\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  server().signal(SIGTERM);
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << "the in-flight request was dropped: "
                 << describe(c.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slept 500");
  EXPECT_EQ(r->header("Connection"), "close")
      << "a draining server should say it closes";
  auto status = server().wait_exit(5s);
  ASSERT_TRUE(status) << "still running 5 s after SIGTERM";
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
}

TEST_F(LifecycleTest, NoNewConnectionsAfterTheDrain) {
  server().signal(SIGTERM);
  auto status = server().wait_exit(5s);
  ASSERT_TRUE(status);
  EXPECT_FALSE(port_accepts(port()));
}

TEST_F(LifecycleTest, StderrHasNoErrorsInANormalRun) {
  ASSERT_TRUE(get(port(), "/"));
  ASSERT_TRUE(get(port(), "/nowhere"));
  ExitStatus s = server().stop(5s);
  EXPECT_TRUE(s.exited && s.code == 0) << s.describe();
  std::string err = server().stderr_text();
  EXPECT_EQ(err.find("error"), std::string::npos) << err;
}

TEST_F(LifecycleTest, CrashedWorkerIsReplacedAndServesAgain) {
  // SPEC §5: a worker that dies is replaced (same index) within a second.
  auto before = get(port(), "/info");
  ASSERT_TRUE(before);
  HttpClient c = send("GET /test/crash HTTP/1.1\r\nHost: t\r\n\r\n");
  std::string got;
  Outcome end = c.read_until_close(got, 3s);
  EXPECT_TRUE(end == Outcome::eof || end == Outcome::reset) << describe(end);
  EXPECT_EQ(got, "") << "a crashed worker cannot have answered";
  auto deadline = Clock::now() + 3s;
  std::optional<HttpResponse> after;
  while (Clock::now() < deadline) {
    after = get(port(), "/info");
    if (after && after->status == 200) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(after && after->status == 200) << "no worker serves any more";
  EXPECT_NE(after->body, before->body);
  EXPECT_NE(after->body.find("\"worker\":0"), std::string::npos) << after->body;
}

}  // namespace
}  // namespace gale::itest

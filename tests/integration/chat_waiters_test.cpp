// A thousand long-polls waiting on /chat/updates across several workers,
// and one post: every one of them gets exactly that message (issue 10).
// Correctness only: the wake-up latency is bench/'s business.
#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tests/support/chat_client.hpp"
#include "tests/support/gale_test.hpp"
#include "tests/support/wait.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

constexpr int kWaiters = 1000;

// The test holds a thousand sockets and so does the server, which inherits
// this limit: raise the soft limit as far as needed (the hard one allows).
void raise_nofile(rlim_t wanted) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= wanted) return;
  rl.rlim_cur = std::min(wanted, rl.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &rl);
}

class ChatThousandWaitersTest : public GaleTest,
                                public ::testing::WithParamInterface<int> {
 protected:
  static void SetUpTestSuite() { raise_nofile(4 * kWaiters + 256); }

  ServerOptions options() override {
    ServerOptions o;
    o.workers = GetParam();
    o.log_level = "info";
    o.yaml = "chat:\n  poll_timeout_s: 60\n";
    return o;
  }

  std::string post(const std::string& body) {
    return ChatClient(port()).post_ok(body);
  }
};

TEST_P(ChatThousandWaitersTest, OnePostWakesEveryOneOfAThousandWaiters) {
  rlimit rl{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur < 2 * kWaiters + 64)
    GTEST_SKIP() << "RLIMIT_NOFILE " << rl.rlim_cur << " is too low";
  std::string last = post("start");
  ASSERT_FALSE(last.empty());
  std::vector<HttpClient> waiters;
  waiters.reserve(kWaiters);
  for (int i = 0; i < kWaiters; ++i) {
    HttpClient c;
    ASSERT_TRUE(c.connect(port(), 5s)) << "waiter " << i << ": " << c.error();
    ASSERT_TRUE(c.send(chat_poll_request(last)));
    waiters.push_back(std::move(c));
  }
  // Nobody is answered before the post (a poll reaching its worker after
  // the post is answered at once with the same one message, so this wait
  // only makes the test mean what it says, not pass).
  std::this_thread::sleep_for(500ms);
  int early = 0;
  for (auto& w : waiters)
    if (!w.still_open(0ms)) ++early;
  EXPECT_EQ(early, 0) << "polls answered before anything was posted";

  std::string id = post("wake");
  ASSERT_FALSE(id.empty());
  const std::string expected =
      R"({"messages":[{"id":")" + id + R"(","body":"wake"}]})";
  int woken = 0;
  std::map<std::string, int> wrong;  // unexpected outcomes, counted
  auto deadline = std::chrono::steady_clock::now() + 30s;
  for (auto& w : waiters) {
    auto left = std::chrono::duration_cast<Millis>(
        deadline - std::chrono::steady_clock::now());
    auto r = w.read_response(std::max(left, Millis(100)));
    if (!r)
      ++wrong[std::string("no response: ") + describe(w.last_end())];
    else if (r->status != 200 || r->body != expected)
      ++wrong[std::to_string(r->status) + " " + r->body.substr(0, 200)];
    else
      ++woken;
  }
  EXPECT_EQ(woken, kWaiters);
  for (const auto& [what, n] : wrong)
    ADD_FAILURE() << n << " waiters got: " << what;
  // Each got it once: nothing more follows on any connection.
  int extra = 0;
  for (auto& w : waiters)
    if (!w.leftover().empty()) ++extra;
  EXPECT_EQ(extra, 0);
}

INSTANTIATE_TEST_SUITE_P(Workers, ChatThousandWaitersTest,
                         ::testing::Values(2, 4), [](const auto& info) {
                           return std::to_string(info.param) + "Workers";
                         });

}  // namespace
}  // namespace gale::itest

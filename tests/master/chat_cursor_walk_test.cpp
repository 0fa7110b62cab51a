// Clients walking the chat's cursor see every message exactly once, in the
// one order, while a worker is killed with SIGKILL (the master restarts it)
// and the master reloads on SIGHUP (issue 10).
//
// Each walker polls /chat/updates with the last id it saw, on a fresh
// connection each time (so its polls move between workers, old and new),
// and simply re-polls with the same cursor after a connection error or an
// error status. A publisher posts numbered bodies meanwhile, retrying a
// failed post. The truth is the history the server ends with (kept whole:
// pubsub.history is far above the number of posts); every walker's list of
// ids must equal it, and it must hold every body the publisher saw
// accepted.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/master/support/fixture.hpp"
#include "tests/support/chat_client.hpp"

namespace gale::mtest {

using namespace gale::test;

namespace {

constexpr int kMessages = 300;
constexpr int kWalkers = 6;

// One exchange on a fresh connection: the 200 answer's body, or nullopt
// after any failure (refused, reset, cut, timeout, non-200).
std::optional<std::string> exchange(int port, const std::string& request,
                                    Millis timeout) {
  HttpClient c;
  if (!c.connect(port, 2s) || !c.send(request)) return std::nullopt;
  auto r = c.read_response(timeout);
  if (!r || r->status != 200) return std::nullopt;
  return r->body;
}

// Follows the cursor until it has seen the body `last_body` or `stop`.
std::vector<ChatMessage> walk(int port, const std::string& last_body,
                              const std::atomic<bool>& stop) {
  std::vector<ChatMessage> seen;
  std::string cursor;
  while (!stop) {
    auto body = exchange(port, chat_poll_request(cursor, true), 10s);
    if (!body) {
      std::this_thread::sleep_for(10ms);  // a worker going away: re-poll
      continue;
    }
    for (ChatMessage& e : chat_messages(*body))
      seen.push_back(std::move(e));
    if (!seen.empty()) cursor = seen.back().id;
    if (!seen.empty() && seen.back().body == last_body) break;
  }
  return seen;
}

class ChatCursorWalkTest : public MasterTest {
 protected:
  void publish_all(std::vector<std::string>& accepted) {
    for (int i = 0; i < kMessages; ++i) {
      std::string body = "m" + std::to_string(i);
      for (int attempt = 0; attempt < 200; ++attempt) {
        auto r = exchange(server_.port(), chat_post_request(body, true), 10s);
        if (r && !chat_messages(*r).empty()) {
          accepted.push_back(chat_messages(*r).front().id);
          break;
        }
        std::this_thread::sleep_for(20ms);
      }
      if (i == kMessages / 3) kill_a_worker();
      if (i == 2 * kMessages / 3) server_.signal(SIGHUP);
      std::this_thread::sleep_for(2ms);
    }
  }

  void kill_a_worker() {
    std::map<int, long> pids = pids_by_index(server_.port(), 2, 5s);
    ASSERT_FALSE(pids.empty());
    killed_ = pids.begin()->second;
    ::kill(static_cast<pid_t>(killed_), SIGKILL);
  }

  long killed_ = -1;
};

TEST_F(ChatCursorWalkTest,
       EveryWalkerSeesEveryMessageOnceAcrossKillAndHup_Issue10) {
  server_.start_basic(2,
                      "pubsub:\n  history: 5000\n"
                      "chat:\n  poll_timeout_s: 2\n"
                      "workers_policy:\n  graceful_timeout_s: 3\n");
  ASSERT_TRUE(server_.wait_ready());
  const std::string last_body = "m" + std::to_string(kMessages - 1);
  std::atomic<bool> stop{false};
  std::vector<std::vector<ChatMessage>> walked(kWalkers);
  std::vector<std::thread> walkers;
  for (int w = 0; w < kWalkers; ++w)
    walkers.emplace_back(
        [&, w] { walked[w] = walk(server_.port(), last_body, stop); });
  std::vector<std::string> accepted;
  publish_all(accepted);
  // Bounded: the walkers end at the last body, or here.
  std::thread timer([&] {
    for (int i = 0; i < 600 && !stop; ++i)
      std::this_thread::sleep_for(100ms);
    stop = true;
  });
  for (auto& t : walkers)
    t.join();
  stop = true;
  timer.join();
  EXPECT_GT(killed_, 0);
  EXPECT_EQ(accepted.size(), static_cast<std::size_t>(kMessages));

  // The whole history: an empty cursor, until an answer ends at the last
  // body (a worker that is just starting may not hold it yet).
  std::vector<ChatMessage> truth;
  ASSERT_TRUE(wait_until(
      [&] {
        auto r =
            exchange(server_.port(), form_post("/chat/updates", "", true), 5s);
        truth = r ? chat_messages(*r) : std::vector<ChatMessage>{};
        return !truth.empty() && truth.back().body == last_body;
      },
      20s, 50ms));
  std::vector<std::string> truth_ids;
  std::set<std::string> bodies;
  for (const ChatMessage& e : truth) {
    truth_ids.push_back(e.id);
    bodies.insert(e.body);
  }
  EXPECT_EQ(std::set<std::string>(truth_ids.begin(), truth_ids.end()).size(),
            truth_ids.size());
  for (int i = 0; i < kMessages; ++i)
    EXPECT_TRUE(bodies.count("m" + std::to_string(i))) << "m" << i << " lost";
  for (const std::string& id : accepted)
    EXPECT_NE(std::find(truth_ids.begin(), truth_ids.end(), id),
              truth_ids.end())
        << "accepted id " << id << " is not in the history";

  for (int w = 0; w < kWalkers; ++w) {
    std::vector<std::string> ids;
    for (const ChatMessage& e : walked[w])
      ids.push_back(e.id);
    if (ids == truth_ids) continue;
    // Say where it went wrong, not 300 ids.
    std::size_t at = 0;
    while (at < ids.size() && at < truth_ids.size() && ids[at] == truth_ids[at])
      ++at;
    ADD_FAILURE() << "walker " << w << " saw " << ids.size() << " ids, the "
                  << "history holds " << truth_ids.size()
                  << "; first difference at " << at << ": walker "
                  << (at < ids.size() ? ids[at] + " " + walked[w][at].body
                                      : "(end)")
                  << ", history "
                  << (at < truth.size() ? truth_ids[at] + " " + truth[at].body
                                        : "(end)");
  }
}

}  // namespace
}  // namespace gale::mtest

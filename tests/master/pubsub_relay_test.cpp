// Pub/sub across workers through the master's relay (issue 10): a publish
// on any worker lands in every worker's history in one order, and a worker
// that starts (after kill -9, after SIGHUP) gets the whole history first.
// Uses the gale-test routes /test/publish and /test/history.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/master/support/fixture.hpp"

namespace gale::mtest {

using namespace gale::test;  // the shared test support

namespace {

// Publishes `body` on a fresh connection (so publishes spread over the
// workers); returns the id, or "" on failure.
std::string publish(int port, const std::string& channel,
                    const std::string& body) {
  HttpClient c;
  if (!c.connect(port, 2s)) return "";
  std::string req =
      "POST /test/publish?channel=" + channel +
      " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  if (!c.send(req)) return "";
  auto r = c.read_response(5s);
  return r && r->status == 200 ? r->body : "";
}

// Each worker's history of `channel`, by worker index, read through fresh
// connections until all `workers` indexes have answered.
std::map<int, std::string> histories(int port, int workers,
                                     const std::string& channel) {
  std::map<int, std::string> seen;
  wait_until(
      [&] {
        HttpClient c;
        if (!c.connect(port, 1s)) return false;
        auto info = get_info(c, 2s);
        if (!info) return false;
        Reply r = c.get("/test/history?channel=" + channel, 2s);
        if (r.ok() && r.status == 200) seen[info->worker] = r.body;
        return static_cast<int>(seen.size()) >= workers;
      },
      10s, 1ms);
  return seen;
}

std::size_t line_count(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// Waits until every worker holds `n` lines and all agree; returns the one
// history, or "" (and reports) if they never did.
std::string agreed_history(int port, int workers, const std::string& channel,
                           std::size_t n) {
  std::map<int, std::string> last;
  bool ok = wait_until(
      [&] {
        last = histories(port, workers, channel);
        if (static_cast<int>(last.size()) < workers) return false;
        for (const auto& [w, h] : last)
          if (line_count(h) != n || h != last.begin()->second) return false;
        return true;
      },
      15s, 20ms);
  if (!ok) {
    for (const auto& [w, h] : last)
      ADD_FAILURE() << "worker " << w << " holds " << line_count(h)
                    << " lines, expected " << n;
    return "";
  }
  return last.begin()->second;
}

// The ids and bodies of a history, checked: ids unique and increasing.
void expect_ordered(const std::string& history,
                    const std::vector<std::string>& ids) {
  std::istringstream in(history);
  std::string line, previous;
  std::set<std::string> seen;
  std::size_t i = 0;
  while (std::getline(in, line)) {
    std::string id = line.substr(0, line.find(' '));
    EXPECT_TRUE(seen.insert(id).second) << "repeated id " << id;
    EXPECT_LT(previous, id);
    previous = id;
    if (i < ids.size()) EXPECT_EQ(id, ids[i]) << "at line " << i;
    ++i;
  }
}

void every_worker_sees_every_publish(GaleProcess& server, int workers) {
  server.start_basic(workers);
  ASSERT_TRUE(server.wait_ready());
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    ids.push_back(publish(server.port(), "room", "m" + std::to_string(i)));
    ASSERT_FALSE(ids.back().empty()) << "publish " << i;
  }
  std::string h = agreed_history(server.port(), workers, "room", 30);
  expect_ordered(h, ids);
  EXPECT_NE(h.find(ids[29] + " m29\n"), std::string::npos);
}

TEST_F(MasterTest, PublishReachesBothWorkersInOneOrder_Issue10) {
  every_worker_sees_every_publish(server_, 2);
}

TEST_F(MasterTest, PublishReachesFourWorkersInOneOrder_Issue10) {
  every_worker_sees_every_publish(server_, 4);
}

TEST_F(MasterTest, AReplacedWorkerStartsWithTheWholeHistory_Issue10) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i)
    ids.push_back(publish(server_.port(), "room", "m" + std::to_string(i)));
  std::string before = agreed_history(server_.port(), 2, "room", 10);
  ASSERT_FALSE(before.empty());
  std::map<int, long> pids = pids_by_index(server_.port(), 2);
  ASSERT_EQ(pids.size(), 2u);
  ::kill(static_cast<pid_t>(pids[1]), SIGKILL);
  ASSERT_TRUE(wait_until(
      [&] {
        auto now = pids_by_index(server_.port(), 2, 2s);
        return now.size() == 2 && now[1] != pids[1];
      },
      10s, 20ms));
  EXPECT_EQ(agreed_history(server_.port(), 2, "room", 10), before);
  // And it takes part in what follows.
  ids.push_back(publish(server_.port(), "room", "after"));
  expect_ordered(agreed_history(server_.port(), 2, "room", 11), ids);
}

TEST_F(MasterTest, ANewGenerationStartsWithTheWholeHistory_Issue10) {
  server_.start_basic(2);
  ASSERT_TRUE(server_.wait_ready());
  for (int i = 0; i < 10; ++i)
    ASSERT_FALSE(
        publish(server_.port(), "room", "m" + std::to_string(i)).empty());
  std::string before = agreed_history(server_.port(), 2, "room", 10);
  ASSERT_FALSE(before.empty());
  std::size_t done = server_.count_in_log("reload complete");
  server_.signal(SIGHUP);
  ASSERT_TRUE(server_.wait_for_log("reload complete", 15s, done + 1));
  ASSERT_EQ(pids_by_index(server_.port(), 2, 10s, 2).size(), 2u);
  EXPECT_EQ(agreed_history(server_.port(), 2, "room", 10), before);
}

TEST_F(MasterTest, ABurstOf2000PublishesArrivesEverywhereOnceInOrder_Issue10) {
  server_.start_basic(4, "pubsub:\n  history: 5000\n");
  ASSERT_TRUE(server_.wait_ready());
  constexpr int kClients = 8, kEach = 250;
  std::vector<std::thread> clients;
  std::vector<int> failures(kClients, 0);
  for (int t = 0; t < kClients; ++t)
    clients.emplace_back([&, t] {
      HttpClient c;
      if (!c.connect(server_.port(), 2s)) {
        failures[t] = kEach;
        return;
      }
      for (int i = 0; i < kEach; ++i) {
        std::string body = std::to_string(t) + "." + std::to_string(i);
        std::string req =
            "POST /test/publish?channel=burst HTTP/1.1\r\nHost: t\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
        auto r = c.send(req) ? c.read_response(5s) : std::nullopt;
        if (!r || r->status != 200) ++failures[t];
      }
    });
  for (auto& t : clients)
    t.join();
  for (int t = 0; t < kClients; ++t)
    EXPECT_EQ(failures[t], 0) << "client " << t;
  std::string h = agreed_history(server_.port(), 4, "burst", 2000);
  expect_ordered(h, {});
}

}  // namespace
}  // namespace gale::mtest

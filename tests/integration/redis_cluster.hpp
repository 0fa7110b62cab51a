// Support of the Redis integration tests (SPEC §7): a redis-server of the
// test's own on a free 127.0.0.1 port, with an append-only file so a kill -9
// and a restart keep its data, and a fixture that runs several gale-test
// instances (the "hosts") sharing it through `pubsub.backend: redis`.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "tests/support/chat_client.hpp"
#include "tests/support/gale_test.hpp"
#include "tests/support/net.hpp"
#include "tests/support/spawn.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/ws_client.hpp"

namespace gale::itest {

using namespace gale::test;

inline constexpr const char* kRedisServer = "/usr/bin/redis-server";

inline bool have_redis_server() {
  return ::access(kRedisServer, X_OK) == 0;
}

// One redis-server, stopped by its pid when the object goes.
class RedisServer {
 public:
  RedisServer() : dir_("gale-redis"), port_(free_port()) {}
  ~RedisServer() { stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts it (again, on the same port and data) and waits until it
  // accepts connections.
  bool start() {
    SpawnOptions o;
    o.argv = {kRedisServer,
              "--port",
              std::to_string(port_),
              "--bind",
              "127.0.0.1",
              "--save",
              "",
              "--appendonly",
              "yes",
              "--appendfsync",
              "always",
              "--dir",
              dir_.path().string()};
    o.cwd = dir_.path();
    o.out = dir_ / "redis.out";
    o.err = dir_ / "redis.err";
    pid_ = spawn(o);
    return wait_until([&] { return port_accepts(port_); }, 10s);
  }
  // kill -9, and reaped.
  void kill9() { end(SIGKILL); }
  void stop() { end(SIGTERM); }
  int port() const { return port_; }
  std::string url() const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/0";
  }

 private:
  void end(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    bool reaped = wait_until(
        [&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, 5s);
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  TempDir dir_;
  int port_;
  pid_t pid_ = -1;
};

// Instances of gale-test (`--workers 2`) sharing the test's redis-server.
// Skips when there is no redis-server to start.
class RedisGaleTest : public GaleTest {
 protected:
  static constexpr int kWorkers = 2;

  void SetUp() override {
    if (!have_redis_server())
      GTEST_SKIP() << kRedisServer << " is missing (apt-get install "
                   << "redis-server): the Redis backend is not tested";
    ASSERT_TRUE(redis_.start()) << "redis-server did not start";
  }

  virtual std::string poll_timeout() { return "10"; }

  // One more instance on `redis_url` (the test's Redis by default); waits
  // until every worker has synced with Redis when `wait_live`.
  GaleProcess& add_instance(std::string redis_url = {}, bool wait_live = true) {
    ServerOptions o;
    o.workers = kWorkers;
    o.yaml = "pubsub:\n  backend: redis\n  redis_url: \"" +
             (redis_url.empty() ? redis_.url() : redis_url) +
             "\"\n  prefix: t\n  history: 50\nchat:\n  poll_timeout_s: " +
             poll_timeout() + "\n";
    GaleProcess& p = start_server(std::move(o));
    if (wait_live)
      EXPECT_TRUE(p.wait_for_log("redis: connected to", 10s, kWorkers))
          << p.stderr_text();
    return p;
  }

  // The chat of instance `p`.
  static ChatClient chat(GaleProcess& p) { return ChatClient(p.port()); }
  // One long-poll with `cursor` sent on every worker of `p` (each
  // connection asks /info first to learn which worker holds it).
  std::vector<HttpClient> polls_on_every_worker(GaleProcess& p,
                                                const std::string& cursor) {
    std::vector<HttpClient> polls;
    std::set<long long> workers;
    for (int tries = 0; tries < 200 && workers.size() < kWorkers; ++tries) {
      HttpClient c;
      if (!c.connect(p.port())) continue;
      Reply r = c.get("/info");
      auto worker = json_field(r.body, "worker");
      if (!worker || !workers.insert(*worker).second) continue;
      c.send(chat_poll_request(cursor));
      polls.push_back(std::move(c));
    }
    EXPECT_EQ(workers.size(), static_cast<std::size_t>(kWorkers));
    return polls;
  }

  RedisServer redis_;
};

}  // namespace gale::itest

// The backend of `pubsub.backend: redis` (SPEC §7): every worker of every
// gale instance orders its messages through one Redis, so chat and
// /ws/chat rooms span hosts.
//
// Each worker holds two connections. The command connection publishes
// (one Lua script, publish_script.hpp: the message goes to the log stream
// and its channel's stream atomically, and its stream id is its id, a
// cursor valid on every instance) and reads histories. The reader
// connection loops on XREAD BLOCK over the log and hands each entry to
// hub.deliver() in the log's order; the BLOCK timeout doubles as a
// liveness check (no answer within twice it: the connection is dead).
//
// On every (re)connect: AUTH and SELECT, then the log's newest id L is read
// before the channels' histories, the hub is resynced from those, and the
// reader starts after L. Messages posted between L and the history reads
// arrive twice (in the history, then from XREAD), which the hub ignores, so
// a worker that was cut off catches up and keeps the order.
//
// Redis down, unreachable, refusing AUTH, or not answering: publishes
// complete `unavailable` (the chat answers 503), nothing is queued, and the
// backend reconnects with jittered exponential backoff; one warning when an
// outage starts, one line when Redis is back with how long it was gone.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "config/redis_url.hpp"
#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/pubsub/redis/publish_script.hpp"
#include "server/pubsub/redis/redis_connection.hpp"
#include "server/pubsub/redis/stream_id.hpp"

namespace gale::pubsub::redis {

struct RedisBackendOptions {
  RedisEndpoint endpoint;
  std::string where;  // the endpoint for log lines, without the password
  std::string prefix = "gale";
  std::size_t history = Hub::kDefaultHistory;
  std::chrono::milliseconds publish_timeout{5000};
  std::chrono::milliseconds block{5000};  // XREAD BLOCK
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5000};
};

class RedisBackend final : public Backend {
 public:
  // Starts connecting at once.
  RedisBackend(boost::asio::io_context& loop, Hub& hub,
               RedisBackendOptions options);
  ~RedisBackend() override;
  RedisBackend(const RedisBackend&) = delete;
  RedisBackend& operator=(const RedisBackend&) = delete;

  void publish(std::string channel, std::string body,
               PublishCompletion done) override;

  // A stream id newer than every log entry delivered here (or any stream
  // id before the first resync), unless its time is absurdly far ahead.
  bool ahead(std::string_view channel, std::string_view cursor) const override;

  // Before the loop goes (the worker's destructor): drops the connections
  // and timers, and with them every pending completion, uncalled; later
  // publishes are dropped too. The hub is not touched again.
  void shutdown();

  // Synced with Redis and reading its log (for tests and /info).
  bool live() const { return live_; }

 private:
  using Clock = std::chrono::steady_clock;

  // redis_backend.cpp: the connections' lifecycle and publishing.
  void connect();
  void on_connection_ready(std::uint64_t session);
  void on_lost(std::uint64_t session, const std::string& reason);
  void schedule_reconnect();
  void send_publish(std::string channel, std::string body,
                    PublishCompletion done);
  void on_published(const redisReply* reply, PublishCompletion& done);
  void complete_later(PublishCompletion done, PublishStatus status);
  void note_back();

  // redis_sync.cpp: catching up, then following the log.
  void begin_sync(std::uint64_t session);
  void on_newest_log_id(std::uint64_t session, const redisReply* reply);
  void on_channel_names(std::uint64_t session, const redisReply* reply);
  void on_channel_history(std::uint64_t session, const std::string& channel,
                          const redisReply* reply);
  void start_following(std::uint64_t session);
  void read_log(std::uint64_t session);
  void on_log_entries(std::uint64_t session, const redisReply* reply);
  bool current(std::uint64_t session) const { return session == session_; }

  boost::asio::io_context& loop_;
  Hub& hub_;
  RedisBackendOptions options_;
  RedisKeys keys_;
  std::string script_sha1_;
  std::string history_arg_;  // options_.history as text, for the script
  std::string log_bound_arg_;
  std::string block_arg_;    // options_.block in ms, for XREAD
  std::string channel_key_;  // scratch: "<prefix>:ch:<channel>"

  std::uint64_t session_ = 0;  // one per connect attempt; stale callbacks see
                               // an older one and do nothing
  std::string sync_from_;      // L: the log's newest id before the resync
  std::size_t histories_left_ = 0;
  std::string read_from_;           // the log id XREAD reads after
  std::optional<StreamId> newest_;  // newest log id delivered (or L)
  bool synced_once_ = false;
  bool live_ = false;

  std::chrono::milliseconds backoff_;
  std::minstd_rand jitter_;
  std::optional<boost::asio::steady_timer> reconnect_timer_;
  std::optional<Clock::time_point> outage_since_;
  bool ever_live_ = false;

  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  // Last: destroyed first, dropping their waiting callbacks uncalled.
  RedisConnection commands_;
  RedisConnection reader_;
};

}  // namespace gale::pubsub::redis

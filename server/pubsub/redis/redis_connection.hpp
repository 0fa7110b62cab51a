// One asynchronous connection to Redis on the worker's loop: hiredis for
// the protocol, the Asio adapter for the I/O, and what hiredis lacks on
// top: a deadline on every reply, a handshake (AUTH, SELECT), and a single
// report of the connection's end.
//
// Replies come back in the order commands were sent, so the completions
// wait in a queue, not in one allocation per command, and only the oldest
// command's deadline needs a timer: when it passes, the connection is taken
// for dead (a stuck or unreachable server looks exactly like that), closed,
// and every command still waiting gets a null reply.
//
// The object is never destroyed by the code it calls: open() and close()
// may be called from any callback, any number of times.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/redis_url.hpp"

struct redisAsyncContext;
struct redisReply;

namespace gale::pubsub::redis {

class RedisConnection {
 public:
  // The reply, or nullptr when the connection ended (or timed out) first.
  using OnReply = std::function<void(const redisReply*)>;
  using OnReady = std::function<void()>;
  // Why the connection ended: for the log, never with the password.
  using OnLost = std::function<void(const std::string& reason)>;

  static constexpr std::chrono::milliseconds kHandshakeTimeout{5000};

  RedisConnection(
      boost::asio::io_context& loop, RedisEndpoint endpoint,
      std::chrono::milliseconds handshake_timeout = kHandshakeTimeout);
  // Closes without calling anything back.
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects and sends the handshake; `on_ready` runs once it is answered,
  // `on_lost` once if the connection fails at any point until close().
  // Neither runs from inside open(). Closes a previous connection first.
  void open(OnReady on_ready, OnLost on_lost);
  // Ends the connection: waiting commands get nullptr, on_lost does not run.
  void close();
  // Handshake answered and not closed since.
  bool ready() const { return state_ == State::ready; }

  // Sends a command (at most kMaxArgs arguments); `done` runs with its
  // reply, which must come within `reply_within`. `done` runs exactly once
  // (unless this object is destroyed first): when the command cannot be
  // sent (no connection), with nullptr from a later turn; false then.
  static constexpr std::size_t kMaxArgs = 16;
  bool command(std::span<const std::string_view> args,
               std::chrono::milliseconds reply_within, OnReply done);
  bool command(std::initializer_list<std::string_view> args,
               std::chrono::milliseconds reply_within, OnReply done) {
    return command(std::span(args.begin(), args.size()), reply_within,
                   std::move(done));
  }

  std::size_t waiting() const { return waiting_.size(); }

  // Before the loop goes: closes without calling anything back and lets go
  // of every Asio object, so nothing touches the loop afterwards. The
  // connection cannot be opened again.
  void shutdown();

 private:
  enum class State : std::uint8_t { closed, connecting, ready };
  using Clock = std::chrono::steady_clock;
  struct Waiting {
    OnReply done;
    Clock::time_point deadline;
  };

  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* unused);

  void send_handshake();
  void take_reply(const redisReply* reply);
  void fail_later(OnReply done);
  void fail(const std::string& reason);
  void forget_context();
  void arm_deadline();
  void on_deadline();

  boost::asio::io_context& loop_;
  RedisEndpoint endpoint_;
  std::chrono::milliseconds handshake_timeout_;
  redisAsyncContext* context_ = nullptr;
  State state_ = State::closed;
  OnReady on_ready_;
  OnLost on_lost_;
  std::deque<Waiting> waiting_;
  std::optional<boost::asio::steady_timer> deadline_timer_;
  bool deadline_armed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// A reply's string (status, error or bulk), empty for any other type.
std::string_view reply_text(const redisReply* reply);
bool is_error(const redisReply* reply);

}  // namespace gale::pubsub::redis

#include "server/pubsub/redis/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <array>
#include <boost/asio/post.hpp>
#include <string>
#include <utility>

#include "server/pubsub/redis/asio_event_adapter.hpp"

namespace gale::pubsub::redis {

RedisConnection::RedisConnection(boost::asio::io_context& loop,
                                 RedisEndpoint endpoint,
                                 std::chrono::milliseconds handshake_timeout)
    : loop_(loop),
      endpoint_(std::move(endpoint)),
      handshake_timeout_(handshake_timeout),
      deadline_timer_(std::in_place, loop) {}

RedisConnection::~RedisConnection() {
  shutdown();
}

void RedisConnection::shutdown() {
  waiting_.clear();  // dropped uncalled: their owner is going too
  close();
  deadline_timer_.reset();
}

void RedisConnection::open(OnReady on_ready, OnLost on_lost) {
  close();
  if (!deadline_timer_) return;  // shut down
  on_ready_ = std::move(on_ready);
  on_lost_ = std::move(on_lost);
  state_ = State::connecting;
  redisAsyncContext* c =
      endpoint_.unix_path.empty()
          ? redisAsyncConnect(endpoint_.host.c_str(), endpoint_.port)
          : redisAsyncConnectUnix(endpoint_.unix_path.c_str());
  if (c == nullptr || c->err != 0) {
    std::string reason = c != nullptr ? c->errstr : "out of memory";
    if (c != nullptr) redisAsyncFree(c);
    // Reported from a later turn, as every failure is.
    boost::asio::post(loop_, [this, alive = std::weak_ptr<bool>(alive_),
                              reason = std::move(reason)] {
      if (!alive.expired() && state_ == State::connecting && !context_)
        fail(reason);
    });
    return;
  }
  context_ = c;
  c->data = this;
  attach(c, loop_);
  redisAsyncSetConnectCallback(c, on_connect);
  redisAsyncSetDisconnectCallback(c, on_disconnect);
  send_handshake();
}

// AUTH and SELECT when configured, then a PING whose answer says the
// connection is usable; all pipelined at once, under one deadline that
// also bounds the connect itself (hiredis has no connect timeout).
void RedisConnection::send_handshake() {
  auto refused = [this](const char* what) {
    return [this, what](const redisReply* reply) {
      if (reply != nullptr && is_error(reply))
        fail(std::string(what) + " refused: " + std::string(reply_text(reply)));
    };
  };
  if (!endpoint_.password.empty()) {
    if (endpoint_.username.empty())
      command({"AUTH", endpoint_.password}, handshake_timeout_,
              refused("AUTH"));
    else
      command({"AUTH", endpoint_.username, endpoint_.password},
              handshake_timeout_, refused("AUTH"));
  }
  if (endpoint_.db != 0) {
    std::string db = std::to_string(endpoint_.db);
    command({"SELECT", db}, handshake_timeout_, refused("SELECT"));
  }
  command({"PING"}, handshake_timeout_, [this](const redisReply* reply) {
    if (reply == nullptr || state_ != State::connecting) return;
    if (is_error(reply)) {
      fail("PING refused: " + std::string(reply_text(reply)));
      return;
    }
    state_ = State::ready;
    if (on_ready_) on_ready_();
  });
}

void RedisConnection::close() {
  state_ = State::closed;
  on_ready_ = nullptr;
  on_lost_ = nullptr;
  if (context_ != nullptr) {
    redisAsyncContext* c = context_;
    forget_context();
    // Deferred by hiredis when we are inside one of its reply callbacks;
    // the replies it still fails find no connection and are ignored.
    redisAsyncFree(c);
  }
  std::deque<Waiting> waiting = std::move(waiting_);
  waiting_.clear();
  for (Waiting& w : waiting)
    if (w.done) w.done(nullptr);
}

bool RedisConnection::command(std::span<const std::string_view> args,
                              std::chrono::milliseconds reply_within,
                              OnReply done) {
  if (context_ == nullptr || state_ == State::closed || args.empty() ||
      args.size() > kMaxArgs) {
    fail_later(std::move(done));
    return false;
  }
  std::array<const char*, kMaxArgs> argv;
  std::array<std::size_t, kMaxArgs> lengths;
  for (std::size_t i = 0; i < args.size(); ++i) {
    argv[i] = args[i].data();
    lengths[i] = args[i].size();
  }
  int status = redisAsyncCommandArgv(context_, on_reply, nullptr,
                                     static_cast<int>(args.size()), argv.data(),
                                     lengths.data());
  if (status != REDIS_OK) {
    fail_later(std::move(done));
    return false;
  }
  waiting_.push_back(Waiting{std::move(done), Clock::now() + reply_within});
  arm_deadline();
  return true;
}

void RedisConnection::fail_later(OnReply done) {
  if (!done) return;
  boost::asio::post(
      loop_, [alive = std::weak_ptr<bool>(alive_), done = std::move(done)] {
        if (!alive.expired()) done(nullptr);
      });
}

void RedisConnection::on_connect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self == nullptr || status == REDIS_OK) return;
  // hiredis frees the context when we return: it must not be freed here.
  std::string reason = context->errstr;
  self->forget_context();
  self->fail("cannot connect: " + reason);
}

void RedisConnection::on_disconnect(const redisAsyncContext* context,
                                    int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self == nullptr) return;
  std::string reason = status == REDIS_OK || context->errstr[0] == '\0'
                           ? std::string("connection closed")
                           : std::string(context->errstr);
  self->forget_context();
  self->fail(reason);
}

void RedisConnection::on_reply(redisAsyncContext* context, void* reply,
                               void* /*unused*/) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self != nullptr) self->take_reply(static_cast<redisReply*>(reply));
}

void RedisConnection::take_reply(const redisReply* reply) {
  if (waiting_.empty()) return;
  OnReply done = std::move(waiting_.front().done);
  waiting_.pop_front();
  if (done) done(reply);
}

void RedisConnection::fail(const std::string& reason) {
  if (state_ == State::closed) return;
  OnLost lost = std::move(on_lost_);
  close();
  if (lost) lost(reason);
}

void RedisConnection::forget_context() {
  if (context_ == nullptr) return;
  context_->data = nullptr;
  context_ = nullptr;
}

void RedisConnection::arm_deadline() {
  if (deadline_armed_ || waiting_.empty() || !deadline_timer_) return;
  deadline_armed_ = true;
  deadline_timer_->expires_at(waiting_.front().deadline);
  deadline_timer_->async_wait([this, alive = std::weak_ptr<bool>(alive_)](
                                  const boost::system::error_code&) {
    if (alive.expired()) return;
    deadline_armed_ = false;
    on_deadline();
  });
}

void RedisConnection::on_deadline() {
  if (state_ == State::closed || waiting_.empty()) return;
  if (waiting_.front().deadline <= Clock::now()) {
    fail("no reply from Redis in time");
    return;
  }
  arm_deadline();
}

std::string_view reply_text(const redisReply* reply) {
  if (reply == nullptr) return {};
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return {reply->str, reply->len};
    default:
      return {};
  }
}

bool is_error(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ERROR;
}

}  // namespace gale::pubsub::redis

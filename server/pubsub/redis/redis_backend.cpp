// RedisBackend, part one: the two connections' lifecycle, the outage log
// and publishing. Catching up and following the log: redis_sync.cpp.
#include "server/pubsub/redis/redis_backend.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <utility>

#include "server/core/log.hpp"

namespace gale::pubsub::redis {

RedisBackend::RedisBackend(boost::asio::io_context& loop, Hub& hub,
                           RedisBackendOptions options)
    : loop_(loop),
      hub_(hub),
      options_(std::move(options)),
      keys_(options_.prefix),
      script_sha1_(publish_script_sha1()),
      history_arg_(std::to_string(std::max<std::size_t>(1, options_.history))),
      log_bound_arg_(std::to_string(log_bound(options_.history))),
      block_arg_(std::to_string(options_.block.count())),
      backoff_(options_.backoff_min),
      jitter_(std::random_device{}()),
      reconnect_timer_(std::in_place, loop),
      commands_(loop, options_.endpoint),
      reader_(loop, options_.endpoint) {
  connect();
}

RedisBackend::~RedisBackend() {
  shutdown();
}

void RedisBackend::shutdown() {
  ++session_;
  live_ = false;
  commands_.shutdown();
  reader_.shutdown();
  reconnect_timer_.reset();
}

void RedisBackend::connect() {
  const std::uint64_t session = ++session_;
  live_ = false;
  auto ready = [this, session] { on_connection_ready(session); };
  auto lost = [this, session](const std::string& reason) {
    on_lost(session, reason);
  };
  commands_.open(ready, lost);
  reader_.open(ready, lost);
}

void RedisBackend::on_connection_ready(std::uint64_t session) {
  if (current(session) && commands_.ready() && reader_.ready())
    begin_sync(session);
}

// The one failure sink: either connection failing ends the session, so the
// two always come back together and the resync covers both.
void RedisBackend::on_lost(std::uint64_t session, const std::string& reason) {
  if (!current(session)) return;
  ++session_;
  live_ = false;
  commands_.close();  // waiting publishes complete `unavailable`
  reader_.close();
  if (!outage_since_) {
    outage_since_ = Clock::now();
    log::warning("redis: ", ever_live_ ? "lost " : "cannot use ",
                 options_.where, ": ", reason,
                 "; chat posts answer 503 until it is back");
  } else {
    log::debug("redis: still no ", options_.where, ": ", reason);
  }
  schedule_reconnect();
}

// Exponential backoff with jitter, so that the workers of every instance do
// not all knock at once when Redis comes back.
void RedisBackend::schedule_reconnect() {
  std::uniform_int_distribution<long> spread(0, backoff_.count() / 2);
  std::chrono::milliseconds delay(backoff_.count() / 2 + spread(jitter_));
  backoff_ = std::min(backoff_ * 2, options_.backoff_max);
  if (!reconnect_timer_) return;  // shut down
  reconnect_timer_->expires_after(delay);
  reconnect_timer_->async_wait([this, alive = std::weak_ptr<bool>(alive_)](
                                   const boost::system::error_code& ec) {
    if (!alive.expired() && !ec) connect();
  });
}

void RedisBackend::note_back() {
  live_ = true;
  backoff_ = options_.backoff_min;
  if (outage_since_) {
    auto gone = std::chrono::duration_cast<std::chrono::milliseconds>(
        Clock::now() - *outage_since_);
    log::warning("redis: ", options_.where, " is back after ",
                 gone.count() / 1000, '.', gone.count() % 1000 / 100,
                 " s; caught up");
    outage_since_.reset();
  } else if (!ever_live_) {
    log::debug("redis: connected to ", options_.where);
  }
  ever_live_ = true;
}

void RedisBackend::publish(std::string channel, std::string body,
                           PublishCompletion done) {
  if (!reconnect_timer_) return;  // shut down: dropped, as when destroyed
  if (channel.empty() || channel.size() > kMaxChannelBytes ||
      body.size() > kMaxBodyBytes) {
    complete_later(std::move(done), PublishStatus::invalid);
    return;
  }
  // Nothing is queued while Redis is away: the caller answers 503 now.
  if (!commands_.ready()) {
    complete_later(std::move(done), PublishStatus::unavailable);
    return;
  }
  send_publish(std::move(channel), std::move(body), std::move(done));
}

void RedisBackend::send_publish(std::string channel, std::string body,
                                PublishCompletion done) {
  channel_key_.assign(keys_.channel_prefix).append(channel);
  // hiredis copies the arguments before command() returns: views into
  // locals and the scratch key are fine.
  auto on_reply = [this,
                   done = std::move(done)](const redisReply* reply) mutable {
    on_published(reply, done);
  };
  // Never fails silently: a command that cannot be sent gets nullptr.
  commands_.command(
      {"EVALSHA", script_sha1_, "3", keys_.log, channel_key_, keys_.channels,
       channel, body, log_bound_arg_, history_arg_},
      options_.publish_timeout, std::move(on_reply));
}

void RedisBackend::on_published(const redisReply* reply,
                                PublishCompletion& done) {
  if (reply == nullptr) {  // connection lost or no answer in time
    done(PublishResult{PublishStatus::unavailable, {}});
    return;
  }
  std::string_view text = reply_text(reply);
  if (reply->type == REDIS_REPLY_STRING && !text.empty()) {
    done(PublishResult{PublishStatus::published, std::string(text)});
    return;
  }
  if (text.starts_with("NOSCRIPT")) {
    // Someone ran SCRIPT FLUSH: load it again for the next publishes; this
    // one is answered 503 (it was not published), never lost silently.
    commands_.command({"SCRIPT", "LOAD", kPublishScript},
                      options_.publish_timeout, [](const redisReply*) {});
  }
  log::warning("redis: publish refused: ",
               text.empty() ? std::string_view("unexpected reply") : text);
  done(PublishResult{PublishStatus::unavailable, {}});
}

void RedisBackend::complete_later(PublishCompletion done,
                                  PublishStatus status) {
  boost::asio::post(loop_, [done = std::move(done), status] {
    done(PublishResult{status, {}});
  });
}

bool RedisBackend::ahead(std::string_view /*channel*/,
                         std::string_view cursor) const {
  std::optional<StreamId> id = parse_stream_id(cursor);
  if (!id) return false;
  // A client cannot make a worker wait for an id from the far future.
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (id->ms > static_cast<std::uint64_t>(now_ms) + 60'000) return false;
  if (!synced_once_ || !newest_) return true;
  return *id > *newest_;
}

}  // namespace gale::pubsub::redis

// What a worker's handlers share besides connections, made once per
// worker: the pub/sub (hub, backend, PubSub) and the WebSocket sessions.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "server/pubsub/local_backend.hpp"
#include "server/pubsub/redis/redis_backend.hpp"
#include "server/websocket/sessions.hpp"
#include "worker/worker.hpp"

namespace gale {

namespace {

// `pubsub.backend: redis`, from the config's own terms.
std::unique_ptr<pubsub::redis::RedisBackend> make_redis_backend(
    boost::asio::io_context& loop, pubsub::Hub& hub, const PubSubConfig& c) {
  pubsub::redis::RedisBackendOptions o;
  o.endpoint = c.redis;
  o.where = describe_redis_endpoint(c.redis);
  o.prefix = c.prefix;
  o.history = c.history;
  return std::make_unique<pubsub::redis::RedisBackend>(loop, hub, std::move(o));
}

}  // namespace

// With Redis every worker talks to it directly (the master's relay then
// stays idle); otherwise, under a master its relay orders messages across
// the workers, and alone a LocalBackend does. Either way completions run
// from a later loop turn.
void Worker::make_pubsub() {
  hub_ = std::make_unique<pubsub::Hub>(config_.pubsub.history);
  auto defer = [loop = loop_.get()](std::function<void()> task) {
    boost::asio::post(*loop, std::move(task));
  };
  if (config_.pubsub.backend == PubSubBackend::redis) {
    auto redis = make_redis_backend(*loop_, *hub_, config_.pubsub);
    redis_ = redis.get();
    pubsub_backend_ = std::move(redis);
  } else if (options_.control_fd >= 0) {
    auto send = [this](std::string payload) {
      if (channel_)
        channel_->send_reliably(ControlType::relay, std::move(payload));
    };
    // A publish the master never acks fails after RelayBackend's timeout.
    auto after = [loop = loop_.get()](std::chrono::milliseconds delay,
                                      std::function<void()> task) {
      auto timer = std::make_shared<boost::asio::steady_timer>(*loop, delay);
      timer->async_wait(
          [timer, task = std::move(task)](const boost::system::error_code& ec) {
            if (!ec) task();
          });
    };
    auto relay = std::make_unique<RelayBackend>(*hub_, send, defer, after);
    relay_ = relay.get();
    pubsub_backend_ = std::move(relay);
  } else {
    pubsub_backend_ = std::make_unique<pubsub::LocalBackend>(*hub_, defer);
  }
  pubsub_ = std::make_unique<PubSub>(*hub_, *pubsub_backend_);
  manager_->hub = hub_.get();
  manager_->pubsub_backend = pubsub_backend_.get();
  manager_->pubsub = pubsub_.get();
}

// SPEC §2 `websocket:`, in the session layer's own terms.
void Worker::make_websockets() {
  const WebSocketConfig& c = config_.websocket;
  auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(s));
  };
  websocket::SessionOptions o;
  o.max_message_bytes = c.max_message_bytes;
  o.ping_interval = seconds(c.ping_interval_s);
  o.ping_timeout = seconds(c.ping_timeout_s);
  o.close_timeout = seconds(c.close_timeout_s);
  o.max_queue_bytes = c.max_queue_bytes;
  o.compression = c.compression;
  o.allowed_origins = c.allowed_origins;
  websockets_ = std::make_unique<websocket::Sessions>(*loop_, std::move(o));
  websockets_->on_closed = [this] {
    resume_accepting();
    maybe_finish_drain();
  };
  manager_->websockets = websockets_.get();
}

}  // namespace gale

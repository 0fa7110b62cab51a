// What a worker's handlers share besides connections, made once per
// worker: the pub/sub (hub, backend, PubSub) and the WebSocket sessions.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "server/core/log.hpp"
#include "server/pubsub/local_backend.hpp"
#include "server/pubsub/redis/redis_backend.hpp"
#include "server/websocket/sessions.hpp"
#include "worker/worker.hpp"

namespace gale {

namespace {

// hiredis resolves a host name with a blocking getaddrinfo on every
// connect, which would stall the worker's loop on each reconnect while DNS
// is slow (an outage is exactly when it may be). So the name is resolved
// here, once, when the worker starts and before it serves anyone (a reload
// starts new workers, so a changed address is picked up by SIGHUP). If the
// lookup fails now, the name is kept and hiredis retries it on each
// attempt. Asio's async_resolve is no way out: it completes from a thread
// of its own, and the worker's loop runs with the unsafe concurrency hint.
RedisEndpoint with_numeric_host(RedisEndpoint endpoint) {
  if (!endpoint.unix_path.empty()) return endpoint;
  // IPv4 first, then IPv6, as hiredis itself looks names up.
  int rc = 0;
  for (int family : {AF_INET, AF_INET6}) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    rc = ::getaddrinfo(endpoint.host.c_str(), nullptr, &hints, &found);
    if (rc != 0 || found == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        family == AF_INET6
            ? static_cast<const void*>(
                  &reinterpret_cast<sockaddr_in6*>(found->ai_addr)->sin6_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr);
    const bool ok = ::inet_ntop(family, raw, text, sizeof text) != nullptr;
    ::freeaddrinfo(found);
    if (ok) {
      endpoint.host = text;
      return endpoint;
    }
  }
  log::warning("redis: cannot resolve ", endpoint.host, " (",
               ::gai_strerror(rc), "); hiredis will try on each connect");
  return endpoint;
}

// `pubsub.backend: redis`, from the config's own terms.
std::unique_ptr<pubsub::redis::RedisBackend> make_redis_backend(
    boost::asio::io_context& loop, pubsub::Hub& hub, const PubSubConfig& c) {
  pubsub::redis::RedisBackendOptions o;
  o.endpoint = with_numeric_host(c.redis);
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
  pubsub_->set_long_poll_executor(loop_->get_executor());
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

// A worker's connection manager: what every connection of one worker shares
// (the loop, the application, the limits, the pools, the timeout lists, the
// registry of open connections) and the operations on all of them at once
// (expire, drain, stop). Owned by the worker; outlives every connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/intrusive/list.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "config/config.hpp"
#include "server/connection/access_log.hpp"
#include "server/connection/connection_buffers.hpp"
#include "server/core/ip_network.hpp"
#include "server/core/object_pool.hpp"
#include "server/core/timeout_list.hpp"
#include "server/core/worker_state.hpp"
#include "server/http/date_cache.hpp"
#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/web/application.hpp"

namespace gale {

class PubSub;  // server/web/pubsub.hpp
namespace websocket {
class Sessions;  // server/websocket/sessions.hpp
}

// The intrusive links a connection needs to sit in the worker's lists
// without any allocation.
struct ConnectionLinks {
  ListHook timeout_hook;
  ListHook registry_hook;
  Clock::time_point deadline;
};

enum class TimeoutKind : std::uint8_t {
  none,
  header,  // receiving a request head (from its first byte, or accept)
  body,    // between two reads of a request body
  idle,    // keep-alive, between requests
  // Between requests, still holding the read buffer for a quick next
  // request; on expiry the connection gives it back and waits as `idle`.
  warm,
  write,   // between two writes of a response
  linger,  // draining input after an error response, before closing
};
constexpr std::size_t kTimeoutKinds =
    static_cast<std::size_t>(TimeoutKind::linger) + 1;

using ConnectionTimeouts =
    TimeoutList<ConnectionLinks, &ConnectionLinks::timeout_hook>;
using ConnectionRegistry = boost::intrusive::list<
    ConnectionLinks,
    boost::intrusive::member_hook<ConnectionLinks, ListHook,
                                  &ConnectionLinks::registry_hook>,
    boost::intrusive::constant_time_size<false>>;

// How long the linger after an error response may last in total.
constexpr Clock::duration kLingerTime = std::chrono::seconds(5);
// How long a keep-alive connection keeps its read buffer between requests
// (at most idle_timeout_s): a busy client's next request then costs no
// re-arming system call; a quiet one costs no memory after this.
constexpr Clock::duration kWarmTime = std::chrono::seconds(1);
// At most this many request contexts in use before idle connections stop
// staying warm: a burst of thousands of one-request connections then costs
// a bounded few megabytes, not one read buffer each.
constexpr std::size_t kWarmBufferBudget = 128;
constexpr std::size_t kSpareBuffers = 64;

struct ConnectionManager {
  ConnectionManager(boost::asio::io_context& loop, Application& app,
                    const Limits& limits, AccessLog& access_log);

  boost::asio::io_context& loop;
  Application& app;
  Limits limits;
  AccessLog& access_log;
  // proxy.trusted: peers whose X-Forwarded-For/-Proto are believed. Empty
  // (the default) means none, at the cost of one branch per request.
  IpNetworkList trusted_proxies;
  DateCache dates;
  // Request body bytes held in memory at once (limits.body_memory_bytes);
  // before the pool, whose buffers give their reservations back to it.
  BodyMemory body_memory;
  // Spares kept for reuse: enough for the connections a worker serves at
  // once under load, few enough that a burst's peak is given back.
  ObjectPool<ConnectionBuffers> buffer_pool{kSpareBuffers};
  std::array<ConnectionTimeouts, kTimeoutKinds> timeouts;
  ConnectionRegistry connections;
  // Called after a connection closes (the worker resumes accepting).
  std::function<void()> on_connection_closed;
  // Takes an idle connection's descriptor while handing over.
  std::function<void(int fd)> hand_over;
  // The worker's pub/sub hub and the backend that orders its messages (the
  // master relay, or a LocalBackend without a master). Owned and set by the
  // worker; null where no worker runs (unit tests of a bare connection).
  pubsub::Hub* hub = nullptr;
  pubsub::Backend* pubsub_backend = nullptr;
  // The handler-facing PubSub over those two, owned by the worker so that
  // drain() can answer waiting long-polls at once (wake_all_waiters()).
  PubSub* pubsub = nullptr;
  // The worker's WebSocket sessions (upgraded sockets); owned by the worker.
  websocket::Sessions* websockets = nullptr;

  ConnectionTimeouts& timeout(TimeoutKind k) {
    return timeouts[static_cast<std::size_t>(k)];
  }

  // What a worker does to all its connections at once (the registry holds
  // Connection objects; only these functions know it).
  // Runs the deadlines that have passed.
  void expire_timeouts(Clock::time_point now);
  // Tells every connection the worker started draining (this_worker().drain).
  void drain_all();
  // Closes the connections idle for at least `grace` (a stopping worker).
  void close_idle_for(Clock::time_point now, Clock::duration grace);
  // Closes every connection now.
  void stop_all();
  // The request in progress for longest, for the heartbeat: its request
  // line and since when; false when nothing is in progress.
  bool oldest_request(Clock::time_point& since, std::string& line) const;
};

}  // namespace gale

// The one validated, immutable configuration of a gale server.
//
// Built once by load_config() from defaults < YAML file < command-line flags
// (SPEC §1, §2), then shared read-only by the master and every worker. Every
// field has the SPEC's default, so a default-constructed Config is the
// configuration of `gale` run with no arguments (except for the worker count
// and the static root, which load_config() resolves against the machine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/redis_url.hpp"

#include "server/core/app_values.hpp"
#include "server/core/ip_network.hpp"
#include "server/core/log_level.hpp"

namespace gale {

// One listening socket the master binds (SPEC §2 `listen:`).
struct ListenAddress {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8888;
};

// Per-connection limits and timeouts (SPEC §2 `limits:`).
struct Limits {
  std::uint32_t max_header_bytes = 65536;   // line + headers -> 431 / 414
  std::uint64_t max_body_bytes = 16777216;  // -> 413
  // A body past this many bytes is spooled to an unlinked temp file.
  std::uint64_t body_buffer_bytes = 65536;
  // Body bytes one worker holds in memory at once; past it, new bodies
  // wait (their sockets are not read) until memory is given back.
  std::uint64_t body_memory_bytes = 16777216;
  // Where spooled bodies go (O_TMPFILE); empty = $TMPDIR, else /tmp.
  std::string body_temp_dir;
  double header_timeout_s = 30;  // whole header block -> 408
  double body_timeout_s = 60;    // between body reads -> close
  double idle_timeout_s = 75;    // idle keep-alive -> close
  std::uint32_t max_keepalive_requests = 10000;
  std::uint32_t max_connections_per_worker = 20000;
};

// How the master treats its workers (SPEC §2 `workers_policy:`).
struct WorkersPolicy {
  double graceful_timeout_s = 30;  // a stopping worker may drain this long
  double timeout_s = 30;           // missed heartbeats this long -> replaced
  std::uint64_t max_requests = 0;  // recycle after N requests (0 = never)
  std::uint64_t max_rss_mb = 0;    // recycle above this RSS (0 = never)
  double max_age_s = 0;            // recycle after this age (0 = never)
  double restart_backoff_max_s = 10;
};

// Static files (SPEC §2 `static:`). An empty root means the route is off.
struct StaticConfig {
  std::string root;  // absolute once loaded; empty = no static route
  std::string prefix = "/static/";
  std::string cache_control = "public, max-age=3600";
};

struct LogConfig {
  LogLevel level = LogLevel::info;
  std::string access_log = "-";  // "-" stdout, "off", or a file path
};

// WebSocket connections (SPEC §2 `websocket:`).
struct WebSocketConfig {
  std::uint64_t max_message_bytes = 1048576;  // reassembled, larger -> 1009
  double ping_interval_s = 25;  // ping a socket quiet this long (0 = never)
  double ping_timeout_s = 10;   // nothing received this long after -> close
  double close_timeout_s = 5;   // our close sent, wait this long, drop TCP
  std::uint64_t max_queue_bytes = 1048576;  // unsent past this -> 1008
  bool compression = false;  // accept permessage-deflate (RFC 7692)
  // Origin allow-list: empty = same host only; "*" = any (then alone in the
  // list). Otherwise each entry is a browser's serialization of an origin,
  // scheme://host[:port], in lower case and without the scheme's default
  // port, so "https://Example.com:443" is held as "https://example.com".
  std::vector<std::string> allowed_origins;
};

// Which transport orders pub/sub messages (SPEC §2 `pubsub.backend`).
enum class PubSubBackend : std::uint8_t {
  local,  // the master relays between this host's workers
  redis,  // every host through Redis (pubsub.redis_url)
};

// Cross-worker publish/subscribe (SPEC §2 `pubsub:`).
struct PubSubConfig {
  PubSubBackend backend = PubSubBackend::local;
  std::string redis_url = "redis://127.0.0.1:6379/0";
  RedisEndpoint redis;          // redis_url, parsed (checked when loading)
  std::string prefix = "gale";  // of every Redis key and channel
  std::uint32_t history = 200;  // messages kept per channel, >= 1
};

// The built-in chat (SPEC §2 `chat:`, §3).
struct ChatConfig {
  double poll_timeout_s = 30;  // an idle long-poll answers empty after this
};

// Running behind a reverse proxy (SPEC §2 `proxy:`, §7).
struct ProxyConfig {
  // Peers whose X-Forwarded-For / X-Forwarded-Proto are believed; empty =
  // none (the headers are ignored, and cost nothing). Host bits cleared.
  std::vector<IpNetwork> trusted;
};

struct Config {
  std::vector<ListenAddress> listen{ListenAddress{}};
  unsigned workers = 1;  // resolved: never 0 once loaded
  bool reuse_port = false;
  int backlog = 1024;
  StaticConfig static_files;
  Limits limits;
  WorkersPolicy workers_policy;
  LogConfig log;
  WebSocketConfig websocket;
  PubSubConfig pubsub;
  ChatConfig chat;
  ProxyConfig proxy;
  // The application's own keys (config/app_keys.hpp), `app:` in the file:
  // every declared key, at its default when neither file nor flag sets it.
  AppValues app;
  std::string pidfile;      // empty = none
  std::string config_file;  // absolute path of --config, empty = none
};

}  // namespace gale

// dump_yaml(): the effective Config as a YAML file load_config() reads back
// into an equal Config (what --check-config prints).
#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <string>

#include "config/load_config.hpp"
#include "config/rules.hpp"

namespace gale {
namespace {

// The shortest text that reads back as exactly `value` ("30", "0.1"),
// rather than yaml-cpp's 17 significant digits ("0.10000000000000001").
std::string shortest(double value) {
  std::array<char, 32> buffer{};
  auto [end, ec] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), end);
}

// Strings are always quoted: a host, path or header value must not read
// back as a number, a bool or null ("~", "on", "8080").
void put(YAML::Emitter& out, const char* key, const std::string& value) {
  out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
}

template <typename Number>
void put_number(YAML::Emitter& out, const char* key, Number value) {
  out << YAML::Key << key << YAML::Value << value;
}

void put_seconds(YAML::Emitter& out, const char* key, double value) {
  out << YAML::Key << key << YAML::Value << shortest(value);
}

void emit_listen(YAML::Emitter& out, const std::vector<ListenAddress>& list) {
  out << YAML::Key << "listen" << YAML::Value << YAML::BeginSeq;
  for (const ListenAddress& address : list) {
    out << YAML::BeginMap;
    put(out, "host", address.host);
    // Widened: an uint16_t would be streamed as a number anyway, but keep
    // clear of any char-like overload.
    put_number(out, "port", static_cast<unsigned>(address.port));
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_static(YAML::Emitter& out, const StaticConfig& s) {
  out << YAML::Key << "static" << YAML::Value << YAML::BeginMap;
  put(out, "root", s.root);  // "" = off, and reads back as off
  put(out, "prefix", s.prefix);
  put(out, "cache_control", s.cache_control);
  out << YAML::EndMap;
}

void emit_limits(YAML::Emitter& out, const Limits& l) {
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  put_number(out, "max_header_bytes", l.max_header_bytes);
  put_number(out, "max_body_bytes", l.max_body_bytes);
  put_number(out, "body_buffer_bytes", l.body_buffer_bytes);
  put_number(out, "body_memory_bytes", l.body_memory_bytes);
  put(out, "body_temp_dir", l.body_temp_dir);
  put_seconds(out, "header_timeout_s", l.header_timeout_s);
  put_seconds(out, "body_timeout_s", l.body_timeout_s);
  put_seconds(out, "idle_timeout_s", l.idle_timeout_s);
  put_number(out, "max_keepalive_requests", l.max_keepalive_requests);
  put_number(out, "max_connections_per_worker", l.max_connections_per_worker);
  out << YAML::EndMap;
}

void emit_policy(YAML::Emitter& out, const WorkersPolicy& p) {
  out << YAML::Key << "workers_policy" << YAML::Value << YAML::BeginMap;
  put_seconds(out, "graceful_timeout_s", p.graceful_timeout_s);
  put_seconds(out, "timeout_s", p.timeout_s);
  put_number(out, "max_requests", p.max_requests);
  put_number(out, "max_rss_mb", p.max_rss_mb);
  put_seconds(out, "max_age_s", p.max_age_s);
  put_seconds(out, "restart_backoff_max_s", p.restart_backoff_max_s);
  out << YAML::EndMap;
}

void emit_log(YAML::Emitter& out, const LogConfig& log) {
  out << YAML::Key << "log" << YAML::Value << YAML::BeginMap;
  put(out, "level", std::string(log_level_name(log.level)));
  put(out, "access_log", log.access_log);
  out << YAML::EndMap;
}

void emit_websocket(YAML::Emitter& out, const WebSocketConfig& w) {
  out << YAML::Key << "websocket" << YAML::Value << YAML::BeginMap;
  put_number(out, "max_message_bytes", w.max_message_bytes);
  put_seconds(out, "ping_interval_s", w.ping_interval_s);
  put_seconds(out, "ping_timeout_s", w.ping_timeout_s);
  put_seconds(out, "close_timeout_s", w.close_timeout_s);
  put_number(out, "max_queue_bytes", w.max_queue_bytes);
  out << YAML::Key << "compression" << YAML::Value << w.compression;
  // A flow list, "[]" when empty; quoted, since a bare * is a YAML alias.
  out << YAML::Key << "allowed_origins" << YAML::Value << YAML::Flow
      << YAML::BeginSeq;
  for (const std::string& origin : w.allowed_origins)
    out << YAML::DoubleQuoted << origin;
  out << YAML::EndSeq;
  out << YAML::EndMap;
}

void emit_pubsub(YAML::Emitter& out, const PubSubConfig& p) {
  out << YAML::Key << "pubsub" << YAML::Value << YAML::BeginMap;
  put(out, "backend", std::string(pubsub_backend_name(p.backend)));
  put(out, "redis_url", p.redis_url);
  put(out, "prefix", p.prefix);
  put_number(out, "history", p.history);
  out << YAML::EndMap;
}

void emit_chat(YAML::Emitter& out, const ChatConfig& c) {
  out << YAML::Key << "chat" << YAML::Value << YAML::BeginMap;
  put_seconds(out, "poll_timeout_s", c.poll_timeout_s);
  out << YAML::EndMap;
}

void emit_proxy(YAML::Emitter& out, const ProxyConfig& p) {
  out << YAML::Key << "proxy" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "trusted" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const IpNetwork& network : p.trusted)
    out << YAML::DoubleQuoted << network.to_string();
  out << YAML::EndSeq;
  out << YAML::EndMap;
}

// The application's keys, each typed as its YAML reads back.
void emit_app(YAML::Emitter& out, const AppValues& app) {
  if (app.empty()) return;
  out << YAML::Key << "app" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : app) {
    out << YAML::Key << name.substr(name.find('.') + 1) << YAML::Value;
    if (const auto* s = std::get_if<std::string>(&value)) {
      out << YAML::DoubleQuoted << *s;
    } else if (const auto* n = std::get_if<std::int64_t>(&value)) {
      out << *n;
    } else if (const auto* b = std::get_if<bool>(&value)) {
      out << *b;
    } else if (const auto* d = std::get_if<double>(&value)) {
      out << shortest(*d);
    } else {
      out << YAML::Flow << YAML::BeginSeq;
      for (const auto& item : std::get<std::vector<std::string>>(value))
        out << YAML::DoubleQuoted << item;
      out << YAML::EndSeq;
    }
  }
  out << YAML::EndMap;
}

}  // namespace

std::string dump_yaml(const Config& config) {
  YAML::Emitter out;
  out << YAML::Comment("gale effective configuration");
  out << YAML::BeginMap;
  emit_listen(out, config.listen);
  put_number(out, "workers", config.workers);
  out << YAML::Key << "reuse_port" << YAML::Value << config.reuse_port;
  put_number(out, "backlog", config.backlog);
  if (!config.pidfile.empty()) put(out, "pidfile", config.pidfile);
  emit_static(out, config.static_files);
  emit_limits(out, config.limits);
  emit_policy(out, config.workers_policy);
  emit_log(out, config.log);
  emit_websocket(out, config.websocket);
  emit_pubsub(out, config.pubsub);
  emit_chat(out, config.chat);
  emit_proxy(out, config.proxy);
  emit_app(out, config.app);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace gale

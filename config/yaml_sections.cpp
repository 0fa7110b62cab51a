// The sections of the YAML file (SPEC §2): one key table per section, and
// the readers of the settings that need more than a typed scalar. The
// machinery they stand on (read_mapping, read_integer, ...) is in
// yaml_file.cpp.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "config/paths.hpp"
#include "config/rules.hpp"
#include "config/yaml_reader.hpp"

namespace gale::yaml_detail {
namespace {

std::string host_port(const ListenAddress& address) {
  const bool ipv6 = address.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + address.host + "]" : address.host) + ":" +
         std::to_string(address.port);
}

}  // namespace

// --- key tables -----------------------------------------------------------

std::vector<Reader::Key> Reader::top_level_keys() {
  return {
      {"listen", [this](const Entry& e) { read_listen(e); }},
      {"workers",
       [this](const Entry& e) {
         read_integer(e, kWorkersRange, config_.workers);
       }},
      {"reuse_port",
       [this](const Entry& e) { read_bool(e, config_.reuse_port); }},
      {"backlog",
       [this](const Entry& e) {
         read_integer(e, kBacklogRange, config_.backlog);
       }},
      {"pidfile", [this](const Entry& e) { read_pidfile(e); }},
      {"static", [this](const Entry& e) { read_mapping(e, static_keys()); }},
      {"limits", [this](const Entry& e) { read_mapping(e, limits_keys()); }},
      {"workers_policy",
       [this](const Entry& e) { read_mapping(e, policy_keys()); }},
      {"log", [this](const Entry& e) { read_mapping(e, log_keys()); }},
      {"websocket",
       [this](const Entry& e) { read_mapping(e, websocket_keys()); }},
      {"pubsub", [this](const Entry& e) { read_mapping(e, pubsub_keys()); }},
      {"chat", [this](const Entry& e) { read_mapping(e, chat_keys()); }},
      {"proxy", [this](const Entry& e) { read_mapping(e, proxy_keys()); }},
      {"app", [this](const Entry& e) { read_mapping(e, app_keys()); }},
  };
}

std::vector<Reader::Key> Reader::websocket_keys() {
  WebSocketConfig& w = config_.websocket;
  return {
      {"max_message_bytes",
       [this, &w](const Entry& e) {
         read_integer(e, kPositive, w.max_message_bytes);
       }},
      {"ping_interval_s",
       [this, &w](const Entry& e) {
         read_seconds(e, true, w.ping_interval_s);
       }},
      {"ping_timeout_s",
       [this, &w](const Entry& e) {
         read_seconds(e, false, w.ping_timeout_s);
       }},
      {"close_timeout_s",
       [this, &w](const Entry& e) {
         read_seconds(e, false, w.close_timeout_s);
       }},
      {"max_queue_bytes",
       [this, &w](const Entry& e) {
         read_integer(e, kPositive, w.max_queue_bytes);
       }},
      {"compression",
       [this, &w](const Entry& e) { read_bool(e, w.compression); }},
      {"allowed_origins", [this](const Entry& e) { read_allowed_origins(e); }},
  };
}

std::vector<Reader::Key> Reader::pubsub_keys() {
  PubSubConfig& p = config_.pubsub;
  return {
      {"backend", [this](const Entry& e) { read_backend(e); }},
      {"redis_url",
       [this, &p](const Entry& e) {
         read_string(e, check_redis_url, p.redis_url);
         if (auto parsed = parse_redis_url(p.redis_url); parsed.endpoint)
           p.redis = std::move(*parsed.endpoint);
       }},
      {"prefix",
       [this, &p](const Entry& e) {
         read_string(e, check_nonempty, p.prefix);
       }},
      {"history",
       [this, &p](const Entry& e) {
         read_integer(e, kPositiveUint32, p.history);
       }},
  };
}

std::vector<Reader::Key> Reader::chat_keys() {
  return {{"poll_timeout_s", [this](const Entry& e) {
             read_seconds(e, false, config_.chat.poll_timeout_s);
           }}};
}

std::vector<Reader::Key> Reader::proxy_keys() {
  return {{"trusted", [this](const Entry& e) { read_trusted_proxies(e); }}};
}

std::vector<Reader::Key> Reader::static_keys() {
  StaticConfig& s = config_.static_files;
  return {
      {"root", [this](const Entry& e) { read_static_root(e); }},
      {"prefix",
       [this, &s](const Entry& e) { read_string(e, check_prefix, s.prefix); }},
      {"cache_control",
       [this, &s](const Entry& e) {
         read_string(e, check_nonempty, s.cache_control);
       }},
  };
}

std::vector<Reader::Key> Reader::limits_keys() {
  Limits& l = config_.limits;
  return {
      {"max_header_bytes",
       [this, &l](const Entry& e) {
         read_integer(e, kPositiveUint32, l.max_header_bytes);
       }},
      {"max_body_bytes",
       [this, &l](const Entry& e) {
         read_integer(e, kNonNegative, l.max_body_bytes);
       }},
      {"body_buffer_bytes",
       [this, &l](const Entry& e) {
         read_integer(e, kNonNegative, l.body_buffer_bytes);
       }},
      {"body_memory_bytes",
       [this, &l](const Entry& e) {
         read_integer(e, kNonNegative, l.body_memory_bytes);
       }},
      {"body_temp_dir", [this](const Entry& e) { read_body_temp_dir(e); }},
      {"header_timeout_s",
       [this, &l](const Entry& e) {
         read_seconds(e, false, l.header_timeout_s);
       }},
      {"body_timeout_s",
       [this, &l](const Entry& e) {
         read_seconds(e, false, l.body_timeout_s);
       }},
      {"idle_timeout_s",
       [this, &l](const Entry& e) {
         read_seconds(e, false, l.idle_timeout_s);
       }},
      {"max_keepalive_requests",
       [this, &l](const Entry& e) {
         read_integer(e, kPositiveUint32, l.max_keepalive_requests);
       }},
      {"max_connections_per_worker",
       [this, &l](const Entry& e) {
         read_integer(e, kPositiveUint32, l.max_connections_per_worker);
       }},
  };
}

std::vector<Reader::Key> Reader::policy_keys() {
  WorkersPolicy& p = config_.workers_policy;
  return {
      {"graceful_timeout_s",
       [this, &p](const Entry& e) {
         read_seconds(e, false, p.graceful_timeout_s);
       }},
      {"timeout_s",
       [this, &p](const Entry& e) { read_seconds(e, false, p.timeout_s); }},
      {"max_requests",
       [this, &p](const Entry& e) {
         read_integer(e, kNonNegative, p.max_requests);
       }},
      {"max_rss_mb",
       [this, &p](const Entry& e) {
         read_integer(e, kNonNegative, p.max_rss_mb);
       }},
      {"max_age_s",
       [this, &p](const Entry& e) { read_seconds(e, true, p.max_age_s); }},
      {"restart_backoff_max_s",
       [this, &p](const Entry& e) {
         read_seconds(e, false, p.restart_backoff_max_s);
       }},
  };
}

std::vector<Reader::Key> Reader::log_keys() {
  return {
      {"level", [this](const Entry& e) { read_level(e); }},
      {"access_log", [this](const Entry& e) { read_access_log(e); }},
  };
}

// --- settings with readers of their own -----------------------------------

void Reader::read_level(const Entry& e) {
  const auto text = scalar_text(e, kALevel);
  if (!text) return;
  const auto checked = check_log_level(*text);
  if (!checked.value) return error(e, checked.problem);
  config_.log.level = *checked.value;
}

void Reader::read_backend(const Entry& e) {
  const auto text = scalar_text(e, kABackend);
  if (!text) return;
  const auto checked = check_pubsub_backend(*text);
  if (!checked.value) return error(e, checked.problem);
  config_.pubsub.backend = *checked.value;
}

// `root: ""` turns the static route off on purpose (no warning); any
// other root must exist, which is checked once flags had their say.
void Reader::read_static_root(const Entry& e) {
  const auto text = scalar_text(e, kAString);
  if (!text) return;
  config_.static_files.root =
      text->empty() ? "" : absolute_path(*text, base_dir_);
  origins_.static_root = origin(e);
}

void Reader::read_body_temp_dir(const Entry& e) {
  const auto text = scalar_text(e, kAString);
  if (!text) return;
  config_.limits.body_temp_dir =
      text->empty() ? "" : absolute_path(*text, base_dir_);
  origins_.body_temp_dir = origin(e);
}

void Reader::read_access_log(const Entry& e) {
  std::string setting;
  read_string(e, check_access_log, setting);
  if (setting.empty()) return;  // reported by read_string
  config_.log.access_log =
      access_log_is_path(setting) ? absolute_path(setting, base_dir_) : setting;
  origins_.access_log = origin(e);
}

// `pidfile: ""` means none, as when the key is absent.
void Reader::read_pidfile(const Entry& e) {
  const auto text = scalar_text(e, kAString);
  if (!text) return;
  config_.pidfile = text->empty() ? "" : absolute_path(*text, base_dir_);
  origins_.pidfile = origin(e);
}

void Reader::read_listen(const Entry& e) {
  if (!e.value.IsSequence()) {
    return error(e, expected("a list of {host, port}", describe(e.value)));
  }
  if (e.value.size() == 0) {
    return error(e, "must list at least one address");
  }
  std::vector<ListenAddress> addresses;
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const Entry entry{item, item, e.name + "[" + std::to_string(i) + "]"};
    if (!item.IsMap()) {
      error(entry, expected("a mapping of host and port", describe(item)));
      continue;
    }
    ListenAddress address = read_listen_item(entry);
    report_repeated_address(entry, address, addresses);
    addresses.push_back(address);
  }
  config_.listen = std::move(addresses);
}

ListenAddress Reader::read_listen_item(const Entry& item) {
  ListenAddress address;
  read_mapping(
      item,
      {{"host",
        [&](const Entry& e) { read_string(e, check_host, address.host); }},
       {"port",
        [&](const Entry& e) { read_integer(e, kPortRange, address.port); }}});
  return address;
}

// Binding the same address twice would fail at startup with EADDRINUSE
// against ourselves; say so now, pointing at both entries.
void Reader::report_repeated_address(
    const Entry& item, const ListenAddress& address,
    const std::vector<ListenAddress>& earlier) {
  for (std::size_t j = 0; j < earlier.size(); ++j) {
    if (earlier[j].host == address.host && earlier[j].port == address.port) {
      error(item, host_port(address) + " is listed twice (also " +
                      item.name.substr(0, item.name.find('[')) + "[" +
                      std::to_string(j) + "])");
      return;
    }
  }
}

// Each entry is checked and normalized on its own (check_origin); then the
// list as a whole: no entry twice, and "*" alone, since next to it any
// other entry means nothing and was probably meant to restrict.
void Reader::read_allowed_origins(const Entry& e) {
  if (!e.value.IsSequence()) {
    return error(e, expected("a list of origins", describe(e.value)));
  }
  std::vector<std::string> origins;
  std::vector<std::size_t> listed_at;  // each one's index in the file's list
  std::optional<Entry> any;
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const Entry entry{item, item, e.name + "[" + std::to_string(i) + "]"};
    std::string value;
    read_string(entry, check_origin, value);
    if (value.empty()) continue;  // reported by read_string
    const auto same = std::find(origins.begin(), origins.end(), value);
    if (same != origins.end()) {
      const std::size_t first = listed_at[same - origins.begin()];
      error(entry, in_quotes(value) + " is listed twice (also " + e.name + "[" +
                       std::to_string(first) + "])");
      continue;
    }
    if (value == "*") any = entry;
    origins.push_back(std::move(value));
    listed_at.push_back(i);
  }
  if (any && origins.size() > 1) {
    error(*any, "\"*\" allows any origin, so it must be the only entry");
  }
  config_.websocket.allowed_origins = std::move(origins);
}

// proxy.trusted: each entry checked on its own, then no network twice
// (after host bits are cleared, so "10.1.0.0/8" repeats "10.0.0.0/8").
void Reader::read_trusted_proxies(const Entry& e) {
  if (!e.value.IsSequence()) {
    return error(e, expected("a list of CIDRs", describe(e.value)));
  }
  std::vector<IpNetwork> networks;
  std::vector<std::size_t> listed_at;  // each one's index in the file's list
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const Entry entry{item, item, e.name + "[" + std::to_string(i) + "]"};
    const auto text = scalar_text(entry, kANetwork);
    if (!text) continue;
    const auto checked = check_trusted_proxy(*text);
    if (!checked.value) {
      error(entry, checked.problem);
      continue;
    }
    const auto same =
        std::find(networks.begin(), networks.end(), *checked.value);
    if (same != networks.end()) {
      error(entry, in_quotes(checked.value->to_string()) +
                       " is listed twice (also " + e.name + "[" +
                       std::to_string(listed_at[same - networks.begin()]) +
                       "])");
      continue;
    }
    networks.push_back(*checked.value);
    listed_at.push_back(i);
  }
  config_.proxy.trusted = std::move(networks);
}

}  // namespace gale::yaml_detail

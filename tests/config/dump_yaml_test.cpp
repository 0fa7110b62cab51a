// dump_yaml() must write YAML that load_config() reads back into the same
// Config: that is what makes `--check-config` output a usable config file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load_config.hpp"
#include "temp_dir.hpp"

namespace gale {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ScopedCwd;
using testing::TempDir;

// Every field but config_file, which names the file each Config came from.
void ExpectSameSettings(const Config& a, const Config& b) {
  ASSERT_EQ(a.listen.size(), b.listen.size());
  for (std::size_t i = 0; i < a.listen.size(); ++i) {
    EXPECT_EQ(a.listen[i].host, b.listen[i].host) << i;
    EXPECT_EQ(a.listen[i].port, b.listen[i].port) << i;
  }
  EXPECT_EQ(a.workers, b.workers);
  EXPECT_EQ(a.reuse_port, b.reuse_port);
  EXPECT_EQ(a.backlog, b.backlog);
  EXPECT_EQ(a.static_files.root, b.static_files.root);
  EXPECT_EQ(a.static_files.prefix, b.static_files.prefix);
  EXPECT_EQ(a.static_files.cache_control, b.static_files.cache_control);
  EXPECT_EQ(a.limits.max_header_bytes, b.limits.max_header_bytes);
  EXPECT_EQ(a.limits.max_body_bytes, b.limits.max_body_bytes);
  EXPECT_EQ(a.limits.header_timeout_s, b.limits.header_timeout_s);
  EXPECT_EQ(a.limits.body_timeout_s, b.limits.body_timeout_s);
  EXPECT_EQ(a.limits.idle_timeout_s, b.limits.idle_timeout_s);
  EXPECT_EQ(a.limits.max_keepalive_requests, b.limits.max_keepalive_requests);
  EXPECT_EQ(a.limits.max_connections_per_worker,
            b.limits.max_connections_per_worker);
  EXPECT_EQ(a.workers_policy.graceful_timeout_s,
            b.workers_policy.graceful_timeout_s);
  EXPECT_EQ(a.workers_policy.timeout_s, b.workers_policy.timeout_s);
  EXPECT_EQ(a.workers_policy.max_requests, b.workers_policy.max_requests);
  EXPECT_EQ(a.workers_policy.max_rss_mb, b.workers_policy.max_rss_mb);
  EXPECT_EQ(a.workers_policy.max_age_s, b.workers_policy.max_age_s);
  EXPECT_EQ(a.workers_policy.restart_backoff_max_s,
            b.workers_policy.restart_backoff_max_s);
  EXPECT_EQ(a.log.level, b.log.level);
  EXPECT_EQ(a.log.access_log, b.log.access_log);
  EXPECT_EQ(a.websocket.max_message_bytes, b.websocket.max_message_bytes);
  EXPECT_EQ(a.websocket.ping_interval_s, b.websocket.ping_interval_s);
  EXPECT_EQ(a.websocket.ping_timeout_s, b.websocket.ping_timeout_s);
  EXPECT_EQ(a.websocket.close_timeout_s, b.websocket.close_timeout_s);
  EXPECT_EQ(a.websocket.max_queue_bytes, b.websocket.max_queue_bytes);
  EXPECT_EQ(a.websocket.compression, b.websocket.compression);
  EXPECT_EQ(a.websocket.allowed_origins, b.websocket.allowed_origins);
  EXPECT_EQ(a.pubsub.backend, b.pubsub.backend);
  EXPECT_EQ(a.pubsub.redis_url, b.pubsub.redis_url);
  EXPECT_EQ(a.pubsub.prefix, b.pubsub.prefix);
  EXPECT_EQ(a.pubsub.history, b.pubsub.history);
  EXPECT_EQ(a.chat.poll_timeout_s, b.chat.poll_timeout_s);
  EXPECT_EQ(a.proxy.trusted, b.proxy.trusted);
  EXPECT_EQ(a.pidfile, b.pidfile);
}

class DumpYamlTest : public ::testing::Test {
 protected:
  DumpYamlTest() : cwd_(dir_.path()) {}

  // Writes dump_yaml(config) to a file and loads it back.
  LoadOutcome reload(const Config& config) {
    const auto file = dir_.write("dumped.yaml", dump_yaml(config));
    return load_config({"--config", file.string()});
  }

  TempDir dir_;
  ScopedCwd cwd_;
};

TEST_F(DumpYamlTest, RoundTripsTheDefaults) {
  const LoadOutcome first = load_config({});
  ASSERT_THAT(first.errors, IsEmpty());
  const LoadOutcome second = reload(first.config);
  ASSERT_THAT(second.errors, IsEmpty());
  ExpectSameSettings(first.config, second.config);
  // The route stays off on purpose the second time: no second warning.
  EXPECT_THAT(second.warnings, IsEmpty());
}

TEST_F(DumpYamlTest, RoundTripsEverySetting) {
  dir_.mkdir("conf/www");
  dir_.mkdir("conf/logs");
  dir_.write("conf/gale.yaml", R"(
listen:
  - host: 127.0.0.1
    port: 8080
  - host: "::1"
    port: 8081
workers: 3
reuse_port: true
backlog: 77
pidfile: gale.pid
static:
  root: www
  prefix: /assets/
  cache_control: "no-cache, no-store"
limits:
  max_header_bytes: 4096
  max_body_bytes: 0
  header_timeout_s: 0.1
  body_timeout_s: 1e-3
  idle_timeout_s: 2.5
  max_keepalive_requests: 1
  max_connections_per_worker: 2
workers_policy:
  graceful_timeout_s: 0.3
  timeout_s: 7
  max_requests: 18446744073709551
  max_rss_mb: 256
  max_age_s: 86400
  restart_backoff_max_s: 1.25
log:
  level: debug
  access_log: logs/access.log
websocket:
  max_message_bytes: 1
  ping_interval_s: 0
  ping_timeout_s: 0.2
  close_timeout_s: 3.5
  max_queue_bytes: 18446744073709
  compression: yes
  allowed_origins: ["https://chat.example", "http://[::1]:8080"]
pubsub:
  backend: local
  redis_url: "redis://cache.internal:6380/2"
  prefix: "chat-prod"
  history: 7
chat:
  poll_timeout_s: 0.75
proxy:
  trusted: [127.0.0.0/8, "::1", 10.1.2.3/8, "fd00::/8"]
)");
  const LoadOutcome first = load_config({"--config", "conf/gale.yaml"});
  ASSERT_THAT(first.errors, IsEmpty());
  const LoadOutcome second = reload(first.config);
  ASSERT_THAT(second.errors, IsEmpty()) << dump_yaml(first.config);
  ExpectSameSettings(first.config, second.config);
}

TEST_F(DumpYamlTest, RoundTripsStringsThatLookLikeOtherTypes) {
  Config config;
  config.listen = {{"::", 1}, {"8080", 2}};
  config.static_files.cache_control = "~";
  config.static_files.prefix = "/";
  config.log.access_log = "off";
  config.websocket.allowed_origins = {"*"};  // a bare * is a YAML alias
  const LoadOutcome back = reload(config);
  ASSERT_THAT(back.errors, IsEmpty()) << dump_yaml(config);
  ExpectSameSettings(config, back.config);
}

TEST_F(DumpYamlTest, RoundTripsFlagsToo) {
  dir_.mkdir("www");
  const LoadOutcome first = load_config(
      {"--port", "9000", "--workers", "2", "--static-root", "www",
       "--log-level", "warning", "--pidfile", "g.pid", "--access-log", "off"});
  ASSERT_THAT(first.errors, IsEmpty());
  const LoadOutcome second = reload(first.config);
  ASSERT_THAT(second.errors, IsEmpty());
  ExpectSameSettings(first.config, second.config);
}

TEST_F(DumpYamlTest, WritesReadableYaml) {
  Config config;
  config.workers = 2;
  const std::string yaml = dump_yaml(config);
  EXPECT_THAT(yaml, HasSubstr("listen:\n  - host: \"0.0.0.0\"\n    port: "
                              "8888\n"));
  EXPECT_THAT(yaml, HasSubstr("workers: 2\n"));
  EXPECT_THAT(yaml, HasSubstr("  header_timeout_s: 30\n"));
  EXPECT_THAT(yaml, HasSubstr("  level: \"info\"\n"));
  EXPECT_THAT(yaml, ::testing::Not(HasSubstr("pidfile")));
  EXPECT_THAT(yaml, HasSubstr("websocket:\n  max_message_bytes: 1048576\n"
                              "  ping_interval_s: 25\n  ping_timeout_s: 10\n"
                              "  close_timeout_s: 5\n"
                              "  max_queue_bytes: 1048576\n"
                              "  compression: false\n"
                              "  allowed_origins: []\n"));
  EXPECT_THAT(yaml, HasSubstr("pubsub:\n  backend: \"local\"\n"));
  EXPECT_THAT(yaml, HasSubstr("  history: 200\n"));
  EXPECT_THAT(yaml, HasSubstr("chat:\n  poll_timeout_s: 30\n"));
  EXPECT_THAT(yaml, HasSubstr("proxy:\n  trusted: []\n"));
}

TEST_F(DumpYamlTest, WritesTrustedProxiesNormalized) {
  Config config;
  config.proxy.trusted = {*parse_ip_network("10.1.2.3/8").network,
                          *parse_ip_network("::1").network};
  EXPECT_THAT(dump_yaml(config),
              HasSubstr("proxy:\n  trusted: [\"10.0.0.0/8\", \"::1/128\"]\n"));
  const LoadOutcome back = reload(config);
  ASSERT_THAT(back.errors, IsEmpty()) << dump_yaml(config);
  EXPECT_EQ(back.config.proxy.trusted, config.proxy.trusted);
}

}  // namespace
}  // namespace gale

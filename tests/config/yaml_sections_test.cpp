// The sections read by config/yaml_sections.cpp that came with WebSocket,
// pub/sub and chat (SPEC §2): their defaults, every key read, and every bad
// value refused with file:line:column. The sections of the first SPEC (and
// the machinery) are tested in yaml_file_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "read_yaml.hpp"

namespace gale {
namespace {

using ::testing::ElementsAre;
using testing::errors_of;
using ::testing::IsEmpty;
using testing::read;
using testing::Read;

// --- websocket: -----------------------------------------------------------

TEST(ReadYaml, WebSocketDefaults) {
  const WebSocketConfig w = read("").config.websocket;
  EXPECT_EQ(w.max_message_bytes, 1048576u);
  EXPECT_EQ(w.ping_interval_s, 25);
  EXPECT_EQ(w.ping_timeout_s, 10);
  EXPECT_EQ(w.close_timeout_s, 5);
  EXPECT_EQ(w.max_queue_bytes, 1048576u);
  EXPECT_FALSE(w.compression);
  EXPECT_THAT(w.allowed_origins, IsEmpty());
  // An empty section changes nothing either.
  const Read r = read("websocket:\n");
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.websocket.max_message_bytes, 1048576u);
}

TEST(ReadYaml, ReadsWebSocket) {
  const Read r = read(R"(
websocket:
  max_message_bytes: 65536
  ping_interval_s: 0.5
  ping_timeout_s: 2
  close_timeout_s: 1.5
  max_queue_bytes: 8589934592
  compression: true
  allowed_origins: ["https://chat.example", "http://localhost:8888"]
)");
  ASSERT_THAT(r.errors, IsEmpty());
  const WebSocketConfig& w = r.config.websocket;
  EXPECT_EQ(w.max_message_bytes, 65536u);
  EXPECT_EQ(w.ping_interval_s, 0.5);
  EXPECT_EQ(w.ping_timeout_s, 2);
  EXPECT_EQ(w.close_timeout_s, 1.5);
  EXPECT_EQ(w.max_queue_bytes, 8589934592u);  // past 32 bits
  EXPECT_TRUE(w.compression);
  EXPECT_THAT(w.allowed_origins,
              ElementsAre("https://chat.example", "http://localhost:8888"));
}

TEST(ReadYaml, WebSocketZeroPingIntervalMeansNever) {
  const Read r = read("websocket:\n  ping_interval_s: 0\n");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.websocket.ping_interval_s, 0);
}

TEST(ReadYaml, WebSocketSmallestSizes) {
  const Read r =
      read("websocket:\n  max_message_bytes: 1\n  max_queue_bytes: 1\n");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.websocket.max_message_bytes, 1u);
  EXPECT_EQ(r.config.websocket.max_queue_bytes, 1u);
}

TEST(ReadYaml, AllowedOriginsAsABlockList) {
  const Read r = read(R"(
websocket:
  allowed_origins:
    - https://a.example
    - "http://[::1]:8080"
)");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.config.websocket.allowed_origins,
              ElementsAre("https://a.example", "http://[::1]:8080"));
}

TEST(ReadYaml, AllowedOriginsAnyAndNone) {
  EXPECT_THAT(read("websocket:\n  allowed_origins: [\"*\"]\n")
                  .config.websocket.allowed_origins,
              ElementsAre("*"));
  const Read none = read("websocket:\n  allowed_origins: []\n");
  ASSERT_THAT(none.errors, IsEmpty());
  EXPECT_THAT(none.config.websocket.allowed_origins, IsEmpty());
}

// Held as a browser sends them in Origin:, so an entry can match at all.
TEST(ReadYaml, AllowedOriginsAreNormalized) {
  const Read r = read(R"(
websocket:
  allowed_origins:
    - HTTPS://Chat.Example:443
    - http://chat.example:80
    - http://chat.example:08080
)");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.config.websocket.allowed_origins,
              ElementsAre("https://chat.example", "http://chat.example",
                          "http://chat.example:8080"));
}

TEST(ReadYamlErrors, WebSocketSizes) {
  EXPECT_THAT(errors_of("websocket:\n  max_message_bytes: 0\n"),
              ElementsAre("gale.yaml:2:3: websocket.max_message_bytes: must "
                          "be >= 1"));
  EXPECT_THAT(errors_of("websocket:\n  max_message_bytes: -1\n"),
              ElementsAre("gale.yaml:2:3: websocket.max_message_bytes: must "
                          "be >= 1"));
  EXPECT_THAT(errors_of("websocket:\n  max_message_bytes: 1MB\n"),
              ElementsAre("gale.yaml:2:3: websocket.max_message_bytes: "
                          "expected an integer, got \"1MB\""));
  EXPECT_THAT(errors_of("websocket:\n  max_queue_bytes: 0\n"),
              ElementsAre("gale.yaml:2:3: websocket.max_queue_bytes: must be "
                          ">= 1"));
  EXPECT_THAT(errors_of("websocket:\n  max_queue_bytes: [1]\n"),
              ElementsAre("gale.yaml:2:3: websocket.max_queue_bytes: expected "
                          "an integer, got a list"));
}

TEST(ReadYamlErrors, WebSocketTimes) {
  EXPECT_THAT(errors_of("websocket:\n  ping_interval_s: -1\n"),
              ElementsAre("gale.yaml:2:3: websocket.ping_interval_s: must be "
                          ">= 0"));
  EXPECT_THAT(errors_of("websocket:\n  ping_interval_s: often\n"),
              ElementsAre("gale.yaml:2:3: websocket.ping_interval_s: expected "
                          "a number of seconds, got \"often\""));
  EXPECT_THAT(errors_of("websocket:\n  ping_timeout_s: 0\n"),
              ElementsAre("gale.yaml:2:3: websocket.ping_timeout_s: must be > "
                          "0"));
  EXPECT_THAT(errors_of("websocket:\n  ping_timeout_s: -2\n"),
              ElementsAre("gale.yaml:2:3: websocket.ping_timeout_s: must be > "
                          "0"));
  EXPECT_THAT(errors_of("websocket:\n  close_timeout_s: 0\n"),
              ElementsAre("gale.yaml:2:3: websocket.close_timeout_s: must be > "
                          "0"));
  EXPECT_THAT(errors_of("websocket:\n  close_timeout_s: 1e9\n"),
              ElementsAre("gale.yaml:2:3: websocket.close_timeout_s: must be "
                          "at most 31536000 (a year)"));
}

TEST(ReadYamlErrors, WebSocketCompression) {
  EXPECT_THAT(errors_of("websocket:\n  compression: deflate\n"),
              ElementsAre("gale.yaml:2:3: websocket.compression: expected true "
                          "or false, got \"deflate\""));
}

TEST(ReadYamlErrors, AllowedOriginsMustBeAListOfStrings) {
  EXPECT_THAT(errors_of("websocket:\n  allowed_origins: https://a.example\n"),
              ElementsAre("gale.yaml:2:3: websocket.allowed_origins: expected "
                          "a list of origins, got \"https://a.example\""));
  EXPECT_THAT(errors_of("websocket:\n  allowed_origins:\n"),
              ElementsAre("gale.yaml:2:3: websocket.allowed_origins: expected "
                          "a list of origins, got nothing"));
  EXPECT_THAT(errors_of("websocket:\n  allowed_origins:\n    - [a]\n"),
              ElementsAre("gale.yaml:3:7: websocket.allowed_origins[0]: "
                          "expected a string, got a list"));
}

TEST(ReadYamlErrors, AllowedOriginsMustBeOrigins) {
  EXPECT_THAT(
      errors_of("websocket:\n  allowed_origins:\n    - https://a.example\n"
                "    - a.example\n    - https://b.example/\n"
                "    - \"https://*.example\"\n    - https://b.example:0\n"),
      ElementsAre("gale.yaml:4:7: websocket.allowed_origins[1]: expected "
                  "\"*\" or an origin scheme://host[:port], got "
                  "\"a.example\"",
                  "gale.yaml:5:7: websocket.allowed_origins[2]: an origin has "
                  "no path, query or fragment: expected "
                  "\"https://b.example\", got \"https://b.example/\"",
                  "gale.yaml:6:7: websocket.allowed_origins[3]: expected "
                  "\"*\" or an origin scheme://host[:port], got "
                  "\"https://*.example\"",
                  "gale.yaml:7:7: websocket.allowed_origins[4]: its port must "
                  "be 1..65535, got \"https://b.example:0\""));
}

TEST(ReadYamlErrors, AllowedOriginsListedTwice) {
  // Twice once normalized: the default port and case make no difference.
  EXPECT_THAT(errors_of("websocket:\n  allowed_origins: [\"https://a.example\","
                        " x, \"HTTPS://A.example:443\"]\n"),
              ElementsAre("gale.yaml:2:42: websocket.allowed_origins[1]: "
                          "expected \"*\" or an origin scheme://host[:port], "
                          "got \"x\"",
                          "gale.yaml:2:45: websocket.allowed_origins[2]: "
                          "\"https://a.example\" is listed twice (also "
                          "websocket.allowed_origins[0])"));
}

TEST(ReadYamlErrors, AllowedOriginsAnyMustStandAlone) {
  EXPECT_THAT(errors_of("websocket:\n  allowed_origins:\n"
                        "    - https://a.example\n    - \"*\"\n"),
              ElementsAre("gale.yaml:4:7: websocket.allowed_origins[1]: \"*\" "
                          "allows any origin, so it must be the only entry"));
}

TEST(ReadYamlErrors, UnknownWebSocketKey) {
  EXPECT_THAT(errors_of("websocket:\n  max_message_size: 10\n"),
              ElementsAre("gale.yaml:2:3: unknown key "
                          "\"websocket.max_message_size\" (did you mean "
                          "\"websocket.max_message_bytes\"?)"));
  EXPECT_THAT(errors_of("websocket:\n  allowed_origin: []\n"),
              ElementsAre("gale.yaml:2:3: unknown key "
                          "\"websocket.allowed_origin\" (did you mean "
                          "\"websocket.allowed_origins\"?)"));
  EXPECT_THAT(errors_of("websockets:\n  compression: true\n"),
              ElementsAre("gale.yaml:1:1: unknown key \"websockets\" (did you "
                          "mean \"websocket\"?)"));
  EXPECT_THAT(errors_of("websocket: true\n"),
              ElementsAre("gale.yaml:1:1: websocket: expected a mapping of "
                          "keys, got \"true\""));
}

TEST(ReadYamlErrors, DuplicateWebSocketKey) {
  EXPECT_THAT(errors_of("websocket:\n  compression: true\n"
                        "  compression: false\n"),
              ElementsAre("gale.yaml:3:3: duplicate key "
                          "\"websocket.compression\" (first on line 2)"));
}

// --- pubsub: and chat: ----------------------------------------------------

TEST(ReadYaml, PubSubAndChatDefaults) {
  const Read r = read("");
  EXPECT_EQ(r.config.pubsub.backend, PubSubBackend::local);
  EXPECT_EQ(r.config.pubsub.redis_url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(r.config.pubsub.prefix, "gale");
  EXPECT_EQ(r.config.pubsub.history, 200u);
  EXPECT_EQ(r.config.chat.poll_timeout_s, 30);
}

TEST(ReadYaml, ReadsPubSubAndChat) {
  const Read r = read(R"(
pubsub:
  backend: local
  redis_url: "redis://10.0.0.5:6379/1"
  prefix: staging
  history: 1
chat:
  poll_timeout_s: 2.5
)");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.pubsub.redis_url, "redis://10.0.0.5:6379/1");
  EXPECT_EQ(r.config.pubsub.redis.host, "10.0.0.5");
  EXPECT_EQ(r.config.pubsub.redis.db, 1);
  EXPECT_EQ(r.config.pubsub.prefix, "staging");
  EXPECT_EQ(r.config.pubsub.history, 1u);
  EXPECT_EQ(r.config.chat.poll_timeout_s, 2.5);
}

TEST(ReadYamlErrors, PubSubAndChat) {
  EXPECT_THAT(errors_of("pubsub:\n  backend: redis\n"), IsEmpty());
  EXPECT_THAT(errors_of("pubsub:\n  redis_url: \"redis://h:0/1\"\n"),
              ElementsAre("gale.yaml:2:3: pubsub.redis_url: the port must be "
                          "1..65535 (an IPv6 host goes in [])"));
  EXPECT_THAT(errors_of("pubsub:\n  redis_url: \"http://h\"\n"),
              ElementsAre("gale.yaml:2:3: pubsub.redis_url: expected "
                          "redis://[[user]:password@]host[:port][/db] or "
                          "unix://[[user]:password@]/path[?db=N]"));
  EXPECT_THAT(errors_of("pubsub:\n  backend: memcached\n"),
              ElementsAre("gale.yaml:2:3: pubsub.backend: expected one of "
                          "local|redis, got \"memcached\""));
  EXPECT_THAT(errors_of("pubsub:\n  history: 0\n"),
              ElementsAre("gale.yaml:2:3: pubsub.history: must be "
                          "1..4294967295"));
  EXPECT_THAT(errors_of("pubsub:\n  prefix: \"\"\n"),
              ElementsAre("gale.yaml:2:3: pubsub.prefix: must not be empty"));
  EXPECT_THAT(errors_of("pubsub:\n  histroy: 5\n"),
              ElementsAre("gale.yaml:2:3: unknown key \"pubsub.histroy\" "
                          "(did you mean \"pubsub.history\"?)"));
  EXPECT_THAT(errors_of("chat:\n  poll_timeout_s: 0\n"),
              ElementsAre("gale.yaml:2:3: chat.poll_timeout_s: must be > 0"));
  EXPECT_THAT(errors_of("chat: 5\n"),
              ElementsAre("gale.yaml:1:1: chat: expected a mapping of keys, "
                          "got \"5\""));
}

}  // namespace
}  // namespace gale

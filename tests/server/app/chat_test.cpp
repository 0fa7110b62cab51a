// The chat routes (SPEC §3) served in memory through the handler harness,
// over a real hub and a LocalBackend on the harness's loop: body rules,
// cursors, long-polls waking, timing out and being abandoned, the JSON.
#include "server/app/chat.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <cctype>
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "server/app/builtin_app.hpp"
#include "server/web/testing/handler_harness.hpp"
#include "tests/server/app/chat_world.hpp"

namespace gale {
namespace {

using namespace std::chrono_literals;
using testing::MemoryChannel;

std::string form_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class ChatTest : public ::testing::Test, protected ChatWorld {
 protected:
  ChatTest() {
    ChatOptions options;
    options.poll_timeout = 100ms;
    add_chat_routes(app_, options);
  }

  // Starts a request; the loop does not run.
  void start(const std::string& method, const std::string& target,
             const std::string& form = "") {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: t\r\n";
    if (method == "POST")
      raw +=
          "Content-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: " +
          std::to_string(form.size()) + "\r\n";
    raw += "\r\n" + form;
    ASSERT_TRUE(harness_.parse(raw));
    harness_.dispatch(app_);
  }
  const MemoryChannel& request(const std::string& method,
                               const std::string& target,
                               const std::string& form = "") {
    ::testing::internal::CaptureStderr();  // a 400 logs a warning
    start(method, target, form);
    harness_.run_until_finished(2s);
    ::testing::internal::GetCapturedStderr();
    return harness_.channel();
  }
  const MemoryChannel& post_body(std::string_view body) {
    return request("POST", "/chat/new", "body=" + form_encode(body));
  }
  std::string post_ok(std::string_view body) {
    const MemoryChannel& r = post_body(body);
    EXPECT_EQ(r.status, 200) << r.body();
    return std::string(boost::json::parse(r.body()).at("id").as_string());
  }
  // The bodies of a /chat/updates answer.
  std::vector<std::string> updates(const std::string& cursor) {
    const MemoryChannel& r =
        request("POST", "/chat/updates", "cursor=" + form_encode(cursor));
    EXPECT_EQ(r.status, 200);
    return bodies(r.body());
  }
  static std::vector<std::string> bodies(const std::string& json) {
    std::vector<std::string> out;
    boost::json::value v = boost::json::parse(json);
    for (const auto& m : v.at("messages").as_array())
      out.emplace_back(m.at("body").as_string());
    return out;
  }
  void run_for(std::chrono::milliseconds d) {
    harness_.loop().restart();
    harness_.loop().run_for(d);
  }
};

TEST_F(ChatTest, PostReturnsTheMessageAsJson) {
  const MemoryChannel& r = post_body("hello there");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.field("Content-Type"), "application/json; charset=utf-8");
  boost::json::value v = boost::json::parse(r.body());
  EXPECT_EQ(v.at("body").as_string(), "hello there");
  EXPECT_FALSE(v.at("id").as_string().empty());
  EXPECT_EQ(v.as_object().size(), 2u);
  EXPECT_EQ(hub_.last_id("chat"), v.at("id").as_string());
}

TEST_F(ChatTest, BodyIsKeptAsPostedAndEscapedForHtml) {
  std::string body = "  <img src=x onerror=alert(1)> & \"q\" \xC3\xA9\n ";
  const MemoryChannel& r = post_body(body);
  ASSERT_EQ(r.status, 200);
  // No raw '<', '>' or '&' anywhere in the JSON (json.hpp).
  EXPECT_EQ(r.body().find_first_of("<>&"), std::string::npos) << r.body();
  EXPECT_EQ(boost::json::parse(r.body()).at("body").as_string(), body);
  EXPECT_EQ(updates(""), std::vector<std::string>{body});
}

TEST_F(ChatTest, BodyLimitsAre1To4096BytesOfUtf8) {
  EXPECT_EQ(post_body(std::string(4096, 'x')).status, 200);
  std::string two_byte_chars;  // 2048 x "é" = 4096 bytes
  for (int i = 0; i < 2048; ++i)
    two_byte_chars += "\xC3\xA9";
  EXPECT_EQ(post_body(two_byte_chars).status, 200);

  const MemoryChannel& big = post_body(std::string(4097, 'x'));
  EXPECT_EQ(big.status, 400);
  EXPECT_NE(big.body().find("over 4096 bytes"), std::string::npos);
  const MemoryChannel& empty = post_body("");
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(empty.body().find("body is empty"), std::string::npos);
  const MemoryChannel& bad = post_body("a\xFFz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body().find("not UTF-8"), std::string::npos);
  EXPECT_EQ(post_body("\xED\xA0\x80").status, 400);  // a surrogate
  EXPECT_EQ(post_body("\xC3").status, 400);          // truncated
  const MemoryChannel& missing = request("POST", "/chat/new", "text=hi");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body().find("missing"), std::string::npos);
  EXPECT_EQ(hub_.after("chat", "").size(), 2u);  // only the valid two
}

TEST_F(ChatTest, CursorSemantics) {
  std::string a = post_ok("a");
  std::string b = post_ok("b");
  post_ok("c");
  EXPECT_EQ(updates(a), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(updates(b), (std::vector<std::string>{"c"}));
  EXPECT_EQ(updates("unknown"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(updates(""), (std::vector<std::string>{"a", "b", "c"}));
  post_ok("d");  // history is 3: "a" is evicted
  EXPECT_EQ(updates(a), (std::vector<std::string>{"b", "c", "d"}));
}

TEST_F(ChatTest, UpdatesWithoutACursorField) {
  post_ok("only");
  const MemoryChannel& r = request("POST", "/chat/updates");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(bodies(r.body()), std::vector<std::string>{"only"});
  EXPECT_EQ(r.field("Cache-Control"), "no-store");
}

TEST_F(ChatTest, LongPollWakesOnAPost) {
  std::string last = post_ok("before");
  start("POST", "/chat/updates", "cursor=" + form_encode(last));
  run_for(20ms);
  EXPECT_FALSE(harness_.channel().done());
  EXPECT_EQ(pubsub_.waiters(), 1u);
  bool published = false;
  pubsub_.publish("chat", "after",
                  [&](pubsub::PublishResult) { published = true; });
  harness_.run_until_finished(2s);
  ASSERT_TRUE(harness_.channel().done());
  EXPECT_TRUE(published);
  EXPECT_EQ(bodies(harness_.channel().body()),
            std::vector<std::string>{"after"});
  EXPECT_EQ(hub_.observers(), 0u);
}

TEST_F(ChatTest, LongPollTimesOutEmpty) {
  std::string last = post_ok("x");
  auto started = std::chrono::steady_clock::now();
  const MemoryChannel& r =
      request("POST", "/chat/updates", "cursor=" + form_encode(last));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), R"({"messages":[]})");
  EXPECT_EQ(hub_.observers(), 0u);
}

TEST_F(ChatTest, ClientLeavingMidPollLeavesNoSubscriber) {
  start("POST", "/chat/updates", "");
  run_for(10ms);
  EXPECT_EQ(hub_.observers(), 1u);
  EXPECT_EQ(pubsub_.waiters(), 1u);
  harness_.close_connection();
  run_for(10ms);
  EXPECT_EQ(hub_.observers(), 0u);
  EXPECT_EQ(pubsub_.waiters(), 0u);
  pubsub_.publish("chat", "to nobody", [](pubsub::PublishResult) {});
  run_for(10ms);
  EXPECT_EQ(harness_.channel().starts, 0);  // nothing written to the gone
}

TEST_F(ChatTest, DrainAnswersAWaitingPollAtOnce) {
  start("POST", "/chat/updates", "");
  run_for(10ms);
  pubsub_.wake_all_waiters();
  harness_.run_until_finished(50ms);  // well under the poll timeout
  ASSERT_TRUE(harness_.channel().done());
  EXPECT_EQ(harness_.channel().body(), R"({"messages":[]})");
}

TEST_F(ChatTest, AFailedPublishIs503) {
  // A backend that is down: every publish fails.
  struct DownBackend : pubsub::Backend {
    explicit DownBackend(boost::asio::io_context& l) : loop(l) {}
    void publish(std::string, std::string,
                 pubsub::PublishCompletion done) override {
      boost::asio::post(loop, [done] {
        done({pubsub::PublishStatus::unavailable, {}});
      });
    }
    boost::asio::io_context& loop;
  } down(harness_.loop());
  PubSub failing(hub_, down);
  harness_.set_pubsub(&failing);
  const MemoryChannel& r = post_body("lost?");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body().find("not published"), std::string::npos);
  harness_.set_pubsub(&pubsub_);
}

TEST_F(ChatTest, WithoutPubSubChatIs503) {
  harness_.set_pubsub(nullptr);
  EXPECT_EQ(post_body("x").status, 503);
  EXPECT_EQ(request("POST", "/chat/updates").status, 503);
}

// A poll still waiting when the test ends, its timeout armed on the
// harness's loop: the fixture then destroys the harness (and its loop)
// before pubsub_, as a user's fixture would, and nothing stops the timer by
// hand (ASan: a heap-use-after-free while the timer was the PubSub's).
TEST_F(ChatTest, APollWaitingWhenTheHarnessGoesLeavesNothingBehind) {
  start("POST", "/chat/updates", "");
  run_for(10ms);
  EXPECT_EQ(pubsub_.waiters(), 1u);
}

TEST_F(ChatTest, PageAndScriptAreServed) {
  const MemoryChannel& page = request("GET", "/chat/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.field("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  EXPECT_NE(page.body().find("<script src=\"chat.js\">"), std::string::npos);
  const MemoryChannel& js = request("GET", "/chat/chat.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.field("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js.body().find("textContent"), std::string::npos);
  EXPECT_EQ(js.body().find("innerHTML"), std::string::npos);
  const MemoryChannel& bare = request("GET", "/chat");
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(bare.field("Location"), "/chat/");
}

TEST_F(ChatTest, WrongMethodsAre405) {
  EXPECT_EQ(request("GET", "/chat/new").status, 405);
  EXPECT_EQ(request("GET", "/chat/updates").status, 405);
}

TEST(BuiltinChatTest, TheBuiltinAppServesTheChatPage) {
  Application app = make_builtin_app(Config{});
  testing::SentResponse r =
      testing::fetch(app, "GET /chat/ HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body().find("gale chat"), std::string::npos);
}

}  // namespace
}  // namespace gale

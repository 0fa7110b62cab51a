// The chat with XSRF protection on (settings().xsrf_cookies), in memory:
// the page's GET sets the _xsrf cookie, its script sends the token as
// X-XSRFToken, and the two POST routes refuse a request without it. The
// WebSocket upgrade, a GET, is not checked.
#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "server/app/chat.hpp"
#include "server/app/websocket_routes.hpp"
#include "server/web/testing/handler_harness.hpp"
#include "tests/server/app/chat_world.hpp"

namespace gale {
namespace {

using namespace std::chrono_literals;
using testing::MemoryChannel;

class ChatXsrfTest : public ::testing::Test, protected ChatWorld {
 protected:
  ChatXsrfTest() {
    ChatOptions options;
    options.poll_timeout = 50ms;
    add_chat_routes(app_, options);
    add_websocket_routes(app_);
    app_.settings().xsrf_cookies = true;
  }

  const MemoryChannel& request(const std::string& head,
                               const std::string& form = "") {
    std::string raw = head + "Host: t\r\n";
    if (!form.empty())
      raw +=
          "Content-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: " +
          std::to_string(form.size()) + "\r\n";
    raw += "\r\n" + form;
    ::testing::internal::CaptureStderr();  // a 403 logs a warning
    EXPECT_TRUE(harness_.parse(raw));
    harness_.dispatch(app_);
    harness_.run_until_finished(2s);
    ::testing::internal::GetCapturedStderr();
    return harness_.channel();
  }

  // GET /chat/: the _xsrf cookie's value, as the page's script reads it.
  std::string page_cookie() {
    const MemoryChannel& r = request("GET /chat/ HTTP/1.1\r\n");
    EXPECT_EQ(r.status, 200);
    for (const std::string& c : r.values("Set-Cookie"))
      if (c.starts_with("_xsrf=")) return c.substr(6, c.find(';') - 6);
    return {};
  }
};

TEST_F(ChatXsrfTest, ThePageSetsTheCookieAndTheScriptSendsIt) {
  EXPECT_FALSE(page_cookie().empty());
  // What the script does with it: the header on both POSTs.
  const std::string_view script = chat_page_script();
  EXPECT_NE(script.find("_xsrf="), std::string_view::npos);
  EXPECT_NE(script.find("\"X-XSRFToken\""), std::string_view::npos);
  EXPECT_NE(script.find("body}), headers: xsrf()"), std::string_view::npos);
  EXPECT_NE(script.find("headers: xsrf(), cache"), std::string_view::npos);
}

TEST_F(ChatXsrfTest, PostsWithoutTheTokenAreRefused) {
  const std::string cookie = page_cookie();
  const MemoryChannel& bare = request(
      "POST /chat/new HTTP/1.1\r\nCookie: _xsrf=" + cookie + "\r\n", "body=hi");
  EXPECT_EQ(bare.status, 403);
  EXPECT_NE(bare.body().find("'_xsrf' argument missing from POST"),
            std::string::npos);
  EXPECT_EQ(hub_.last_id("chat"), "");  // nothing published
  EXPECT_EQ(
      request("POST /chat/updates HTTP/1.1\r\nCookie: _xsrf=" + cookie + "\r\n",
              "cursor=")
          .status,
      403);
}

TEST_F(ChatXsrfTest, PostsWithTheHeaderTokenWork) {
  const std::string cookie = page_cookie();
  const std::string head =
      "Cookie: _xsrf=" + cookie + "\r\nX-XSRFToken: " + cookie + "\r\n";
  const MemoryChannel& posted =
      request("POST /chat/new HTTP/1.1\r\n" + head, "body=hi");
  EXPECT_EQ(posted.status, 200) << posted.body();
  EXPECT_NE(hub_.last_id("chat"), "");
  const MemoryChannel& polled =
      request("POST /chat/updates HTTP/1.1\r\n" + head, "cursor=");
  EXPECT_EQ(polled.status, 200) << polled.body();
  EXPECT_NE(polled.body().find("\"hi\""), std::string::npos) << polled.body();
}

TEST_F(ChatXsrfTest, WithXsrfOffThePageSetsNoCookieAndPostsNeedNoToken) {
  app_.settings().xsrf_cookies = false;
  EXPECT_EQ(page_cookie(), "");
  EXPECT_EQ(request("POST /chat/new HTTP/1.1\r\n", "body=hi").status, 200);
}

TEST_F(ChatXsrfTest, TheWebSocketUpgradeIsNotChecked) {
  // In memory there is no socket to switch to: the handshake, once past
  // every check, answers 503. A 403 would mean the XSRF check ran.
  const MemoryChannel& r = request(
      "GET /ws/chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n");
  EXPECT_EQ(r.status, 503) << r.body();
}

}  // namespace
}  // namespace gale

// The long-poll chat of Tornado's demo (SPEC §3), on the public pub/sub API
// (pubsub()) and nothing else, so it works across workers (and hosts) with
// whatever backend the server runs:
//   POST /chat/new      form `body` -> {"id": "...", "body": "..."}
//   POST /chat/updates  form `cursor` -> {"messages": [...]}, long-polled
//   GET  /chat/         the page (HTML, CSS and JS embedded in the binary)
// With settings().xsrf_cookies on, the page sets the _xsrf cookie and its
// script sends the token as X-XSRFToken on both POSTs.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "server/web/application.hpp"

namespace gale {

struct ChatOptions {
  // A poll with nothing new answers {"messages":[]} after this
  // (chat.poll_timeout_s).
  std::chrono::steady_clock::duration poll_timeout = std::chrono::seconds(30);
};

// The channel every chat message goes through.
inline constexpr std::string_view kChatChannel = "chat";
// A message body is 1..this many bytes of UTF-8.
inline constexpr std::size_t kChatMaxBodyBytes = 4096;

// Adds /chat (a redirect), /chat/, /chat/chat.js, /chat/new and
// /chat/updates to `app`.
void add_chat_routes(Application& app, ChatOptions options = {});

// The page GET /chat/ serves and its script, GET /chat/chat.js
// (chat_page.cpp).
std::string_view chat_page_html();
std::string_view chat_page_script();

}  // namespace gale

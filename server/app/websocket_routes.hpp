// The built-in WebSocket routes (SPEC §3), on the public WebSocketHandler
// and pub/sub API like any application's:
//   GET /ws/echo  echoes each text or binary message
//   GET /ws/chat  each text message goes to every client of the room, the
//                 sender included, across workers (and hosts, with Redis);
//                 a binary message closes the socket with 1003
#pragma once

#include <string_view>

#include "server/web/application.hpp"

namespace gale {

// The pub/sub channel of the /ws/chat room (not the long-poll chat's).
inline constexpr std::string_view kWebSocketChatChannel = "ws-chat";

void add_websocket_routes(Application& app);

}  // namespace gale

// How a worker's WebSocket sessions behave: SPEC §2 `websocket:`, as the
// worker read it from the configuration (this room does not know config).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gale::websocket {

struct SessionOptions {
  std::uint64_t max_message_bytes = 1048576;  // larger -> close 1009
  // Quiet this long -> ping; zero: never.
  std::chrono::steady_clock::duration ping_interval = std::chrono::seconds(25);
  // Nothing heard this long after a ping -> the socket is dropped.
  std::chrono::steady_clock::duration ping_timeout = std::chrono::seconds(10);
  // After our close frame, the peer's must come within this.
  std::chrono::steady_clock::duration close_timeout = std::chrono::seconds(5);
  std::uint64_t max_queue_bytes = 1048576;   // unsent past this -> close 1008
  bool compression = false;                  // accept permessage-deflate
  std::vector<std::string> allowed_origins;  // empty: same host only
};

}  // namespace gale::websocket

// What a WebSocket session tells its owner (the WebSocketHandler): the
// socket's events, in order, on the worker's loop. The session holds its
// owner alive until on_close() has run.
#pragma once

#include <string_view>

#include "server/websocket/close_code.hpp"

namespace gale::websocket {

class SessionEvents {
 public:
  virtual ~SessionEvents() = default;

  // The handshake is answered; messages may be written from here on.
  virtual void session_open() = 0;
  // A whole data message (reassembled, unmasked, text validated as UTF-8).
  // The bytes are valid during the call only.
  virtual void session_message(std::string_view data, bool binary) = 0;
  virtual void session_pong(std::string_view payload) = 0;
  // Once, last: the close code and reason (the peer's if it sent a close
  // frame, else ours; abnormal 1006 when the TCP connection just ended).
  // The session is gone after this returns.
  virtual void session_closed(CloseCode code, std::string_view reason) = 0;
};

}  // namespace gale::websocket

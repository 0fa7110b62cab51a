// The frame opcodes of RFC 6455 §5.2 that gale understands.
//
// Shared by the parser (what a client sent) and the writer (what the server
// sends). Values 3-7 and 0xB-0xF are reserved and never appear here: the
// parser rejects them before an Opcode is formed.
#pragma once

#include <cstdint>

namespace gale::websocket {

enum class Opcode : std::uint8_t {
  continuation = 0x0,  // the next fragment of a data message
  text = 0x1,          // a data message of UTF-8 text
  binary = 0x2,        // a data message of arbitrary bytes
  close = 0x8,         // the closing handshake (§5.5.1)
  ping = 0x9,          // a keep-alive probe; answered with pong (§5.5.2)
  pong = 0xA,          // the answer to a ping, or unsolicited (§5.5.3)
};

// Control frames (close, ping, pong) have the high opcode bit set (§5.5).
constexpr bool is_control(Opcode op) {
  return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

}  // namespace gale::websocket

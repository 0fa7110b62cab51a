// Why the frame parser gave up on a client's byte stream.
//
// Each value maps to exactly one close code (RFC 6455 §7.4.1): the session
// sends a close frame with it and stops reading, because the framing of
// whatever follows is in doubt. After any of them the parser is sticky.
#pragma once

#include <cstdint>
#include <string_view>

#include "server/websocket/close_code.hpp"

namespace gale::websocket {

enum class FrameError : std::uint8_t {
  none,
  // 1002: a client frame without the MASK bit (§5.1: clients must mask).
  unmasked_frame,
  // 1002: RSV2/RSV3 set, or RSV1 set without permessage-deflate, or RSV1
  // on a continuation or control frame (RFC 7692 §6: first frame only).
  reserved_bits,
  // 1002: opcode 0x3-0x7 or 0xB-0xF (§5.2).
  reserved_opcode,
  // 1002: a close/ping/pong frame without FIN (§5.5: never fragmented).
  fragmented_control_frame,
  // 1002: a control frame with more than 125 bytes of payload (§5.5).
  control_frame_too_long,
  // 1002: a continuation frame with no fragmented message in progress.
  unexpected_continuation,
  // 1002: a text/binary frame while a fragmented message is in progress.
  expected_continuation,
  // 1002: a 16- or 64-bit length that would fit a shorter form (§5.2: "the
  // minimal number of bytes MUST be used").
  non_minimal_length,
  // 1002: a 64-bit length with its most significant bit set (§5.2).
  length_too_large,
  // 1009: the message's fragments add up past max_message_bytes.
  message_too_big,
  // 1007: a text message that is not UTF-8, or ends mid-code-point.
  invalid_utf8,
  // 1002: a close frame with exactly one byte of payload (§5.5.1).
  bad_close_payload,
  // 1002: a close frame whose code may not appear on the wire.
  invalid_close_code,
  // 1007: a close frame whose reason is not UTF-8.
  invalid_close_reason,
};

// The close code the server sends back (1002, 1007 or 1009).
CloseCode close_code_for(FrameError e);

// A short human-readable reason, used as the close reason and in the log.
std::string_view describe(FrameError e);

}  // namespace gale::websocket

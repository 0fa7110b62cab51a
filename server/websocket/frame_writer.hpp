// Encodes server frames (RFC 6455 §5.2): unmasked, as a server must send.
//
// write_header() fills a caller-provided array of at most 10 bytes, so a
// session can gather-write header + payload (one shared payload for a
// broadcast) without copying the payload. encode_frame() builds a whole
// frame into one string, for "encode once, send to many". close_payload()
// builds the body of a close frame from a code and a reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "server/websocket/close_code.hpp"
#include "server/websocket/opcode.hpp"

namespace gale::websocket {

// 2 bytes + a 64-bit extended length; a server frame has no masking key.
inline constexpr std::size_t kMaxHeaderBytes = 10;

// The most bytes of reason a close frame can carry: 125 minus the code.
inline constexpr std::size_t kMaxCloseReasonBytes = 123;

struct FrameFlags {
  bool fin = true;    // the last (or only) frame of its message
  bool rsv1 = false;  // permessage-deflate: the message is compressed
};

// Writes the header of a frame with `payload_size` bytes of payload and
// returns its length (2, 4 or 10), always in the minimal form. A control
// frame must have fin set, no rsv1 and at most 125 bytes (asserted).
std::size_t write_header(std::span<char, kMaxHeaderBytes> out, Opcode opcode,
                         std::uint64_t payload_size, FrameFlags flags = {});

// Header and payload in one string.
std::string encode_frame(Opcode opcode, std::string_view payload,
                         FrameFlags flags = {});

// The payload of a close frame: the code in network order, then the reason
// cut to kMaxCloseReasonBytes at a code-point boundary (so a UTF-8 reason
// stays UTF-8). CloseCode::no_status gives an empty payload (1005 must not
// be sent, §7.4.1), and the reason is then dropped. Any other code must be
// valid on the wire (asserted).
std::string close_payload(CloseCode code, std::string_view reason = {});

// A whole close frame: encode_frame(Opcode::close, close_payload(...)).
std::string encode_close_frame(CloseCode code, std::string_view reason = {});

}  // namespace gale::websocket

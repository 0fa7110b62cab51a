// Server frame encoding; see frame_writer.hpp.
#include "server/websocket/frame_writer.hpp"

#include <array>
#include <cassert>

namespace gale::websocket {

std::size_t write_header(std::span<char, kMaxHeaderBytes> out, Opcode opcode,
                         std::uint64_t payload_size, FrameFlags flags) {
  assert(!is_control(opcode) ||
         (flags.fin && !flags.rsv1 && payload_size <= 125));
  assert((payload_size >> 63) == 0);
  unsigned first = static_cast<unsigned>(opcode);
  if (flags.fin) first |= 0x80;
  if (flags.rsv1) first |= 0x40;
  out[0] = static_cast<char>(first);
  if (payload_size < 126) {
    out[1] = static_cast<char>(payload_size);
    return 2;
  }
  const std::size_t n = payload_size <= 0xFFFF ? 2 : 8;
  out[1] = static_cast<char>(n == 2 ? 126 : 127);
  for (std::size_t i = 0; i < n; ++i)
    out[2 + i] = static_cast<char>(payload_size >> (8 * (n - 1 - i)));
  return 2 + n;
}

std::string encode_frame(Opcode opcode, std::string_view payload,
                         FrameFlags flags) {
  std::array<char, kMaxHeaderBytes> header;
  const std::size_t n = write_header(header, opcode, payload.size(), flags);
  std::string frame;
  frame.reserve(n + payload.size());
  frame.append(header.data(), n).append(payload);
  return frame;
}

std::string close_payload(CloseCode code, std::string_view reason) {
  if (code == CloseCode::no_status) return {};
  assert(is_valid_on_wire(to_int(code)));
  if (reason.size() > kMaxCloseReasonBytes) {
    std::size_t cut = kMaxCloseReasonBytes;
    // Back off over continuation bytes (10xxxxxx) so no code point is split.
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80)
      --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload;
  payload.reserve(2 + reason.size());
  payload.push_back(static_cast<char>(to_int(code) >> 8));
  payload.push_back(static_cast<char>(to_int(code) & 0xFF));
  payload.append(reason);
  return payload;
}

std::string encode_close_frame(CloseCode code, std::string_view reason) {
  return encode_frame(Opcode::close, close_payload(code, reason));
}

}  // namespace gale::websocket

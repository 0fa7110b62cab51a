// Close codes and descriptions of FrameError; see frame_error.hpp.
#include "server/websocket/frame_error.hpp"

namespace gale::websocket {

CloseCode close_code_for(FrameError e) {
  switch (e) {
    case FrameError::none:
      return CloseCode::normal;
    case FrameError::message_too_big:
      return CloseCode::message_too_big;
    case FrameError::invalid_utf8:
    case FrameError::invalid_close_reason:
      return CloseCode::invalid_payload;
    case FrameError::unmasked_frame:
    case FrameError::reserved_bits:
    case FrameError::reserved_opcode:
    case FrameError::fragmented_control_frame:
    case FrameError::control_frame_too_long:
    case FrameError::unexpected_continuation:
    case FrameError::expected_continuation:
    case FrameError::non_minimal_length:
    case FrameError::length_too_large:
    case FrameError::bad_close_payload:
    case FrameError::invalid_close_code:
      return CloseCode::protocol_error;
  }
  return CloseCode::protocol_error;
}

std::string_view describe(FrameError e) {
  switch (e) {
    case FrameError::none:
      return "no error";
    case FrameError::unmasked_frame:
      return "client frame not masked";
    case FrameError::reserved_bits:
      return "reserved bits set";
    case FrameError::reserved_opcode:
      return "reserved opcode";
    case FrameError::fragmented_control_frame:
      return "fragmented control frame";
    case FrameError::control_frame_too_long:
      return "control frame payload over 125 bytes";
    case FrameError::unexpected_continuation:
      return "continuation frame without a message";
    case FrameError::expected_continuation:
      return "new message inside a fragmented message";
    case FrameError::non_minimal_length:
      return "payload length not minimally encoded";
    case FrameError::length_too_large:
      return "payload length has its top bit set";
    case FrameError::message_too_big:
      return "message too big";
    case FrameError::invalid_utf8:
      return "text message is not valid UTF-8";
    case FrameError::bad_close_payload:
      return "close frame payload of one byte";
    case FrameError::invalid_close_code:
      return "invalid close code";
    case FrameError::invalid_close_reason:
      return "close reason is not valid UTF-8";
  }
  return "unknown error";
}

}  // namespace gale::websocket

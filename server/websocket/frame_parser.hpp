// The server's parser of client WebSocket frames (RFC 6455 §5).
//
// Bytes in; an event and the number of bytes consumed out; no I/O, so it can
// be unit-tested and fuzzed alone, exactly like RequestParser. The input may
// be split at any byte. The parser never keeps a pointer into the caller's
// buffer: payload bytes are unmasked into its own small buffers.
//
// It does not buffer whole messages. A data message is handed over piece by
// piece (`message_data`, at most kMaxPiece bytes each, already unmasked),
// then `message_complete` once its final fragment ends; the caller (the
// session) decides whether to accumulate, stream or drop. Control frames
// (≤ 125 bytes) are buffered whole and reported once each (`control`), also
// between the fragments of a data message.
//
// Every rule of §5 that a server must enforce is checked here, each with its
// close code (frame_error.hpp): masking, RSV bits, reserved opcodes, control
// frame limits, fragmentation order, minimal length encoding, the message
// size limit (checked on each frame header, before any payload is read),
// UTF-8 of text messages (incrementally, across fragments) and close frame
// payloads. After an error the parser is sticky.
//
// permessage-deflate (RFC 7692): when negotiated, RSV1 is allowed on the
// first frame of a data message and marks the message compressed. The
// parser then does NOT validate UTF-8 (the bytes are deflate output) and
// max_message_bytes bounds the compressed size: the caller inflates, bounds
// the inflated size and validates the text itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/websocket/close_code.hpp"
#include "server/websocket/frame_error.hpp"
#include "server/websocket/opcode.hpp"
#include "server/websocket/utf8_validator.hpp"

namespace gale::websocket {

struct FrameParserOptions {
  // Sum of a data message's payload lengths past which it fails with 1009.
  std::uint64_t max_message_bytes = 1048576;
  // permessage-deflate was agreed in the handshake: RSV1 may mark messages.
  bool permessage_deflate = false;
};

class FrameParser {
 public:
  // The most payload bytes one message_data event carries.
  static constexpr std::size_t kMaxPiece = 4096;
  // The most payload a control frame may carry (§5.5).
  static constexpr std::size_t kMaxControlPayload = 125;

  enum class Event : std::uint8_t {
    need_more,         // all input consumed and nothing left to report
    message_data,      // data() is the next piece of the current message
    message_complete,  // the current message ended: message_opcode() etc.
    control,           // a whole control frame: control_opcode/payload()
    error,             // error() says why; send close_code_for(error())
  };
  struct Step {
    Event event;
    std::size_t consumed;
  };

  explicit FrameParser(FrameParserOptions options = {});

  // Both may change between frames (after the handshake, before reading).
  void set_permessage_deflate(bool negotiated) {
    options_.permessage_deflate = negotiated;
  }
  void set_max_message_bytes(std::uint64_t max) {
    options_.max_message_bytes = max;
  }

  // Consumes bytes up to the next event. Call it again, with the bytes not
  // consumed (possibly none), until it returns need_more or error: an event
  // may be pending with no input left (message_complete after the last
  // piece of a message). After a close frame has been reported the peer
  // may send nothing more (§5.5.1), so later bytes are consumed and
  // ignored. After an error nothing is consumed, ever.
  Step feed(const char* data, std::size_t len);

  FrameError error() const { return error_; }

  // Between frames with no message in progress and nothing owed: a session
  // may give the parser back to its pool and take any other one later.
  bool at_rest() const {
    return state_ == State::header && header_size_ == 0 && !in_message_ &&
           !complete_pending_;
  }
  // Back to a new connection's state (for ObjectPool), options kept.
  void reset() { *this = FrameParser(options_); }

  // message_data: the unmasked piece; valid until the next feed().
  std::string_view data() const { return {piece_.data(), piece_size_}; }
  // The current (or just completed) data message: text or binary.
  Opcode message_opcode() const { return message_opcode_; }
  // Whether the current message had RSV1 (permessage-deflate) set: its
  // bytes are compressed and were not UTF-8 validated.
  bool message_compressed() const { return compressed_; }
  // After message_data: whether that piece was the message's last (its
  // message_complete comes next), so a one-piece message needs no copy.
  bool message_ends_here() const { return complete_pending_; }
  // Whether a data message has started and not yet completed.
  bool in_message() const { return in_message_; }
  // Payload bytes of the current message announced by frame headers so far.
  std::uint64_t message_bytes() const { return message_bytes_; }

  // control: the frame's opcode and unmasked payload; valid until the next
  // feed().
  Opcode control_opcode() const { return control_opcode_; }
  std::string_view control_payload() const {
    return {control_.data(), control_size_};
  }
  // After a close frame: its code (no_status when the payload was empty)
  // and its reason (valid UTF-8); the reason is valid until the next feed().
  bool close_received() const { return state_ == State::closed; }
  CloseCode close_code() const { return close_code_; }
  std::string_view close_reason() const {
    return control_payload().substr(control_size_ >= 2 ? 2 : 0);
  }

 private:
  enum class State : std::uint8_t { header, payload, closed, failed };

  Step fail(FrameError e, std::size_t consumed);
  Step feed_header(const char* data, std::size_t len, std::size_t& pos);
  FrameError check_first_byte();
  FrameError check_second_byte();
  FrameError check_extended_length();
  FrameError check_message_size() const;
  void begin_frame();
  Step end_of_frame(std::size_t pos);
  Step feed_control(const char* data, std::size_t len, std::size_t pos);
  Step feed_data(const char* data, std::size_t len, std::size_t pos);
  FrameError check_close_payload();
  void unmask(const char* in, std::size_t n, char* out);
  bool validating() const {
    return message_opcode_ == Opcode::text && !compressed_;
  }

  FrameParserOptions options_;
  State state_ = State::header;
  FrameError error_ = FrameError::none;

  // The frame being read.
  std::array<unsigned char, 14> header_{};
  std::uint8_t header_size_ = 0;  // header bytes seen
  std::uint8_t header_need_ = 2;  // header bytes this frame has, once known
  bool fin_ = false;
  bool rsv1_ = false;
  Opcode opcode_ = Opcode::continuation;
  std::uint64_t payload_size_ = 0;
  std::uint64_t remaining_ = 0;  // payload bytes not yet read
  std::uint8_t mask_pos_ = 0;    // payload offset modulo 4
  std::array<unsigned char, 4> mask_{};

  // The data message in progress.
  bool in_message_ = false;
  bool compressed_ = false;
  bool complete_pending_ = false;  // message_complete owed to the caller
  Opcode message_opcode_ = Opcode::text;
  std::uint64_t message_bytes_ = 0;
  Utf8Validator utf8_;

  // What the last event exposes.
  std::array<char, kMaxPiece> piece_;
  std::size_t piece_size_ = 0;
  std::array<char, kMaxControlPayload> control_;
  std::size_t control_size_ = 0;
  Opcode control_opcode_ = Opcode::ping;
  CloseCode close_code_ = CloseCode::no_status;
};

}  // namespace gale::websocket

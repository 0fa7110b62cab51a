// The frame parser's state machine; see frame_parser.hpp.
//
// A frame is read in two phases: its header (2 to 14 bytes, copied byte by
// byte so every rule is checked at the first byte that can break it, and so
// the outcome never depends on where the input was split), then its
// payload, unmasked straight from the caller's bytes into piece_ (data) or
// control_ (control frames).
#include "server/websocket/frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace gale::websocket {

namespace {

bool is_reserved_opcode(unsigned op) {
  return (op >= 0x3 && op <= 0x7) || op >= 0xB;
}

// Bytes of extended payload length announced by the second header byte.
unsigned extended_length_bytes(unsigned char second) {
  unsigned len7 = second & 0x7F;
  return len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
}

}  // namespace

FrameParser::FrameParser(FrameParserOptions options) : options_(options) {}

FrameParser::Step FrameParser::fail(FrameError e, std::size_t consumed) {
  error_ = e;
  state_ = State::failed;
  piece_size_ = 0;
  return {Event::error, consumed};
}

FrameError FrameParser::check_first_byte() {
  const unsigned char b = header_[0];
  const unsigned op = b & 0x0F;
  if (is_reserved_opcode(op)) return FrameError::reserved_opcode;
  opcode_ = static_cast<Opcode>(op);
  fin_ = (b & 0x80) != 0;
  rsv1_ = (b & 0x40) != 0;
  if (b & 0x30) return FrameError::reserved_bits;  // RSV2/RSV3: no extension
  // RFC 7692 §6.1: RSV1 marks a compressed message on its first frame only.
  const bool starts_message =
      opcode_ == Opcode::text || opcode_ == Opcode::binary;
  if (rsv1_ && !(options_.permessage_deflate && starts_message))
    return FrameError::reserved_bits;
  if (is_control(opcode_) && !fin_) return FrameError::fragmented_control_frame;
  if (opcode_ == Opcode::continuation && !in_message_)
    return FrameError::unexpected_continuation;
  if (starts_message && in_message_) return FrameError::expected_continuation;
  return FrameError::none;
}

FrameError FrameParser::check_second_byte() {
  const unsigned char b = header_[1];
  if (!(b & 0x80)) return FrameError::unmasked_frame;
  const unsigned len7 = b & 0x7F;
  if (is_control(opcode_) && len7 > kMaxControlPayload)
    return FrameError::control_frame_too_long;
  header_need_ = static_cast<std::uint8_t>(2 + extended_length_bytes(b) + 4);
  if (len7 >= 126) return FrameError::none;  // the length follows
  payload_size_ = len7;
  return check_message_size();
}

// §5.2: "the minimal number of bytes MUST be used to encode the length".
// Peers that pad lengths are broken or probing, so they get 1002.
FrameError FrameParser::check_extended_length() {
  const unsigned n = extended_length_bytes(header_[1]);
  std::uint64_t len = 0;
  for (unsigned i = 0; i < n; ++i)
    len = (len << 8) | header_[2 + i];
  if (n == 8 && (len >> 63) != 0) return FrameError::length_too_large;
  if (len < (n == 2 ? 126u : 65536u)) return FrameError::non_minimal_length;
  payload_size_ = len;
  return check_message_size();
}

// Decided on the header alone, before any payload byte is read.
FrameError FrameParser::check_message_size() const {
  if (is_control(opcode_)) return FrameError::none;
  const std::uint64_t so_far =
      opcode_ == Opcode::continuation ? message_bytes_ : 0;
  if (so_far > options_.max_message_bytes ||
      payload_size_ > options_.max_message_bytes - so_far)
    return FrameError::message_too_big;
  return FrameError::none;
}

// Takes header bytes until the header is complete (state_ becomes payload),
// the input runs out (need_more) or a rule breaks (error).
FrameParser::Step FrameParser::feed_header(const char* data, std::size_t len,
                                           std::size_t& pos) {
  while (pos < len && header_size_ < header_need_) {
    header_[header_size_++] = static_cast<unsigned char>(data[pos++]);
    FrameError e = FrameError::none;
    if (header_size_ == 1) {
      e = check_first_byte();
    } else if (header_size_ == 2) {
      e = check_second_byte();
    } else if (extended_length_bytes(header_[1]) != 0 &&
               header_size_ == 2 + extended_length_bytes(header_[1])) {
      e = check_extended_length();
    }
    if (e != FrameError::none) return fail(e, pos);
  }
  if (header_size_ == header_need_) begin_frame();
  return {Event::need_more, pos};
}

void FrameParser::begin_frame() {
  std::memcpy(mask_.data(), header_.data() + header_need_ - 4, 4);
  mask_pos_ = 0;
  remaining_ = payload_size_;
  header_size_ = 0;
  header_need_ = 2;
  state_ = State::payload;
  if (is_control(opcode_)) {
    control_opcode_ = opcode_;
    control_size_ = 0;
    return;
  }
  if (opcode_ != Opcode::continuation) {
    in_message_ = true;
    message_opcode_ = opcode_;
    compressed_ = rsv1_;
    message_bytes_ = 0;
    utf8_.reset();
  }
  message_bytes_ += payload_size_;
}

// The payload of the current frame has been read in full. Returns the event
// it ends with, or need_more when there is none (a non-final fragment).
FrameParser::Step FrameParser::end_of_frame(std::size_t pos) {
  state_ = State::header;
  if (is_control(opcode_)) {
    if (opcode_ == Opcode::close) {
      if (FrameError e = check_close_payload(); e != FrameError::none)
        return fail(e, pos);
      state_ = State::closed;
    }
    return {Event::control, pos};
  }
  if (!fin_) return {Event::need_more, pos};
  if (validating() && !utf8_.complete())
    return fail(FrameError::invalid_utf8, pos);  // ends mid-code-point
  in_message_ = false;
  return {Event::message_complete, pos};
}

void FrameParser::unmask(const char* in, std::size_t n, char* out) {
  // The key rotated to the current payload offset, twice over, so eight
  // bytes can be unmasked at a time.
  unsigned char key[8];
  for (unsigned k = 0; k < 8; ++k)
    key[k] = mask_[(mask_pos_ + k) & 3];
  std::uint64_t key64;
  std::memcpy(&key64, key, sizeof key64);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, in + i, sizeof word);
    word ^= key64;
    std::memcpy(out + i, &word, sizeof word);
  }
  for (; i < n; ++i)
    out[i] = static_cast<char>(in[i] ^ key[i & 7]);
  mask_pos_ = static_cast<std::uint8_t>((mask_pos_ + n) & 3);
}

FrameParser::Step FrameParser::feed_control(const char* data, std::size_t len,
                                            std::size_t pos) {
  const std::size_t n =
      static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, len - pos));
  unmask(data + pos, n, control_.data() + control_size_);
  control_size_ += n;
  remaining_ -= n;
  pos += n;
  if (remaining_ > 0) return {Event::need_more, pos};
  return end_of_frame(pos);
}

FrameParser::Step FrameParser::feed_data(const char* data, std::size_t len,
                                         std::size_t pos) {
  const std::size_t n = static_cast<std::size_t>(
      std::min<std::uint64_t>({remaining_, len - pos, kMaxPiece}));
  unmask(data + pos, n, piece_.data());
  piece_size_ = n;
  remaining_ -= n;
  pos += n;
  if (validating() && !utf8_.feed(piece_.data(), n))
    return fail(FrameError::invalid_utf8, pos);
  if (remaining_ == 0) {
    state_ = State::header;
    if (fin_) {
      if (validating() && !utf8_.complete())
        return fail(FrameError::invalid_utf8, pos);
      complete_pending_ = true;  // reported by the next feed()
    }
  }
  return {Event::message_data, pos};
}

// §5.5.1 and §7.4: empty, or a 2-byte code valid on the wire followed by a
// UTF-8 reason.
FrameError FrameParser::check_close_payload() {
  close_code_ = CloseCode::no_status;
  if (control_size_ == 0) return FrameError::none;
  if (control_size_ == 1) return FrameError::bad_close_payload;
  const auto hi = static_cast<unsigned char>(control_[0]);
  const auto lo = static_cast<unsigned char>(control_[1]);
  const auto code = static_cast<std::uint16_t>((hi << 8) | lo);
  if (!is_valid_on_wire(code)) return FrameError::invalid_close_code;
  if (!Utf8Validator::is_valid(close_reason()))
    return FrameError::invalid_close_reason;
  close_code_ = CloseCode{code};
  return FrameError::none;
}

FrameParser::Step FrameParser::feed(const char* data, std::size_t len) {
  piece_size_ = 0;
  if (state_ == State::failed) return {Event::error, 0};
  if (state_ == State::closed) return {Event::need_more, len};
  if (complete_pending_) {
    complete_pending_ = false;
    in_message_ = false;
    return {Event::message_complete, 0};
  }
  std::size_t pos = 0;
  for (;;) {
    if (state_ == State::header) {
      Step step = feed_header(data, len, pos);
      if (state_ != State::payload) return step;  // need_more or error
      if (remaining_ == 0) {
        step = end_of_frame(pos);
        if (step.event != Event::need_more) return step;
        continue;  // an empty non-final fragment: nothing to report
      }
    }
    if (pos == len) return {Event::need_more, pos};
    if (is_control(opcode_)) {
      Step step = feed_control(data, len, pos);
      if (step.event != Event::need_more) return step;
      pos = step.consumed;
      continue;
    }
    return feed_data(data, len, pos);
  }
}

}  // namespace gale::websocket

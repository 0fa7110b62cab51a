// Builds client frames and drives a FrameParser over them the way a session
// does, grinding each input across every split point (STYLE 9).
//
// Every feed() call gets the bytes in a fresh heap buffer of exactly the
// size passed, scribbled over and freed as soon as the call returns, and the
// parser's views are read only after that: a parser that kept a pointer into
// its caller's buffer (instead of unmasking into its own) then shows garbage,
// and under ASan it fails on the spot with heap-use-after-free.
//
// The events are recorded as Records; consecutive message_data pieces are
// joined, since how a payload is cut into pieces depends on the split. The
// pieces of a message that an error ends are dropped: how much of it was
// handed over before the error depends on the split (a piece that fails
// UTF-8 validation is withheld, its valid prefix may have gone out in an
// earlier feed), and the session discards that message anyway.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "server/websocket/frame_parser.hpp"

namespace gale::websocket {
inline void PrintTo(FrameError e, std::ostream* os) {
  *os << describe(e);
}
}  // namespace gale::websocket

namespace gale::websocket::testing {

// ---- building client frames -----------------------------------------------

enum class LengthForm : std::uint8_t { minimal, bits16, bits64 };

struct Shape {
  bool fin = true;
  std::uint8_t rsv = 0;  // RSV bits as in the first byte: 0x40, 0x20, 0x10
  bool masked = true;
  std::array<unsigned char, 4> key = {0x37, 0xFA, 0x21, 0x3D};
  LengthForm form = LengthForm::minimal;
  // Announce this length instead of the payload's (header-only tests).
  std::optional<std::uint64_t> length = std::nullopt;
};

// A frame as a client sends it; `opcode` is raw so reserved ones can be
// built too.
inline std::string client_frame(std::uint8_t opcode, std::string_view payload,
                                Shape s = {}) {
  std::string f;
  f.push_back(static_cast<char>((s.fin ? 0x80 : 0) | s.rsv | opcode));
  const std::uint64_t len = s.length.value_or(payload.size());
  LengthForm form = s.form;
  if (form == LengthForm::minimal)
    form = len < 126       ? LengthForm::minimal
           : len <= 0xFFFF ? LengthForm::bits16
                           : LengthForm::bits64;
  const char mask_bit = s.masked ? char(0x80) : 0;
  if (form == LengthForm::minimal) {
    f.push_back(static_cast<char>(mask_bit | len));
  } else {
    const int n = form == LengthForm::bits16 ? 2 : 8;
    f.push_back(static_cast<char>(mask_bit | (n == 2 ? 126 : 127)));
    for (int i = n - 1; i >= 0; --i)
      f.push_back(static_cast<char>(len >> (8 * i)));
  }
  if (!s.masked) return f.append(payload);
  f.append(reinterpret_cast<const char*>(s.key.data()), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f.push_back(static_cast<char>(payload[i] ^ s.key[i % 4]));
  return f;
}

inline std::string client_frame(Opcode op, std::string_view payload,
                                Shape s = {}) {
  return client_frame(static_cast<std::uint8_t>(op), payload, s);
}

// A close frame payload: the code in network order, then the reason.
inline std::string close_body(std::uint16_t code, std::string_view reason) {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return p.append(reason);
}

// ---- recording events -----------------------------------------------------

struct Record {
  enum class Kind : std::uint8_t { data, complete, control, error };
  Kind kind = Kind::error;
  Opcode opcode = Opcode::continuation;  // message or control opcode
  bool compressed = false;               // data / complete
  std::string payload{};                 // data / control
  FrameError error = FrameError::none;   // error
  std::uint16_t close_code = 0;          // error: code to send; close: code
  std::string close_reason{};            // close frames

  friend bool operator==(const Record&, const Record&) = default;
};

inline Record Data(Opcode op, std::string_view bytes, bool compressed = false) {
  return {Record::Kind::data, op, compressed, std::string(bytes)};
}
inline Record Complete(Opcode op, bool compressed = false) {
  return {Record::Kind::complete, op, compressed};
}
inline Record Control(Opcode op, std::string_view payload) {
  Record r{Record::Kind::control, op, false, std::string(payload)};
  if (op == Opcode::close) r.close_code = 1005;
  return r;
}
inline Record Close(std::uint16_t code, std::string_view reason) {
  Record r{Record::Kind::control, Opcode::close, false,
           close_body(code, reason)};
  r.close_code = code;
  r.close_reason = std::string(reason);
  return r;
}
inline Record Error(FrameError e) {
  Record r{Record::Kind::error};
  r.error = e;
  r.close_code = to_int(close_code_for(e));
  return r;
}

inline std::ostream& operator<<(std::ostream& os, const Record& r) {
  static constexpr const char* kKinds[] = {"data", "complete", "control",
                                           "error"};
  os << "{" << kKinds[static_cast<int>(r.kind)]
     << " op=" << static_cast<int>(r.opcode);
  if (r.compressed) os << " compressed";
  if (r.kind == Record::Kind::error) os << " " << describe(r.error);
  if (r.close_code) os << " code=" << r.close_code;
  if (!r.payload.empty())
    os << " payload(" << r.payload.size()
       << ")=" << ::testing::PrintToString(r.payload.substr(0, 64));
  return os << "}";
}

using Records = std::vector<Record>;

// Feeds `n` bytes from a buffer that exists only for this call.
inline FrameParser::Step feed_fresh(FrameParser& parser, const char* data,
                                    std::size_t n) {
  std::unique_ptr<char[]> copy(new char[n]);
  if (n) std::memcpy(copy.get(), data, n);
  FrameParser::Step step = parser.feed(copy.get(), n);
  if (n) std::memset(copy.get(), 0xA5, n);
  return step;
}

// Records the event just returned; false when the stream has ended.
inline bool record(FrameParser& parser, FrameParser::Step step, Records& out) {
  using Event = FrameParser::Event;
  switch (step.event) {
    case Event::need_more:
      return true;
    case Event::message_data:
      EXPECT_FALSE(parser.data().empty()) << "empty message_data";
      EXPECT_LE(parser.data().size(), FrameParser::kMaxPiece);
      EXPECT_TRUE(parser.in_message());
      if (out.empty() || out.back().kind != Record::Kind::data)
        out.push_back(
            Data(parser.message_opcode(), "", parser.message_compressed()));
      out.back().payload.append(parser.data());
      return true;
    case Event::message_complete:
      EXPECT_FALSE(parser.in_message());
      out.push_back(
          Complete(parser.message_opcode(), parser.message_compressed()));
      return true;
    case Event::control:
      out.push_back(Control(parser.control_opcode(), parser.control_payload()));
      if (parser.control_opcode() == Opcode::close) {
        EXPECT_TRUE(parser.close_received());
        out.back().close_code = to_int(parser.close_code());
        out.back().close_reason = std::string(parser.close_reason());
      }
      return true;
    case Event::error:
      EXPECT_NE(parser.error(), FrameError::none);
      if (!out.empty() && out.back().kind == Record::Kind::data) out.pop_back();
      out.push_back(Error(parser.error()));
      return false;
  }
  return false;
}

// Parses the pieces in order as one stream, calling feed() on each piece
// until it reports need_more, as a session does.
inline Records parse_pieces(const std::vector<std::string_view>& pieces,
                            FrameParserOptions options) {
  Records out;
  FrameParser parser(options);
  for (std::string_view piece : pieces) {
    std::size_t off = 0;
    for (int guard = 0;; ++guard) {
      if (guard > 4 * static_cast<int>(piece.size()) + 16) {
        ADD_FAILURE() << "feed() loops without progress";
        return out;
      }
      const std::size_t left = piece.size() - off;
      FrameParser::Step step = feed_fresh(parser, piece.data() + off, left);
      EXPECT_LE(step.consumed, left) << "consumed more than it was given";
      if (step.consumed > left) return out;
      off += step.consumed;
      if (!record(parser, step, out)) {
        // Sticky: nothing more is consumed, ever.
        FrameParser::Step again = feed_fresh(parser, "\x81\x80", 2);
        EXPECT_EQ(again.event, FrameParser::Event::error);
        EXPECT_EQ(again.consumed, 0u);
        return out;
      }
      if (step.event == FrameParser::Event::need_more) {
        EXPECT_EQ(step.consumed, left) << "need_more must consume all input";
        break;
      }
    }
  }
  return out;
}

// Parses `bytes` whole, split in two at every byte (inputs over 4 KiB: near
// both ends and at a stride), then one byte at a time, and checks that
// every way gives the same records. Returns the whole-input records.
inline Records grind(std::string_view bytes, FrameParserOptions options = {}) {
  Records whole = parse_pieces({bytes}, options);
  const std::size_t n = bytes.size();
  for (std::size_t k = 0; k <= n; ++k) {
    if (n > 4096 && k > 64 && k + 64 < n && k % 251 != 0) continue;
    Records split =
        parse_pieces({bytes.substr(0, k), bytes.substr(k)}, options);
    if (split != whole) {
      ADD_FAILURE() << "split at byte " << k << " of " << n << " differs:\n"
                    << "  whole: " << ::testing::PrintToString(whole) << "\n"
                    << "  split: " << ::testing::PrintToString(split);
      return whole;  // one report per test is enough
    }
  }
  std::vector<std::string_view> bytewise;
  for (std::size_t i = 0; i < n; ++i)
    bytewise.push_back(bytes.substr(i, 1));
  Records single = parse_pieces(bytewise, options);
  if (single != whole)
    ADD_FAILURE() << "one byte at a time differs:\n  whole: "
                  << ::testing::PrintToString(whole)
                  << "\n  bytes: " << ::testing::PrintToString(single);
  return whole;
}

}  // namespace gale::websocket::testing

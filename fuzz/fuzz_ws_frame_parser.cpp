// libFuzzer target: websocket::FrameParser over arbitrary bytes.
//
// Input: byte 0 picks the options (permessage-deflate, a small
// max_message_bytes) and whether to also feed one byte at a time; byte 1
// picks a split point; the rest is the client's stream. Each feed() gets its
// bytes in a fresh heap buffer freed right after the call, so a view into
// the caller's buffer instead of the parser's own is a heap-use-after-free
// under ASan.
//
// Invariants: consumed <= len; need_more consumes everything; data pieces
// are non-empty, at most kMaxPiece, inside a text/binary message; a
// completed uncompressed text message is UTF-8 by an independent decoder;
// no message exceeds max_message_bytes; control payloads are at most 125
// bytes and a close frame's code and reason are valid; RSV1 messages only
// when deflate is on; an error maps to 1002/1007/1009 and is sticky; after a
// close frame everything is consumed and ignored; and the events are the
// same however the input is split (whole, in two, one byte at a time).
// Also cross-checks Utf8Validator on the raw input against the decoder.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/websocket/frame_parser.hpp"
#include "server/websocket/utf8_validator.hpp"

namespace {

using gale::websocket::FrameParser;
using gale::websocket::FrameParserOptions;
using gale::websocket::Opcode;
using Event = FrameParser::Event;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// A straightforward decoder (decode each code point, then range-check it),
// independent of the validator's DFA.
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n = b < 0x80         ? 0
            : (b >> 5) == 6  ? 1
            : (b >> 4) == 14 ? 2
            : (b >> 3) == 30 ? 3
                             : -1;
    if (n < 0 || i + n >= s.size()) return false;  // bad lead, or truncated
    std::uint32_t cp = n == 0 ? b : b & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

// One event as observed; data pieces joined.
struct Record {
  Event event;
  int opcode = 0;
  bool compressed = false;
  std::string bytes{};
  int error = 0;
  bool operator==(const Record&) const = default;
};

// Checks one event against the invariants and records it. False when the
// stream has ended (an error).
bool observe(FrameParser& p, Event e, const FrameParserOptions& o,
             std::string& message, std::vector<Record>& out) {
  switch (e) {
    case Event::need_more:
      return true;
    case Event::message_data:
      check(!p.data().empty() && p.data().size() <= FrameParser::kMaxPiece,
            "bad piece size");
      check(p.in_message(), "data outside a message");
      check(p.message_opcode() == Opcode::text ||
                p.message_opcode() == Opcode::binary,
            "data of a non-data opcode");
      check(o.permessage_deflate || !p.message_compressed(),
            "compressed without deflate");
      message.append(p.data());
      check(message.size() <= o.max_message_bytes, "message over the limit");
      if (out.empty() || out.back().event != Event::message_data)
        out.push_back({e, int(p.message_opcode()), p.message_compressed()});
      out.back().bytes.append(p.data());
      return true;
    case Event::message_complete:
      check(!p.in_message(), "in_message after complete");
      if (p.message_opcode() == Opcode::text && !p.message_compressed())
        check(reference_utf8(message), "invalid UTF-8 text accepted");
      message.clear();
      out.push_back({e, int(p.message_opcode()), p.message_compressed()});
      return true;
    case Event::control: {
      const std::string_view payload = p.control_payload();
      check(payload.size() <= 125, "control payload over 125");
      check(is_control(p.control_opcode()), "control of a data opcode");
      if (p.control_opcode() == Opcode::close) {
        check(payload.size() != 1, "one-byte close accepted");
        check(payload.empty() ||
                  gale::websocket::is_valid_on_wire(to_int(p.close_code())),
              "invalid close code accepted");
        check(reference_utf8(p.close_reason()), "invalid close reason");
        check(p.close_received(), "close not recorded");
      }
      out.push_back({e, int(p.control_opcode()), false, std::string(payload)});
      return true;
    }
    case Event::error: {
      const auto code = to_int(close_code_for(p.error()));
      check(code == 1002 || code == 1007 || code == 1009, "bad close code");
      if (!out.empty() && out.back().event == Event::message_data)
        out.pop_back();  // how much of it went out depends on the split
      out.push_back({e, 0, false, {}, int(p.error())});
      return false;
    }
  }
  return false;
}

std::vector<Record> parse(const std::vector<std::string_view>& pieces,
                          const FrameParserOptions& options) {
  std::vector<Record> out;
  FrameParser parser(options);
  std::string message;
  for (std::string_view piece : pieces) {
    std::size_t off = 0;
    for (;;) {
      const std::size_t left = piece.size() - off;
      FrameParser::Step step;
      {
        std::unique_ptr<char[]> buf(new char[left]);
        if (left) std::memcpy(buf.get(), piece.data() + off, left);
        step = parser.feed(buf.get(), left);
        if (left) std::memset(buf.get(), 0xA5, left);
      }  // freed: the parser must not look at it again
      check(step.consumed <= left, "consumed more than given");
      off += step.consumed;
      if (!observe(parser, step.event, options, message, out)) {
        FrameParser::Step again = parser.feed("\x81\x80", 2);
        check(again.event == Event::error && again.consumed == 0,
              "error not sticky");
        return out;
      }
      if (step.event == Event::need_more) {
        check(step.consumed == left, "need_more left input unconsumed");
        break;
      }
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t mode = data[0];
  const std::uint8_t split = data[1];
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  check(gale::websocket::Utf8Validator::is_valid(in) == reference_utf8(in),
        "Utf8Validator disagrees with the reference decoder");

  FrameParserOptions options;
  options.permessage_deflate = (mode & 1) != 0;
  if (mode & 2) options.max_message_bytes = 64;

  std::vector<Record> whole = parse({in}, options);
  const std::size_t k = in.empty() ? 0 : split * in.size() / 255;
  check(parse({in.substr(0, k), in.substr(k)}, options) == whole,
        "split input parsed differently");
  if ((mode & 4) && in.size() <= 1024) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < in.size(); ++i)
      bytes.push_back(in.substr(i, 1));
    check(parse(bytes, options) == whole,
          "byte-by-byte input parsed differently");
  }
  return 0;
}

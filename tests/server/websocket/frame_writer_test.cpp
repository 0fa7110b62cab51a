// Server frame encoding: exact header bytes at each length boundary, a
// round trip through FrameParser, and close payloads.
#include "server/websocket/frame_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "server/websocket/frame_parser.hpp"

namespace gale::websocket {
namespace {

std::string header(Opcode op, std::uint64_t size, FrameFlags flags = {}) {
  std::array<char, kMaxHeaderBytes> out;
  const std::size_t n = write_header(out, op, size, flags);
  return std::string(out.data(), n);
}

// The frame as a client would send it: MASK bit and key added, payload
// masked. Lets FrameParser (which accepts only client frames) read it.
std::string as_client_frame(const std::string& server_frame) {
  const std::size_t len7 = static_cast<unsigned char>(server_frame[1]);
  const std::size_t header_size = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
  const char key[4] = {0x11, 0x22, 0x33, 0x44};
  std::string f = server_frame.substr(0, header_size);
  f[1] = static_cast<char>(f[1] | 0x80);
  f.append(key, 4);
  for (std::size_t i = header_size; i < server_frame.size(); ++i)
    f.push_back(
        static_cast<char>(server_frame[i] ^ key[(i - header_size) % 4]));
  return f;
}

TEST(FrameWriterTest, SmallFrameHasATwoByteHeader) {
  EXPECT_EQ(header(Opcode::text, 5), std::string("\x81\x05", 2));
  EXPECT_EQ(header(Opcode::binary, 0), std::string("\x82\x00", 2));
  EXPECT_EQ(header(Opcode::binary, 125), std::string("\x82\x7D", 2));
}

TEST(FrameWriterTest, LengthsFrom126UseTheSixteenBitForm) {
  EXPECT_EQ(header(Opcode::binary, 126), std::string("\x82\x7E\x00\x7E", 4));
  EXPECT_EQ(header(Opcode::binary, 65535), std::string("\x82\x7E\xFF\xFF", 4));
}

TEST(FrameWriterTest, LengthsFrom65536UseTheSixtyFourBitForm) {
  EXPECT_EQ(header(Opcode::binary, 65536),
            std::string("\x82\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(header(Opcode::binary, (1ull << 63) - 1),
            std::string("\x82\x7F\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 10));
}

TEST(FrameWriterTest, FlagsSetFinAndRsv1) {
  EXPECT_EQ(header(Opcode::text, 1, {.fin = false}), std::string("\x01\x01"));
  EXPECT_EQ(header(Opcode::text, 1, {.fin = true, .rsv1 = true}),
            std::string("\xC1\x01"));
  EXPECT_EQ(header(Opcode::continuation, 1), std::string("\x80\x01"));
  EXPECT_EQ(header(Opcode::pong, 0), std::string("\x8A\x00", 2));
}

TEST(FrameWriterTest, EncodedFramesRoundTripThroughTheParser) {
  for (std::size_t n : {0u, 1u, 125u, 126u, 65535u, 65536u, 70000u}) {
    std::string payload(n, 'q');
    if (n) payload[n - 1] = 'z';
    const std::string frame = encode_frame(Opcode::text, payload);
    EXPECT_EQ(frame.substr(header(Opcode::text, n).size()), payload);
    const std::string in = as_client_frame(frame);
    FrameParser parser;
    std::string got;
    std::size_t off = 0;
    FrameParser::Step step;
    while ((step = parser.feed(in.data() + off, in.size() - off)).event ==
           FrameParser::Event::message_data) {
      got.append(parser.data());
      off += step.consumed;
    }
    EXPECT_EQ(step.event, FrameParser::Event::message_complete) << n;
    EXPECT_EQ(got, payload) << n;
  }
}

TEST(FrameWriterTest, ClosePayloadIsTheCodeInNetworkOrderThenTheReason) {
  EXPECT_EQ(close_payload(CloseCode::normal, "bye"),
            "\x03\xE8"
            "bye");
  EXPECT_EQ(close_payload(CloseCode{4001}), "\x0F\xA1");
  EXPECT_EQ(encode_close_frame(CloseCode::message_too_big, "big"),
            "\x88\x05\x03\xF1"
            "big");
}

TEST(FrameWriterTest, NoStatusGivesAnEmptyClosePayload) {
  EXPECT_EQ(close_payload(CloseCode::no_status, "ignored"), "");
  EXPECT_EQ(encode_close_frame(CloseCode::no_status),
            std::string("\x88\x00", 2));
}

TEST(FrameWriterTest, LongReasonIsCutAtACodePointBoundary) {
  const std::string ascii(200, 'a');
  EXPECT_EQ(close_payload(CloseCode::normal, ascii).size(), 125u);
  // 122 ASCII bytes then "é" (2 bytes): byte 123 would split the é.
  const std::string reason = std::string(122, 'a') + "\xC3\xA9";
  const std::string p = close_payload(CloseCode::going_away, reason);
  EXPECT_EQ(p.substr(2), std::string(122, 'a'));
  EXPECT_EQ(close_payload(CloseCode::normal, std::string(123, 'b')).size(),
            125u);
}

}  // namespace
}  // namespace gale::websocket

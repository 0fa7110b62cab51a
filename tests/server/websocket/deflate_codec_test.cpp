// The permessage-deflate codec against RFC 7692's own examples, and its
// bounds: a message that inflates past max_bytes, and corrupt input.
#include "server/websocket/deflate_codec.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace gale::websocket {
namespace {

std::string bytes(std::initializer_list<unsigned char> b) {
  return std::string(b.begin(), b.end());
}

// RFC 7692 §7.2.3.1: "Hello" in one compressed message.
TEST(MessageInflater, InflatesTheRfcExample) {
  MessageInflater inflater;
  std::string out;
  ASSERT_EQ(inflater.inflate(bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}),
                             1024, out),
            MessageInflater::Result::ok);
  EXPECT_EQ(out, "Hello");
}

// §7.2.3.2: the second "Hello" refers back to the first (context kept).
TEST(MessageInflater, KeepsItsContextBetweenMessages) {
  MessageInflater inflater;
  std::string out;
  ASSERT_EQ(inflater.inflate(bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}),
                             1024, out),
            MessageInflater::Result::ok);
  ASSERT_EQ(inflater.inflate(bytes({0xf2, 0x00, 0x11, 0x00, 0x00}), 1024, out),
            MessageInflater::Result::ok);
  EXPECT_EQ(out, "Hello");
}

// §7.2.3.3: a message made of a stored (uncompressed) block.
TEST(MessageInflater, InflatesAStoredBlock) {
  MessageInflater inflater;
  std::string out;
  ASSERT_EQ(inflater.inflate(bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65,
                                    0x6c, 0x6c, 0x6f, 0x00}),
                             1024, out),
            MessageInflater::Result::ok);
  EXPECT_EQ(out, "Hello");
}

TEST(MessageDeflater, CompressesTheRfcExampleExactly) {
  MessageDeflater deflater;
  std::string out;
  deflater.compress("Hello", out);
  EXPECT_EQ(out, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  // No context kept: the same message compresses the same way again.
  deflater.compress("Hello", out);
  EXPECT_EQ(out, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
}

TEST(MessageDeflater, RoundTripsAtEveryWindowSize) {
  std::mt19937 rng(7);
  std::string text;
  for (int i = 0; i < 200000; ++i)
    text.push_back(static_cast<char>('a' + rng() % 8));
  for (int bits = 9; bits <= 15; ++bits) {
    MessageDeflater deflater(bits);
    MessageInflater inflater;
    std::string packed, unpacked;
    deflater.compress(text, packed);
    ASSERT_LT(packed.size(), text.size()) << bits;
    ASSERT_EQ(inflater.inflate(packed, text.size(), unpacked),
              MessageInflater::Result::ok)
        << bits;
    ASSERT_EQ(unpacked, text) << bits;
  }
}

TEST(MessageDeflater, EmptyMessage) {
  MessageDeflater deflater;
  MessageInflater inflater;
  std::string packed, unpacked = "x";
  deflater.compress("", packed);
  ASSERT_EQ(inflater.inflate(packed, 10, unpacked),
            MessageInflater::Result::ok);
  EXPECT_EQ(unpacked, "");
}

// A small message that inflates to a huge one (a "zip bomb") stops at the
// bound, not after inflating it all.
TEST(MessageInflater, StopsAtTheBound) {
  MessageDeflater deflater;
  std::string packed, out;
  deflater.compress(std::string(10 * 1024 * 1024, 'z'), packed);
  ASSERT_LT(packed.size(), 64 * 1024u);
  MessageInflater inflater;
  EXPECT_EQ(inflater.inflate(packed, 1024 * 1024, out),
            MessageInflater::Result::too_big);
  EXPECT_LE(out.size(), 1024 * 1024 + 64 * 1024u);
}

TEST(MessageInflater, CorruptInputIsRefused) {
  MessageInflater inflater;
  std::string out;
  EXPECT_EQ(inflater.inflate(bytes({0xff, 0xff, 0xff, 0xff}), 1024, out),
            MessageInflater::Result::corrupt);
}

TEST(MessageInflater, ResetForgetsTheContext) {
  MessageInflater inflater;
  std::string out;
  ASSERT_EQ(inflater.inflate(bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}),
                             1024, out),
            MessageInflater::Result::ok);
  inflater.reset();
  // The back-reference now points before the start of the stream.
  EXPECT_EQ(inflater.inflate(bytes({0xf2, 0x00, 0x11, 0x00, 0x00}), 1024, out),
            MessageInflater::Result::corrupt);
}

}  // namespace
}  // namespace gale::websocket

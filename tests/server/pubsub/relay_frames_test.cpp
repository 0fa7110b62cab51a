// Splitting batches into frames and joining fragments back: every frame
// size from the smallest up, records larger than a frame, the real 64 KiB
// control frame with a 1 MiB message and a full chat-room resync, and every
// way fragments can fail to join.
#include "server/pubsub/relay_frames.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace gale::pubsub {
namespace {

std::string message_record(std::string_view id, std::size_t body_bytes) {
  std::string out;
  EXPECT_EQ(encode_message(out, "room", id, std::string(body_bytes, 'x')),
            RelayError::none);
  return out;
}

// Records of many sizes, so every frame size meets both packing and
// fragmenting.
std::string mixed_batch() {
  std::string b;
  encode_publish(b, 1, "room", "hi");
  b += message_record("1", 0);
  b += message_record("2", 100);
  encode_ack(b, 1, "2");
  b += message_record("3", 30);
  const std::string long_body(70, 'y');
  std::vector<ResyncEntry> entries = {{"1", "one"}, {"2", long_body}};
  encode_resync(b, "room", std::span<const ResyncEntry>(entries));
  b += message_record("4", 5);
  return b;
}

// Feeds the frames in order and re-encodes every record that comes out.
std::string rejoin(const std::vector<std::string>& frames) {
  RelayReassembler joiner;
  std::string out;
  std::vector<RelayRecord> records;
  for (const std::string& f : frames) {
    EXPECT_EQ(joiner.feed(f, records), RelayError::none);
    for (const RelayRecord& r : records)
      encode_record(out, r);
  }
  EXPECT_TRUE(joiner.idle());
  return out;
}

std::vector<std::string> split(std::string_view batch, std::size_t max) {
  std::vector<std::string> frames;
  EXPECT_EQ(split_frames(batch, max, frames), RelayError::none);
  return frames;
}

bool is_fragment_frame(const std::string& frame) {
  return !frame.empty() &&
         static_cast<RecordKind>(frame[0]) == RecordKind::fragment;
}

TEST(RelayFramesTest, ABatchThatFitsTravelsAsOneUnchangedFrame) {
  std::string batch = mixed_batch();
  std::vector<std::string> frames = split(batch, kMaxRelayPayload);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], batch);
}

TEST(RelayFramesTest, AnEmptyBatchNeedsNoFrame) {
  EXPECT_TRUE(split("", kMaxRelayPayload).empty());
}

TEST(RelayFramesTest, AtEveryFrameSizeFramesFitAndRejoinToTheBatch) {
  std::string batch = mixed_batch();
  std::size_t largest = 0;
  std::vector<RelayRecord> records;
  ASSERT_EQ(decode_batch(batch, records), RelayError::none);
  for (const RelayRecord& r : records) {
    std::string one;
    encode_record(one, r);
    largest = std::max(largest, one.size());
  }
  for (std::size_t max = kMinRelayPayload; max <= batch.size() + 1; ++max) {
    std::vector<std::string> frames = split(batch, max);
    for (const std::string& f : frames) {
      EXPECT_LE(f.size(), max) << "max " << max;
      EXPECT_FALSE(f.empty());
      if (max >= largest) {
        EXPECT_FALSE(is_fragment_frame(f)) << "max " << max;
      }
    }
    EXPECT_EQ(rejoin(frames), batch) << "max " << max;
  }
}

TEST(RelayFramesTest, RecordsThatFitAreNeverCutAndArePackedGreedily) {
  std::string a = message_record("1", 10), b = message_record("2", 10),
              c = message_record("3", 10);
  std::vector<std::string> frames = split(a + b + c, a.size() * 2);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], a + b);
  EXPECT_EQ(frames[1], c);
}

TEST(RelayFramesTest, ARecordLargerThanAFrameGetsFramesOfItsOwn) {
  std::string small = message_record("1", 1);
  std::string big = message_record("2", 200);
  std::vector<std::string> frames = split(small + big + small, 64);
  ASSERT_GE(frames.size(), 5u);
  EXPECT_EQ(frames.front(), small);
  EXPECT_EQ(frames.back(), small);
  for (std::size_t i = 1; i + 1 < frames.size(); ++i) {
    EXPECT_TRUE(is_fragment_frame(frames[i]));
    std::vector<RelayRecord> records;
    ASSERT_EQ(decode_batch(frames[i], records), RelayError::none);
    EXPECT_EQ(records.size(), 1u);  // one fragment, alone
  }
}

TEST(RelayFramesTest, AFrameSizeBelowTheMinimumIsTakenAsTheMinimum) {
  std::string batch = message_record("1", 40);
  std::vector<std::string> frames = split(batch, 1);
  for (const std::string& f : frames)
    EXPECT_LE(f.size(), kMinRelayPayload);
  EXPECT_EQ(rejoin(frames), batch);
}

TEST(RelayFramesTest, AMebibyteMessageCrossesSixtyFourKibibyteFrames) {
  std::string batch = message_record("1", kMaxBodyBytes);
  std::vector<std::string> frames = split(batch, kMaxRelayPayload);
  EXPECT_EQ(frames.size(), 17u);  // ceil(1 MiB + 16 / (64 KiB - 17))
  for (const std::string& f : frames)
    EXPECT_LE(f.size(), kMaxRelayPayload);
  EXPECT_EQ(rejoin(frames), batch);
}

TEST(RelayFramesTest, AFullDefaultChatRoomResyncCrossesFrames) {
  std::vector<MessagePtr> history;
  for (int i = 0; i < 200; ++i)
    history.push_back(std::make_shared<const Message>(
        Message{"chat", std::to_string(i), std::string(4096, 'z')}));
  std::string batch;
  ASSERT_EQ(encode_resync(batch, "chat", std::span<const MessagePtr>(history)),
            RelayError::none);
  std::vector<std::string> frames = split(batch, kMaxRelayPayload);
  EXPECT_GT(frames.size(), 1u);
  EXPECT_EQ(rejoin(frames), batch);
}

TEST(RelayFramesTest, SplittingAMalformedBatchFailsAndAddsNoFrame) {
  std::string batch = message_record("1", 10) + "\x02\x05";
  std::vector<std::string> frames = {"earlier"};
  EXPECT_EQ(split_frames(batch, 64, frames), RelayError::truncated);
  EXPECT_EQ(frames, std::vector<std::string>{"earlier"});
}

// --- joining -----------------------------------------------------------------

std::string fragment(std::uint32_t total, std::string_view piece) {
  std::string out;
  EXPECT_EQ(encode_fragment(out, total, piece), RelayError::none);
  return out;
}

TEST(RelayFramesTest, TwoRecordsJoinedInOneFrameBothStayReadable) {
  std::string a = message_record("a", 20), b = message_record("b", 20);
  std::string frame1 =
      fragment(static_cast<std::uint32_t>(a.size()), a.substr(0, 10));
  std::string frame2 =
      fragment(static_cast<std::uint32_t>(a.size()), a.substr(10)) +
      fragment(static_cast<std::uint32_t>(b.size()), b);
  RelayReassembler joiner;
  std::vector<RelayRecord> out;
  ASSERT_EQ(joiner.feed(frame1, out), RelayError::none);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(joiner.idle());
  ASSERT_EQ(joiner.feed(frame2, out), RelayError::none);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, "a");
  EXPECT_EQ(out[0].body, std::string(20, 'x'));
  EXPECT_EQ(out[1].id, "b");
}

// Each broken stream must fail with `want`, leave nothing half joined, and
// let the next good frame through.
void expect_broken(const std::vector<std::string>& frames, RelayError want,
                   std::size_t max_record = kMaxJoinedRecord) {
  RelayReassembler joiner(max_record);
  std::vector<RelayRecord> out;
  RelayError got = RelayError::none;
  for (const std::string& f : frames) {
    got = joiner.feed(f, out);
    if (got != RelayError::none) break;
  }
  EXPECT_EQ(got, want);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(joiner.idle());
  std::string good = message_record("ok", 1);
  ASSERT_EQ(joiner.feed(good, out), RelayError::none);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "ok");
}

TEST(RelayFramesTest, AWholeRecordInsideAFragmentedOneIsRefused) {
  std::string big = message_record("1", 50);
  auto total = static_cast<std::uint32_t>(big.size());
  expect_broken({fragment(total, big.substr(0, 10)), message_record("2", 1)},
                RelayError::bad_fragment);
}

TEST(RelayFramesTest, AFragmentAnnouncingAnotherTotalIsRefused) {
  std::string big = message_record("1", 50);
  auto total = static_cast<std::uint32_t>(big.size());
  expect_broken(
      {fragment(total, big.substr(0, 10)), fragment(total + 1, big.substr(10))},
      RelayError::bad_fragment);
}

TEST(RelayFramesTest, PiecesBeyondTheAnnouncedTotalAreRefused) {
  std::string big = message_record("1", 50);
  auto total = static_cast<std::uint32_t>(big.size());
  expect_broken({fragment(total, big.substr(0, 10)), fragment(total, big)},
                RelayError::bad_fragment);
}

TEST(RelayFramesTest, PiecesThatJoinIntoTwoRecordsAreRefused) {
  std::string two = message_record("1", 1) + message_record("2", 1);
  expect_broken({fragment(static_cast<std::uint32_t>(two.size()), two)},
                RelayError::bad_fragment);
}

TEST(RelayFramesTest, PiecesThatJoinIntoLessThanARecordAreRefused) {
  std::string half = message_record("1", 10).substr(0, 12);
  expect_broken({fragment(static_cast<std::uint32_t>(half.size()), half)},
                RelayError::bad_fragment);
}

TEST(RelayFramesTest, PiecesThatJoinIntoAFragmentAreRefused) {
  std::string inner = fragment(3, "abc");
  expect_broken({fragment(static_cast<std::uint32_t>(inner.size()), inner)},
                RelayError::bad_fragment);
}

TEST(RelayFramesTest, PiecesThatJoinIntoABadRecordReportItsError) {
  expect_broken({fragment(1, "\x07")}, RelayError::unknown_kind);
}

TEST(RelayFramesTest, ARecordOverTheJoiningLimitIsRefusedAtItsFirstPiece) {
  expect_broken({fragment(101, "x")}, RelayError::record_too_large, 100);
}

TEST(RelayFramesTest, AMalformedFrameDropsAHalfJoinedRecord) {
  std::string big = message_record("1", 50);
  auto total = static_cast<std::uint32_t>(big.size());
  expect_broken({fragment(total, big.substr(0, 10)), "\x02\x01"},
                RelayError::truncated);
}

}  // namespace
}  // namespace gale::pubsub

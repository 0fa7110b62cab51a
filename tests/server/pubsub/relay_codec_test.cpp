// The relay record format: exact bytes, round trips of mixed batches, a
// payload cut at every byte, every field bound on both the encoding and the
// decoding side, unknown kinds, and hostile lengths and counts.
#include "server/pubsub/relay_codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace gale::pubsub {
namespace {

using namespace std::string_literals;

// Hand-built bytes, for inputs the encoders refuse to write.
struct Bytes {
  std::string s;
  Bytes& u8(std::uint8_t v) {
    s.push_back(static_cast<char>(v));
    return *this;
  }
  Bytes& u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      s.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  Bytes& u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
      s.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
  Bytes& str(std::string_view v) {
    u32(static_cast<std::uint32_t>(v.size()));
    s.append(v);
    return *this;
  }
};

RelayError decode_one(std::string_view in, RelayRecord& out) {
  std::size_t n = 0;
  RelayError e = decode_record(in, out, n);
  if (e == RelayError::none) {
    EXPECT_EQ(n, in.size());
  }
  return e;
}

RelayError decode_error(std::string_view in) {
  RelayRecord r;
  return decode_one(in, r);
}

// A batch of every kind, and the offsets where its records end.
struct Batch {
  std::string bytes;
  std::vector<std::size_t> ends;
};

Batch every_kind() {
  Batch b;
  auto mark = [&](RelayError e) {
    EXPECT_EQ(e, RelayError::none);
    b.ends.push_back(b.bytes.size());
  };
  std::vector<ResyncEntry> entries = {{"id-1", "one"}, {"id-2", ""}};
  mark(encode_publish(b.bytes, 7, "room", "hello"));
  mark(encode_message(b.bytes, "room", "00000001-0000000000000001", "hi"));
  mark(encode_resync(b.bytes, "room", std::span<const ResyncEntry>(entries)));
  mark(encode_resync(b.bytes, "empty", std::span<const ResyncEntry>()));
  mark(encode_ack(b.bytes, 7, "id-1"));
  mark(encode_ack(b.bytes, 8, ""));
  mark(encode_fragment(b.bytes, 10, "abc"));
  mark(encode_message(b.bytes, "r", "i", "with \0 nul"s));
  mark(encode_resync_request(b.bytes));
  return b;
}

TEST(RelayCodecTest, AMessageRecordHasTheDocumentedBytes) {
  std::string out;
  ASSERT_EQ(encode_message(out, "ch", "7", "body"), RelayError::none);
  EXPECT_EQ(out,
            "\x02"
            "\x02\x00\x00\x00"
            "ch"
            "\x01\x00\x00\x00"
            "7"
            "\x04\x00\x00\x00"
            "body"s);
}

TEST(RelayCodecTest, PublishAndAckCarryALittleEndianRef) {
  std::string out;
  encode_publish(out, 0x0102030405060708, "c", "");
  EXPECT_EQ(out.substr(0, 9), "\x01\x08\x07\x06\x05\x04\x03\x02\x01"s);
  out.clear();
  encode_ack(out, 0x0102030405060708, "");
  EXPECT_EQ(out, "\x04\x08\x07\x06\x05\x04\x03\x02\x01\0\0\0\0"s);
}

TEST(RelayCodecTest, ABatchOfEveryKindDecodesToWhatWasEncoded) {
  Batch b = every_kind();
  std::vector<RelayRecord> records;
  ASSERT_EQ(decode_batch(b.bytes, records), RelayError::none);
  ASSERT_EQ(records.size(), 9u);
  EXPECT_EQ(records[0].kind, RecordKind::publish);
  EXPECT_EQ(records[0].ref, 7u);
  EXPECT_EQ(records[0].channel, "room");
  EXPECT_EQ(records[0].body, "hello");
  EXPECT_EQ(records[1].kind, RecordKind::message);
  EXPECT_EQ(records[1].id, "00000001-0000000000000001");
  EXPECT_EQ(records[1].body, "hi");
  EXPECT_EQ(records[2].kind, RecordKind::resync);
  EXPECT_EQ(records[2].entries,
            (std::vector<ResyncEntry>{{"id-1", "one"}, {"id-2", ""}}));
  EXPECT_TRUE(records[3].entries.empty());
  EXPECT_EQ(records[4].kind, RecordKind::ack);
  EXPECT_EQ(records[4].id, "id-1");
  EXPECT_EQ(records[5].id, "");
  EXPECT_EQ(records[6].kind, RecordKind::fragment);
  EXPECT_EQ(records[6].total, 10u);
  EXPECT_EQ(records[6].body, "abc");
  EXPECT_EQ(records[7].body, "with \0 nul"s);
  EXPECT_EQ(records[8].kind, RecordKind::resync_request);
}

TEST(RelayCodecTest, AResyncRequestIsOneByte) {
  std::string out;
  ASSERT_EQ(encode_resync_request(out), RelayError::none);
  EXPECT_EQ(out, "\x06"s);
}

TEST(RelayCodecTest, ReencodingDecodedRecordsGivesBackTheSameBytes) {
  Batch b = every_kind();
  std::vector<RelayRecord> records;
  ASSERT_EQ(decode_batch(b.bytes, records), RelayError::none);
  std::string again;
  for (const RelayRecord& r : records)
    ASSERT_EQ(encode_record(again, r), RelayError::none);
  EXPECT_EQ(again, b.bytes);
}

TEST(RelayCodecTest, ResyncEncodesSharedMessagesLikeEntries) {
  std::vector<MessagePtr> history = {
      std::make_shared<const Message>(Message{"c", "1", "a"}),
      std::make_shared<const Message>(Message{"c", "2", "b"})};
  std::vector<ResyncEntry> entries = {{"1", "a"}, {"2", "b"}};
  std::string from_messages, from_entries;
  encode_resync(from_messages, "c", std::span<const MessagePtr>(history));
  encode_resync(from_entries, "c", std::span<const ResyncEntry>(entries));
  EXPECT_EQ(from_messages, from_entries);
}

TEST(RelayCodecTest, AnEmptyPayloadHoldsNoRecords) {
  std::vector<RelayRecord> records;
  EXPECT_EQ(decode_batch("", records), RelayError::none);
  EXPECT_TRUE(records.empty());
}

// Cut the batch after every byte: a cut at a record boundary is a shorter
// valid batch; any other cut is `truncated`, with the whole records before
// it still decoded by the iterating decoder.
TEST(RelayCodecTest, ABatchCutAtEveryByteIsTruncatedUnlessAtARecordEnd) {
  Batch b = every_kind();
  std::set<std::size_t> ends(b.ends.begin(), b.ends.end());
  ends.insert(0);
  for (std::size_t k = 0; k <= b.bytes.size(); ++k) {
    std::string_view cut(b.bytes.data(), k);
    std::vector<RelayRecord> records;
    RelayError e = decode_batch(cut, records);
    RelayDecoder decoder(cut);
    RelayRecord r;
    std::size_t whole = 0;
    while (decoder.next(r))
      ++whole;
    if (ends.count(k)) {
      EXPECT_EQ(e, RelayError::none) << "cut at " << k;
      EXPECT_EQ(records.size(), whole);
      EXPECT_TRUE(decoder.done());
    } else {
      EXPECT_EQ(e, RelayError::truncated) << "cut at " << k;
      EXPECT_TRUE(records.empty());
      EXPECT_EQ(decoder.error(), RelayError::truncated);
      EXPECT_TRUE(ends.count(decoder.consumed())) << "cut at " << k;
      EXPECT_EQ(whole, static_cast<std::size_t>(std::distance(
                           b.ends.begin(),
                           std::upper_bound(b.ends.begin(), b.ends.end(), k))));
    }
  }
}

TEST(RelayCodecTest, EveryRecordCutAloneAtEveryByteIsTruncated) {
  Batch b = every_kind();
  std::size_t begin = 0;
  for (std::size_t end : b.ends) {
    std::string_view record(b.bytes.data() + begin, end - begin);
    for (std::size_t k = 0; k < record.size(); ++k)
      EXPECT_EQ(decode_error(record.substr(0, k)), RelayError::truncated)
          << "record at " << begin << " cut at " << k;
    begin = end;
  }
}

TEST(RelayCodecTest, ABadRecordAfterGoodOnesFailsTheWholeBatch) {
  std::string payload;
  encode_message(payload, "c", "1", "a");
  payload.push_back('\x09');
  std::vector<RelayRecord> records;
  EXPECT_EQ(decode_batch(payload, records), RelayError::unknown_kind);
  EXPECT_TRUE(records.empty());
  RelayDecoder decoder(payload);
  RelayRecord r;
  EXPECT_TRUE(decoder.next(r));
  EXPECT_FALSE(decoder.next(r));
  EXPECT_EQ(decoder.error(), RelayError::unknown_kind);
  EXPECT_FALSE(decoder.next(r));  // stays failed
}

TEST(RelayCodecTest, UnknownKindsAreRefused) {
  for (int kind : {0, 7, 8, 0x80, 0xff})
    EXPECT_EQ(decode_error(Bytes{}.u8(static_cast<std::uint8_t>(kind)).s),
              RelayError::unknown_kind)
        << kind;
}

// --- field bounds ------------------------------------------------------------

TEST(RelayCodecTest, TheEncodersAcceptEveryFieldAtItsBound) {
  std::string out;
  std::string channel(kMaxChannelBytes, 'c'), id(kMaxIdBytes, 'i');
  std::string body(kMaxBodyBytes, 'b');
  EXPECT_EQ(encode_publish(out, 1, channel, body), RelayError::none);
  EXPECT_EQ(encode_message(out, channel, id, body), RelayError::none);
  EXPECT_EQ(encode_ack(out, 1, id), RelayError::none);
  std::vector<RelayRecord> records;
  EXPECT_EQ(decode_batch(out, records), RelayError::none);
  EXPECT_EQ(records.size(), 3u);
}

TEST(RelayCodecTest, TheEncodersRefuseAFieldOverItsBoundAndWriteNothing) {
  std::string out = "keep";
  std::string long_channel(kMaxChannelBytes + 1, 'c');
  std::string long_id(kMaxIdBytes + 1, 'i');
  std::string long_body(kMaxBodyBytes + 1, 'b');
  std::vector<ResyncEntry> bad_id = {{long_id, ""}};
  std::vector<ResyncEntry> bad_body = {{"1", long_body}};
  auto too_long = RelayError::field_too_long;
  EXPECT_EQ(encode_publish(out, 1, long_channel, ""), too_long);
  EXPECT_EQ(encode_publish(out, 1, "c", long_body), too_long);
  EXPECT_EQ(encode_message(out, long_channel, "1", ""), too_long);
  EXPECT_EQ(encode_message(out, "c", long_id, ""), too_long);
  EXPECT_EQ(encode_message(out, "c", "1", long_body), too_long);
  EXPECT_EQ(encode_resync(out, "c", std::span<const ResyncEntry>(bad_id)),
            too_long);
  EXPECT_EQ(encode_resync(out, "c", std::span<const ResyncEntry>(bad_body)),
            too_long);
  EXPECT_EQ(encode_ack(out, 1, long_id), too_long);
  EXPECT_EQ(encode_fragment(out, 2, "abc"), too_long);
  EXPECT_EQ(
      encode_fragment(out, UINT32_MAX, std::string(kMaxFragmentBytes + 1, 'f')),
      too_long);
  EXPECT_EQ(out, "keep");
}

TEST(RelayCodecTest, TheEncodersRefuseEmptyChannelsAndIds) {
  std::string out;
  std::vector<ResyncEntry> no_id = {{"", "body"}};
  auto empty = RelayError::empty_field;
  EXPECT_EQ(encode_publish(out, 1, "", "b"), empty);
  EXPECT_EQ(encode_message(out, "", "1", "b"), empty);
  EXPECT_EQ(encode_message(out, "c", "", "b"), empty);
  EXPECT_EQ(encode_resync(out, "", std::span<const ResyncEntry>()), empty);
  EXPECT_EQ(encode_resync(out, "c", std::span<const ResyncEntry>(no_id)),
            empty);
  EXPECT_EQ(encode_fragment(out, 0, "x"), empty);
  EXPECT_EQ(encode_fragment(out, 1, ""), empty);
  EXPECT_TRUE(out.empty());
}

TEST(RelayCodecTest, TheDecoderRefusesAFieldOverItsBound) {
  std::string long_channel(kMaxChannelBytes + 1, 'c');
  std::string long_id(kMaxIdBytes + 1, 'i');
  auto too_long = RelayError::field_too_long;
  EXPECT_EQ(decode_error(Bytes{}.u8(2).str(long_channel).str("1").str("").s),
            too_long);
  EXPECT_EQ(decode_error(Bytes{}.u8(2).str("c").str(long_id).str("").s),
            too_long);
  EXPECT_EQ(decode_error(Bytes{}.u8(1).u64(1).str(long_channel).str("").s),
            too_long);
  EXPECT_EQ(decode_error(Bytes{}.u8(4).u64(1).str(long_id).s), too_long);
  EXPECT_EQ(decode_error(Bytes{}.u8(3).str("c").u32(1).str(long_id).str("").s),
            too_long);
  EXPECT_EQ(decode_error(Bytes{}.u8(5).u32(2).str("abc").s), too_long);
}

// A body length over the bound is refused from its prefix alone, before
// the decoder looks for (or anyone allocates) a mebibyte that is not there.
TEST(RelayCodecTest, AnOverlongLengthPrefixIsRefusedWithoutItsBytes) {
  auto body_len = static_cast<std::uint32_t>(kMaxBodyBytes + 1);
  EXPECT_EQ(decode_error(Bytes{}.u8(2).str("c").str("1").u32(body_len).s),
            RelayError::field_too_long);
  EXPECT_EQ(decode_error(Bytes{}.u8(2).str("c").str("1").u32(UINT32_MAX).s),
            RelayError::field_too_long);
  EXPECT_EQ(decode_error(Bytes{}.u8(2).str("c").str("1").u32(1000).s),
            RelayError::truncated);
}

TEST(RelayCodecTest, TheDecoderAcceptsAFullSizeBody) {
  std::string body(kMaxBodyBytes, 'b');
  RelayRecord r;
  EXPECT_EQ(decode_one(Bytes{}.u8(2).str("c").str("1").str(body).s, r),
            RelayError::none);
  EXPECT_EQ(r.body.size(), kMaxBodyBytes);
}

TEST(RelayCodecTest, TheDecoderRefusesEmptyChannelsAndIds) {
  auto empty = RelayError::empty_field;
  EXPECT_EQ(decode_error(Bytes{}.u8(1).u64(1).str("").str("b").s), empty);
  EXPECT_EQ(decode_error(Bytes{}.u8(2).str("").str("1").str("b").s), empty);
  EXPECT_EQ(decode_error(Bytes{}.u8(2).str("c").str("").str("b").s), empty);
  EXPECT_EQ(decode_error(Bytes{}.u8(3).str("").u32(0).s), empty);
  EXPECT_EQ(decode_error(Bytes{}.u8(3).str("c").u32(1).str("").str("b").s),
            empty);
  EXPECT_EQ(decode_error(Bytes{}.u8(5).u32(0).str("x").s), empty);
  EXPECT_EQ(decode_error(Bytes{}.u8(5).u32(1).str("").s), empty);
}

TEST(RelayCodecTest, AnAckMayHaveAnEmptyIdMeaningRefused) {
  RelayRecord r;
  EXPECT_EQ(decode_one(Bytes{}.u8(4).u64(9).str("").s, r), RelayError::none);
  EXPECT_EQ(r.ref, 9u);
  EXPECT_TRUE(r.id.empty());
}

TEST(RelayCodecTest, AResyncCountThePayloadCannotHoldIsTruncated) {
  EXPECT_EQ(decode_error(Bytes{}.u8(3).str("c").u32(UINT32_MAX).s),
            RelayError::truncated);
  EXPECT_EQ(decode_error(Bytes{}.u8(3).str("c").u32(2).str("1").str("b").s),
            RelayError::truncated);
}

TEST(RelayCodecTest, EveryErrorHasADescription) {
  for (RelayError e :
       {RelayError::none, RelayError::truncated, RelayError::unknown_kind,
        RelayError::field_too_long, RelayError::empty_field,
        RelayError::bad_fragment, RelayError::record_too_large})
    EXPECT_STRNE(describe(e), "unknown relay error");
}

}  // namespace
}  // namespace gale::pubsub

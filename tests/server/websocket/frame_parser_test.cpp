// FrameParser against every framing rule of RFC 6455 §5 a server enforces,
// each with its exact close code, each ground across every split point and
// one byte at a time (frame_harness.hpp).
#include "server/websocket/frame_parser.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "tests/server/websocket/frame_harness.hpp"

namespace gale::websocket {
namespace {

using testing::Close;
using testing::Complete;
using testing::Control;
using testing::Data;
using testing::Error;
using testing::grind;
using testing::LengthForm;
using testing::Records;
using testing::Shape;
using Event = FrameParser::Event;

std::string frame(Opcode op, std::string_view payload, Shape s = {}) {
  return testing::client_frame(op, payload, s);
}

Shape more() {
  return Shape{.fin = false};
}

FrameParserOptions deflate() {
  return {.permessage_deflate = true};
}

// Asserts that `bytes` end in exactly `error` (and its close code) after
// the records `before` (the harness drops the pieces of the message the
// error ends).
void expect_error(const std::string& bytes, FrameError error,
                  std::uint16_t code, FrameParserOptions options = {},
                  Records before = {}) {
  EXPECT_EQ(to_int(close_code_for(error)), code);
  before.push_back(Error(error));
  EXPECT_EQ(grind(bytes, options), before);
}

// ---- valid streams ---------------------------------------------------------

TEST(FrameParserTest, SingleTextFrameIsOneMessage) {
  EXPECT_EQ(grind(frame(Opcode::text, "Hello")),
            (Records{Data(Opcode::text, "Hello"), Complete(Opcode::text)}));
}

TEST(FrameParserTest, BinaryFrameKeepsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  EXPECT_EQ(grind(frame(Opcode::binary, all)),
            (Records{Data(Opcode::binary, all), Complete(Opcode::binary)}));
}

TEST(FrameParserTest, EmptyTextFrameCompletesWithoutData) {
  EXPECT_EQ(grind(frame(Opcode::text, "")), (Records{Complete(Opcode::text)}));
}

TEST(FrameParserTest, FragmentsAreJoinedIntoOneMessage) {
  const std::string in = frame(Opcode::text, "Hel", more()) +
                         frame(Opcode::continuation, "lo", more()) +
                         frame(Opcode::continuation, "", more()) +
                         frame(Opcode::continuation, "!");
  EXPECT_EQ(grind(in),
            (Records{Data(Opcode::text, "Hello!"), Complete(Opcode::text)}));
}

TEST(FrameParserTest, ControlFramesBetweenFragmentsAreReportedInOrder) {
  const std::string in =
      frame(Opcode::binary, "ab", more()) + frame(Opcode::ping, "p") +
      frame(Opcode::continuation, "cd", more()) + frame(Opcode::pong, "") +
      frame(Opcode::continuation, "ef");
  EXPECT_EQ(grind(in),
            (Records{Data(Opcode::binary, "ab"), Control(Opcode::ping, "p"),
                     Data(Opcode::binary, "cd"), Control(Opcode::pong, ""),
                     Data(Opcode::binary, "ef"), Complete(Opcode::binary)}));
}

TEST(FrameParserTest, ControlFrameWith125BytesIsAccepted) {
  const std::string payload(125, 'x');
  EXPECT_EQ(grind(frame(Opcode::ping, payload)),
            (Records{Control(Opcode::ping, payload)}));
}

TEST(FrameParserTest, SeveralMessagesInOneBufferComeOutInOrder) {
  Shape other_key{.key = {0x00, 0xFF, 0x80, 0x01}};
  const std::string in = frame(Opcode::text, "one") +
                         frame(Opcode::binary, "two", other_key) +
                         frame(Opcode::text, "three");
  EXPECT_EQ(grind(in),
            (Records{Data(Opcode::text, "one"), Complete(Opcode::text),
                     Data(Opcode::binary, "two"), Complete(Opcode::binary),
                     Data(Opcode::text, "three"), Complete(Opcode::text)}));
}

TEST(FrameParserTest, EachLengthFormIsReadAtItsBoundaries) {
  for (std::size_t n : {125u, 126u, 65535u, 65536u}) {
    std::string payload(n, 'a');
    payload.back() = 'z';
    EXPECT_EQ(
        grind(frame(Opcode::binary, payload)),
        (Records{Data(Opcode::binary, payload), Complete(Opcode::binary)}))
        << n;
  }
}

TEST(FrameParserTest, LargeMessageIsHandedOverInBoundedPieces) {
  std::string payload(100000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>(i * 7);
  const std::string in = frame(Opcode::binary, payload);
  FrameParser parser;
  std::string got;
  std::size_t off = 0;
  int pieces = 0;
  for (;;) {
    FrameParser::Step step = parser.feed(in.data() + off, in.size() - off);
    off += step.consumed;
    if (step.event != Event::message_data) {
      EXPECT_EQ(step.event, Event::message_complete);
      break;
    }
    ++pieces;
    EXPECT_LE(parser.data().size(), FrameParser::kMaxPiece);
    EXPECT_EQ(parser.message_bytes(), payload.size());
    got.append(parser.data());
  }
  EXPECT_EQ(got, payload);
  EXPECT_EQ(off, in.size());
  EXPECT_EQ(pieces, int((payload.size() + FrameParser::kMaxPiece - 1) /
                        FrameParser::kMaxPiece));
  EXPECT_EQ(parser.feed(nullptr, 0).event, Event::need_more);
}

TEST(FrameParserTest, MessageOfExactlyMaxMessageBytesIsAccepted) {
  const std::string in = frame(Opcode::text, "12345", more()) +
                         frame(Opcode::continuation, "67890");
  EXPECT_EQ(
      grind(in, {.max_message_bytes = 10}),
      (Records{Data(Opcode::text, "1234567890"), Complete(Opcode::text)}));
}

TEST(FrameParserTest, ControlFramesDoNotCountTowardsMaxMessageBytes) {
  const std::string in = frame(Opcode::text, "12", more()) +
                         frame(Opcode::ping, std::string(100, 'p')) +
                         frame(Opcode::continuation, "34");
  EXPECT_EQ(grind(in, {.max_message_bytes = 4}),
            (Records{Data(Opcode::text, "12"),
                     Control(Opcode::ping, std::string(100, 'p')),
                     Data(Opcode::text, "34"), Complete(Opcode::text)}));
}

TEST(FrameParserTest, BinaryMessageIsNotUtf8Validated) {
  EXPECT_EQ(grind(frame(Opcode::binary, "\xC0\xFF\xED\xA0\x80")),
            (Records{Data(Opcode::binary, "\xC0\xFF\xED\xA0\x80"),
                     Complete(Opcode::binary)}));
}

TEST(FrameParserTest, MultiByteTextSplitAcrossFragmentsIsAccepted) {
  // U+20AC (E2 82 AC) and U+1F600 (F0 9F 98 80), each cut between frames.
  const std::string in =
      frame(Opcode::text, "\xE2", more()) +
      frame(Opcode::continuation, "\x82\xAC\xF0\x9F", more()) +
      frame(Opcode::continuation, "\x98\x80");
  EXPECT_EQ(grind(in),
            (Records{Data(Opcode::text, "\xE2\x82\xAC\xF0\x9F\x98\x80"),
                     Complete(Opcode::text)}));
}

// ---- close frames ----------------------------------------------------------

TEST(FrameParserTest, CloseFrameCarriesItsCodeAndReason) {
  EXPECT_EQ(grind(frame(Opcode::close, testing::close_body(1000, "bye"))),
            (Records{Close(1000, "bye")}));
}

TEST(FrameParserTest, EmptyCloseFrameReportsNoStatus) {
  Records r = grind(frame(Opcode::close, ""));
  EXPECT_EQ(r, (Records{Control(Opcode::close, "")}));
  EXPECT_EQ(r[0].close_code, to_int(CloseCode::no_status));
}

TEST(FrameParserTest, CloseCodesValidOnTheWireAreAccepted) {
  for (std::uint16_t code : std::initializer_list<std::uint16_t>{
           1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
           1014, 3000, 3999, 4000, 4999}) {
    EXPECT_EQ(grind(frame(Opcode::close, testing::close_body(code, "é"))),
              (Records{Close(code, "é")}))
        << code;
  }
}

TEST(FrameParserTest, BytesAfterACloseFrameAreConsumedAndIgnored) {
  const std::string in = frame(Opcode::close, testing::close_body(1001, "")) +
                         frame(Opcode::text, "late") + "\xFF\xFF garbage";
  EXPECT_EQ(grind(in), (Records{Close(1001, "")}));
  FrameParser parser;
  const std::string close = frame(Opcode::close, "");
  ASSERT_EQ(parser.feed(close.data(), close.size()).event, Event::control);
  FrameParser::Step step = parser.feed("\x00\x01\x02", 3);
  EXPECT_EQ(step.event, Event::need_more);
  EXPECT_EQ(step.consumed, 3u);
  EXPECT_TRUE(parser.close_received());
}

TEST(FrameParserTest, CloseWithOneBytePayloadIsClosedWith1002) {
  expect_error(frame(Opcode::close, "\x03"), FrameError::bad_close_payload,
               1002);
}

TEST(FrameParserTest, CloseWithInvalidCodeIsClosedWith1002) {
  for (std::uint16_t code : std::initializer_list<std::uint16_t>{
           0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000,
           65535}) {
    SCOPED_TRACE(code);
    expect_error(frame(Opcode::close, testing::close_body(code, "")),
                 FrameError::invalid_close_code, 1002);
  }
}

TEST(FrameParserTest, CloseWithNonUtf8ReasonIsClosedWith1007) {
  expect_error(frame(Opcode::close, testing::close_body(1000, "ok\xFF")),
               FrameError::invalid_close_reason, 1007);
  expect_error(frame(Opcode::close, testing::close_body(1000, "\xE2\x82")),
               FrameError::invalid_close_reason, 1007);
}

// ---- header rules (1002) ---------------------------------------------------

TEST(FrameParserTest, UnmaskedClientFrameIsClosedWith1002) {
  expect_error(frame(Opcode::text, "hi", {.masked = false}),
               FrameError::unmasked_frame, 1002);
  expect_error(frame(Opcode::ping, "", {.masked = false}),
               FrameError::unmasked_frame, 1002);
}

TEST(FrameParserTest, Rsv1WithoutNegotiatedDeflateIsClosedWith1002) {
  expect_error(frame(Opcode::text, "hi", {.rsv = 0x40}),
               FrameError::reserved_bits, 1002);
}

TEST(FrameParserTest, Rsv2AndRsv3AreClosedWith1002EvenWithDeflate) {
  for (std::uint8_t rsv :
       std::initializer_list<std::uint8_t>{0x20, 0x10, 0x70}) {
    SCOPED_TRACE(int(rsv));
    expect_error(frame(Opcode::binary, "x", {.rsv = rsv}),
                 FrameError::reserved_bits, 1002, deflate());
  }
}

TEST(FrameParserTest, ReservedOpcodesAreClosedWith1002) {
  for (std::uint8_t op : std::initializer_list<std::uint8_t>{
           3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    SCOPED_TRACE(int(op));
    expect_error(testing::client_frame(op, "x"), FrameError::reserved_opcode,
                 1002);
  }
}

TEST(FrameParserTest, FragmentedControlFrameIsClosedWith1002) {
  for (Opcode op : {Opcode::ping, Opcode::pong, Opcode::close}) {
    expect_error(frame(op, "", more()), FrameError::fragmented_control_frame,
                 1002);
  }
}

TEST(FrameParserTest, ControlFrameOver125BytesIsClosedWith1002) {
  for (Opcode op : {Opcode::ping, Opcode::pong, Opcode::close}) {
    expect_error(frame(op, std::string(126, 'x')),
                 FrameError::control_frame_too_long, 1002);
  }
}

TEST(FrameParserTest, ContinuationWithoutAMessageIsClosedWith1002) {
  expect_error(frame(Opcode::continuation, "x"),
               FrameError::unexpected_continuation, 1002);
  expect_error(frame(Opcode::text, "a") + frame(Opcode::continuation, "b"),
               FrameError::unexpected_continuation, 1002, {},
               {Data(Opcode::text, "a"), Complete(Opcode::text)});
}

TEST(FrameParserTest, NewDataFrameInsideAFragmentedMessageIsClosedWith1002) {
  for (Opcode op : {Opcode::text, Opcode::binary}) {
    expect_error(frame(Opcode::binary, "a", more()) + frame(op, "b"),
                 FrameError::expected_continuation, 1002);
  }
}

TEST(FrameParserTest, NonMinimalLengthEncodingIsClosedWith1002) {
  expect_error(frame(Opcode::text, "short", {.form = LengthForm::bits16}),
               FrameError::non_minimal_length, 1002);
  expect_error(
      frame(Opcode::text, std::string(125, 'a'), {.form = LengthForm::bits16}),
      FrameError::non_minimal_length, 1002);
  expect_error(frame(Opcode::text, "short", {.form = LengthForm::bits64}),
               FrameError::non_minimal_length, 1002);
  expect_error(frame(Opcode::binary, std::string(65535, 'a'),
                     {.form = LengthForm::bits64}),
               FrameError::non_minimal_length, 1002);
}

TEST(FrameParserTest, SixtyFourBitLengthWithTopBitSetIsClosedWith1002) {
  expect_error(frame(Opcode::binary, "", {.length = 1ull << 63}),
               FrameError::length_too_large, 1002);
  expect_error(frame(Opcode::binary, "", {.length = ~0ull}),
               FrameError::length_too_large, 1002);
}

TEST(FrameParserTest, ControlFramesBeforeAnErrorAreStillReported) {
  const std::string in = frame(Opcode::text, "a", more()) +
                         frame(Opcode::ping, "p") +
                         frame(Opcode::continuation, "b", {.masked = false});
  expect_error(in, FrameError::unmasked_frame, 1002, {},
               {Data(Opcode::text, "a"), Control(Opcode::ping, "p")});
}

// ---- size limit (1009) -----------------------------------------------------

TEST(FrameParserTest, FrameOverMaxMessageBytesIsClosedWith1009FromItsHeader) {
  // Only the header is sent: the decision may not wait for the payload.
  expect_error(frame(Opcode::text, "", {.length = 11}),
               FrameError::message_too_big, 1009, {.max_message_bytes = 10});
  expect_error(frame(Opcode::binary, "", {.length = (1ull << 63) - 1}),
               FrameError::message_too_big, 1009);
}

TEST(FrameParserTest, FragmentsAddingUpPastMaxMessageBytesAreClosedWith1009) {
  const std::string in = frame(Opcode::text, "123456", more()) +
                         frame(Opcode::continuation, "", {.length = 5});
  expect_error(in, FrameError::message_too_big, 1009,
               {.max_message_bytes = 10});
}

// ---- UTF-8 (1007) ----------------------------------------------------------

TEST(FrameParserTest, InvalidUtf8InTextIsClosedWith1007) {
  expect_error(frame(Opcode::text, "ab\xC0\xAF"), FrameError::invalid_utf8,
               1007);
  expect_error(frame(Opcode::text, "\xED\xA0\x80"), FrameError::invalid_utf8,
               1007);
}

TEST(FrameParserTest, InvalidUtf8FailsBeforeTheMessageEnds) {
  // A first fragment that already proves the text invalid: the rest of the
  // message need not arrive, and the failing piece is not handed over.
  const std::string in = frame(Opcode::text, "ok\xF5", more());
  expect_error(in, FrameError::invalid_utf8, 1007);
  FrameParser parser;
  EXPECT_EQ(parser.feed(in.data(), in.size()).event, Event::error);
  EXPECT_TRUE(parser.data().empty());
}

TEST(FrameParserTest, InvalidUtf8AcrossFragmentsIsClosedWith1007) {
  const std::string in = frame(Opcode::text, "a\xE2\x82", more()) +
                         frame(Opcode::continuation, "\x28");
  expect_error(in, FrameError::invalid_utf8, 1007);
}

TEST(FrameParserTest, TextEndingMidCodePointIsClosedWith1007) {
  expect_error(frame(Opcode::text, "a\xE2\x82"), FrameError::invalid_utf8,
               1007);
  expect_error(
      frame(Opcode::text, "a\xF0", more()) + frame(Opcode::continuation, ""),
      FrameError::invalid_utf8, 1007);
}

// ---- permessage-deflate ----------------------------------------------------

TEST(FrameParserTest, Rsv1MarksACompressedMessageThatIsNotUtf8Validated) {
  const std::string in =
      frame(Opcode::text, "\xFF\xFE", {.fin = false, .rsv = 0x40}) +
      frame(Opcode::continuation, "\xC0");
  EXPECT_EQ(grind(in, deflate()),
            (Records{Data(Opcode::text, "\xFF\xFE\xC0", true),
                     Complete(Opcode::text, true)}));
}

TEST(FrameParserTest, UncompressedTextIsStillValidatedWithDeflate) {
  expect_error(frame(Opcode::text, "\xFF"), FrameError::invalid_utf8, 1007,
               deflate());
}

TEST(FrameParserTest, Rsv1OnAContinuationFrameIsClosedWith1002) {
  const std::string in = frame(Opcode::text, "a", {.fin = false, .rsv = 0x40}) +
                         frame(Opcode::continuation, "b", {.rsv = 0x40});
  expect_error(in, FrameError::reserved_bits, 1002, deflate());
}

TEST(FrameParserTest, Rsv1OnAControlFrameIsClosedWith1002) {
  expect_error(frame(Opcode::ping, "", {.rsv = 0x40}),
               FrameError::reserved_bits, 1002, deflate());
}

TEST(FrameParserTest, DeflateCanBeTurnedOnAfterConstruction) {
  FrameParser parser;
  parser.set_permessage_deflate(true);
  const std::string in = frame(Opcode::binary, "z", {.rsv = 0x40});
  ASSERT_EQ(parser.feed(in.data(), in.size()).event, Event::message_data);
  EXPECT_TRUE(parser.message_compressed());
  EXPECT_EQ(parser.feed(nullptr, 0).event, Event::message_complete);
}

// ---- stickiness
// --------------------------------------------------------------

TEST(FrameParserTest, AnErrorIsSticky) {
  FrameParser parser;
  const std::string bad = frame(Opcode::text, "x", {.masked = false});
  FrameParser::Step step = parser.feed(bad.data(), bad.size());
  EXPECT_EQ(step.event, Event::error);
  const std::string good = frame(Opcode::text, "x");
  step = parser.feed(good.data(), good.size());
  EXPECT_EQ(step.event, Event::error);
  EXPECT_EQ(step.consumed, 0u);
  EXPECT_EQ(parser.error(), FrameError::unmasked_frame);
}

}  // namespace
}  // namespace gale::websocket

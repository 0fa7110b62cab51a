#include "server/http/range.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace gale {
namespace {

using Kind = RangeSpec::Kind;
using Outcome = RangeDecision::Outcome;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::vector<RangeSpec> specs(std::string_view value) {
  auto r = parse_range(value);
  EXPECT_TRUE(r.has_value()) << value;
  return r.value_or(std::vector<RangeSpec>{});
}

TEST(ParseRange, EveryFormOfOneSpec) {
  EXPECT_EQ(specs("bytes=0-499"),
            (std::vector<RangeSpec>{{Kind::from_to, 0, 499}}));
  EXPECT_EQ(specs("bytes=500-"), (std::vector<RangeSpec>{{Kind::from, 500}}));
  EXPECT_EQ(specs("bytes=-500"),
            (std::vector<RangeSpec>{{Kind::suffix, 0, 500}}));
  EXPECT_EQ(specs("bytes=7-7"),
            (std::vector<RangeSpec>{{Kind::from_to, 7, 7}}));
  EXPECT_EQ(specs("bytes=-0"), (std::vector<RangeSpec>{{Kind::suffix, 0, 0}}));
}

TEST(ParseRange, UnitIsCaseInsensitiveAndOwsIsAllowedAroundElements) {
  EXPECT_EQ(specs("Bytes=1-2").size(), 1u);
  EXPECT_EQ(specs("BYTES=1-2").size(), 1u);
  EXPECT_EQ(specs("  bytes=1-2  ").size(), 1u);
  EXPECT_EQ(specs("bytes= 1-2 , 4-5").size(), 2u);
}

TEST(ParseRange, ListsKeepOrderAndSkipEmptyElements) {
  EXPECT_EQ(
      specs("bytes=0-1,,-3, 10-"),
      (std::vector<RangeSpec>{
          {Kind::from_to, 0, 1}, {Kind::suffix, 0, 3}, {Kind::from, 10}}));
}

TEST(ParseRange, InvalidValuesAreRejected) {
  for (std::string_view v : {"",
                             "bytes",
                             "bytes=",
                             "bytes=,",
                             "bytes=-",
                             "bytes=--5",
                             "bytes=a-b",
                             "bytes=5",
                             "bytes=5-4",
                             "bytes=1-2-3",
                             "bytes=+1-2",
                             "bytes=1 -2",
                             "bytes=0x10-",
                             "items=0-1",
                             "bytes 0-1",
                             "=0-1",
                             "bytes=1-2,x",
                             "bytes=0-1,5-4",
                             "bytes=-1-2",
                             "bytes=1.5-2"})
    EXPECT_FALSE(parse_range(v).has_value()) << "'" << v << "'";
}

TEST(ParseRange, HugeNumbersSaturate) {
  EXPECT_EQ(specs("bytes=99999999999999999999999999-"),
            (std::vector<RangeSpec>{{Kind::from, kMax}}));
  EXPECT_EQ(specs("bytes=0-99999999999999999999999999"),
            (std::vector<RangeSpec>{{Kind::from_to, 0, kMax}}));
  EXPECT_EQ(specs("bytes=-18446744073709551616"),
            (std::vector<RangeSpec>{{Kind::suffix, 0, kMax}}));
  EXPECT_EQ(specs("bytes=18446744073709551615-18446744073709551615"),
            (std::vector<RangeSpec>{{Kind::from_to, kMax, kMax}}));
}

TEST(ResolveRange, EachKindAgainstASize) {
  EXPECT_EQ(resolve_range({Kind::from_to, 0, 499}, 1000), (ByteRange{0, 500}));
  EXPECT_EQ(resolve_range({Kind::from_to, 10, 10}, 1000), (ByteRange{10, 1}));
  // last-pos past the end is clamped to the last byte.
  EXPECT_EQ(resolve_range({Kind::from_to, 900, 5000}, 1000),
            (ByteRange{900, 100}));
  EXPECT_EQ(resolve_range({Kind::from_to, 0, kMax}, 1000),
            (ByteRange{0, 1000}));
  EXPECT_EQ(resolve_range({Kind::from, 500}, 1000), (ByteRange{500, 500}));
  EXPECT_EQ(resolve_range({Kind::from, 999}, 1000), (ByteRange{999, 1}));
  EXPECT_EQ(resolve_range({Kind::suffix, 0, 500}, 1000), (ByteRange{500, 500}));
  // A suffix longer than the file is the whole file.
  EXPECT_EQ(resolve_range({Kind::suffix, 0, 5000}, 1000), (ByteRange{0, 1000}));
}

TEST(ResolveRange, Unsatisfiable) {
  EXPECT_FALSE(resolve_range({Kind::from_to, 1000, 2000}, 1000));
  EXPECT_FALSE(resolve_range({Kind::from, 1000}, 1000));
  EXPECT_FALSE(resolve_range({Kind::from, kMax}, 1000));
  EXPECT_FALSE(resolve_range({Kind::suffix, 0, 0}, 1000));
  EXPECT_FALSE(resolve_range({Kind::from_to, 0, 0}, 0));
  EXPECT_FALSE(resolve_range({Kind::suffix, 0, 5}, 0));
}

TEST(DecideRange, OneSatisfiableRangeIsPartial) {
  RangeDecision d = decide_range("bytes=0-9", 100);
  EXPECT_EQ(d.outcome, Outcome::partial);
  EXPECT_EQ(d.range, (ByteRange{0, 10}));
  d = decide_range("bytes=-10", 100);
  EXPECT_EQ(d.outcome, Outcome::partial);
  EXPECT_EQ(d.range, (ByteRange{90, 10}));
  d = decide_range("bytes=95-", 100);
  EXPECT_EQ(d.outcome, Outcome::partial);
  EXPECT_EQ(d.range, (ByteRange{95, 5}));
}

TEST(DecideRange, OneSatisfiableAmongUnsatisfiableOnesIsPartial) {
  RangeDecision d = decide_range("bytes=500-600, 10-19", 100);
  EXPECT_EQ(d.outcome, Outcome::partial);
  EXPECT_EQ(d.range, (ByteRange{10, 10}));
}

TEST(DecideRange, NoSatisfiableRangeIsUnsatisfiable) {
  EXPECT_EQ(decide_range("bytes=100-", 100).outcome, Outcome::unsatisfiable);
  EXPECT_EQ(decide_range("bytes=100-200", 100).outcome, Outcome::unsatisfiable);
  EXPECT_EQ(decide_range("bytes=-0", 100).outcome, Outcome::unsatisfiable);
  EXPECT_EQ(decide_range("bytes=200-300,400-", 100).outcome,
            Outcome::unsatisfiable);
}

TEST(DecideRange, SeveralSatisfiableRangesGetTheWholeFile) {
  EXPECT_EQ(decide_range("bytes=0-9,20-29", 100).outcome, Outcome::full);
  EXPECT_EQ(decide_range("bytes=0-0,-1", 100).outcome, Outcome::full);
  EXPECT_EQ(decide_range("bytes=0-50,25-75", 100).outcome, Outcome::full);
}

TEST(DecideRange, InvalidHeadersAreIgnored) {
  EXPECT_EQ(decide_range("bytes=5-1", 100).outcome, Outcome::full);
  EXPECT_EQ(decide_range("lines=1-2", 100).outcome, Outcome::full);
  EXPECT_EQ(decide_range("bytes=abc", 100).outcome, Outcome::full);
  EXPECT_EQ(decide_range("garbage", 100).outcome, Outcome::full);
}

TEST(DecideRange, AnEmptyFileIsAlwaysSentWhole) {
  EXPECT_EQ(decide_range("bytes=0-", 0).outcome, Outcome::full);
  EXPECT_EQ(decide_range("bytes=-5", 0).outcome, Outcome::full);
}

TEST(ContentRange, Formats) {
  EXPECT_EQ(content_range({0, 10}, 100), "bytes 0-9/100");
  EXPECT_EQ(content_range({99, 1}, 100), "bytes 99-99/100");
  EXPECT_EQ(content_range({0, 1073741824}, 1073741824),
            "bytes 0-1073741823/1073741824");
  EXPECT_EQ(unsatisfied_content_range(1234), "bytes */1234");
  EXPECT_EQ(unsatisfied_content_range(0), "bytes */0");
}

}  // namespace
}  // namespace gale

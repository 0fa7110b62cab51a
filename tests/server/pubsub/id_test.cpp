// The local backend's ids: their exact shape, uniqueness and order within a
// run, a new epoch per run, and parsing that accepts only our own spelling.
#include "server/pubsub/id.hpp"

#include "server/pubsub/message.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gale::pubsub {
namespace {

TEST(IdTest, AnIdIsTheEpochThenTheSequenceInFixedWidthHex) {
  IdGenerator ids(0x1a2b3c4d);
  EXPECT_EQ(ids.next(), "1a2b3c4d-0000000000000001");
  EXPECT_EQ(ids.next(), "1a2b3c4d-0000000000000002");
  EXPECT_EQ(ids.last_seq(), 2u);
  EXPECT_EQ(format_local_id({0, 0xffffffffffffffff}),
            "00000000-ffffffffffffffff");
}

TEST(IdTest, IdsOfOneRunAreUniqueAndSortAsTheyWereMade) {
  IdGenerator ids(7);
  std::string previous = ids.next();
  std::set<std::string> seen = {previous};
  for (int i = 0; i < 5000; ++i) {
    std::string id = ids.next();
    EXPECT_LT(previous, id);
    EXPECT_TRUE(seen.insert(id).second);
    previous = id;
  }
}

TEST(IdTest, AnIdFitsTheRelayBound) {
  EXPECT_LE(format_local_id({0xffffffff, 0xffffffffffffffff}).size(),
            kMaxIdBytes);
}

TEST(IdTest, TheSameSequenceInAnotherEpochIsAnotherId) {
  IdGenerator before(1), after(2);
  EXPECT_NE(before.next(), after.next());
}

TEST(IdTest, ParsingGivesBackTheParts) {
  LocalId id{0xdeadbeef, 42};
  EXPECT_EQ(parse_local_id(format_local_id(id)), id);
}

TEST(IdTest, ParsingRefusesAnythingButOurOwnSpelling) {
  for (const char* bad :
       {"", "1-2", "1a2b3c4d-000000000000001", "1a2b3c4d-00000000000000001",
        "1A2B3C4D-0000000000000001", "1a2b3c4d_0000000000000001",
        "1a2b3c4d-000000000000000g", "1700000000000-0",
        "+a2b3c4d-0000000000000001"})
    EXPECT_FALSE(parse_local_id(bad).has_value()) << bad;
}

TEST(IdTest, FreshEpochsDiffer) {
  // Two in a row may collide only by a 1-in-2^32 chance; three never all
  // agree unless the source is broken.
  std::uint32_t a = fresh_epoch(), b = fresh_epoch(), c = fresh_epoch();
  EXPECT_FALSE(a == b && b == c);
}

}  // namespace
}  // namespace gale::pubsub

// ObjectPool: spares follow the recent peak, so a load that releases and
// re-takes objects recycles them without the heap, and a burst's spares
// are let go within the peak window once the load is gone.
#include "server/core/object_pool.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

namespace gale {
namespace {

struct Counted {
  static inline std::size_t built = 0;
  static inline std::size_t destroyed = 0;
  Counted() { ++built; }
  ~Counted() { ++destroyed; }
  void reset() { dirty = false; }
  bool dirty = false;
};

using Pool = ObjectPool<Counted>;

class ObjectPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { Counted::built = Counted::destroyed = 0; }

  static std::vector<Pool::Ptr> take(Pool& pool, std::size_t n) {
    std::vector<Pool::Ptr> out;
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(pool.acquire());
    return out;
  }
};

TEST_F(ObjectPoolTest, ReusesWhatWasReleasedAndResetsIt) {
  Pool pool(4);
  Counted* first = nullptr;
  {
    Pool::Ptr p = pool.acquire();
    p->dirty = true;
    first = p.get();
  }
  Pool::Ptr again = pool.acquire();
  EXPECT_EQ(again.get(), first);
  EXPECT_FALSE(again->dirty);
  EXPECT_EQ(Counted::built, 1u);
  EXPECT_EQ(pool.in_use(), 1u);
}

TEST_F(ObjectPoolTest, AReleaseAndRetakeStormNeedsNoHeapAfterTheFirstRound) {
  Pool pool(8);
  for (int round = 0; round < 5; ++round) {
    auto all = take(pool, 500);
    all.clear();  // every waiter answered at once
    pool.tick(32);
  }
  EXPECT_EQ(Counted::built, 500u);
  EXPECT_EQ(Counted::destroyed, 0u);
  EXPECT_EQ(pool.free_count(), 500u);
}

TEST_F(ObjectPoolTest, SparesFallToTheMinimumOnceTheWindowHasNoPeak) {
  Pool pool(8);
  take(pool, 300).clear();
  EXPECT_EQ(pool.free_count(), 300u);
  std::size_t trims = 0;
  for (std::size_t i = 0; i < Pool::kPeakWindowTicks + 1; ++i)
    trims += pool.tick(32) ? 1 : 0;
  EXPECT_EQ(pool.free_count(), 8u);
  EXPECT_EQ(Counted::destroyed, 292u);
  // The burst's end is reported once, not every tick after it.
  EXPECT_EQ(trims, 1u);
}

TEST_F(ObjectPoolTest, NoTrimWhileObjectsStillComeFromTheHeap) {
  Pool pool(2);
  take(pool, 100).clear();
  for (std::size_t i = 0; i < Pool::kPeakWindowTicks; ++i) {
    // Growing load: each tick takes more than the pool holds.
    auto held = take(pool, 100 + 10 * (i + 1));
    EXPECT_FALSE(pool.tick(1)) << "tick " << i;
  }
}

TEST_F(ObjectPoolTest, FlatLoadKeepsOnlyTheMinimumBeyondWhatIsInUse) {
  Pool pool(4);
  auto held = take(pool, 50);
  for (std::size_t i = 0; i < Pool::kPeakWindowTicks + 1; ++i)
    pool.tick(32);
  held.resize(40);  // ten leave while the peak is flat and old
  EXPECT_LE(pool.free_count(), 10u);
  for (std::size_t i = 0; i < Pool::kPeakWindowTicks + 1; ++i)
    pool.tick(32);
  EXPECT_EQ(pool.free_count(), 4u);
  EXPECT_EQ(pool.in_use(), 40u);
}

}  // namespace
}  // namespace gale

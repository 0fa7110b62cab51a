// BodyMemory: the worker's budget for bodies in memory. Past it bodies
// wait, in arrival order, and go on as memory comes back; none is refused.
#include "server/connection/body_memory.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace gale {
namespace {

TEST(BodyMemoryTest, ReservesUpToTheLimitAndAloneAnySize) {
  boost::asio::io_context loop;
  BodyMemory memory(loop, 100);
  EXPECT_TRUE(memory.try_reserve(60));
  EXPECT_TRUE(memory.try_reserve(40));
  EXPECT_FALSE(memory.try_reserve(1));
  memory.release(100);
  EXPECT_TRUE(memory.try_reserve(1000));  // alone, larger than the budget
  EXPECT_EQ(memory.used(), 1000u);
}

TEST(BodyMemoryTest, WaitersResumeInArrivalOrderAsMemoryComesBack) {
  boost::asio::io_context loop;
  BodyMemory memory(loop, 100);
  ASSERT_TRUE(memory.try_reserve(100));
  std::vector<int> resumed;
  auto waiter = [&](int id, std::uint64_t bytes) {
    return [&, id, bytes] {
      if (!memory.try_reserve(bytes)) return false;
      resumed.push_back(id);
      return true;
    };
  };
  memory.wait(waiter(1, 70));
  memory.wait(waiter(2, 30));
  memory.wait(waiter(3, 50));
  // A newcomer does not overtake those waiting, even when it would fit.
  memory.release(50);
  EXPECT_FALSE(memory.try_reserve(10));
  loop.run();
  loop.restart();
  EXPECT_TRUE(resumed.empty());  // 50 free: not enough for the first (70)
  memory.release(50);
  loop.run();
  loop.restart();
  EXPECT_EQ(resumed, (std::vector<int>{1, 2}));  // 70 + 30; 3 waits on
  EXPECT_EQ(memory.waiting(), 1u);
  memory.release(100);
  loop.run();
  EXPECT_EQ(resumed, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(memory.waiting(), 0u);
  EXPECT_EQ(memory.used(), 50u);
}

TEST(BodyMemoryTest, AWaiterThatLeftIsSkipped) {
  boost::asio::io_context loop;
  BodyMemory memory(loop, 10);
  ASSERT_TRUE(memory.try_reserve(10));
  bool second = false;
  memory.wait([] { return true; });  // its connection closed meanwhile
  memory.wait([&] { return second = memory.try_reserve(10); });
  memory.release(10);
  loop.run();
  EXPECT_TRUE(second);
}

TEST(BodyMemoryTest, AReservationGivesItsShareBackOnce) {
  boost::asio::io_context loop;
  BodyMemory memory(loop, 100);
  {
    BodyReservation r;
    ASSERT_TRUE(memory.try_reserve(40));
    r.hold(memory, 40);
    EXPECT_TRUE(r.held());
    r.release();
    r.release();
    EXPECT_EQ(memory.used(), 0u);
    ASSERT_TRUE(memory.try_reserve(30));
    r.hold(memory, 30);
  }  // and when it goes
  EXPECT_EQ(memory.used(), 0u);
}

}  // namespace
}  // namespace gale

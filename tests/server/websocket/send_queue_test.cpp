// SendQueue: gathering and consuming at every split of a partial write.
#include "server/websocket/send_queue.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace gale::websocket {
namespace {

std::string gathered(const SendQueue& q) {
  std::array<iovec, 8> iov;
  std::string out;
  const std::size_t n = q.gather(iov);
  for (std::size_t i = 0; i < n; ++i)
    out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return out;
}

SharedFrame frame(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

TEST(SendQueue, EmptyHoldsNothing) {
  SendQueue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(gathered(q), "");
}

TEST(SendQueue, GathersEveryFrameInOrder) {
  SendQueue q;
  q.push(frame("abc"));
  q.push_copy("de", "fgh");
  q.push(frame("ij"));
  EXPECT_EQ(q.frames(), 3u);
  EXPECT_EQ(q.bytes(), 10u);
  EXPECT_EQ(gathered(q), "abcdefghij");
}

TEST(SendQueue, EmptyFramesAreNotQueued) {
  SendQueue q;
  q.push(frame(""));
  q.push(nullptr);
  EXPECT_TRUE(q.empty());
}

// Whatever a partial write took, what is left is exactly the rest.
TEST(SendQueue, ConsumeAtEverySplit) {
  const std::string all = "abcdefghij";
  for (std::size_t first = 0; first <= all.size(); ++first) {
    for (std::size_t second = 0; first + second <= all.size(); ++second) {
      SendQueue q;
      q.push(frame("abc"));
      q.push(frame("defgh"));
      q.push(frame("ij"));
      q.consume(first);
      ASSERT_EQ(gathered(q), all.substr(first)) << first;
      q.consume(second);
      ASSERT_EQ(gathered(q), all.substr(first + second))
          << first << "," << second;
      ASSERT_EQ(q.bytes(), all.size() - first - second);
      ASSERT_EQ(q.empty(), first + second == all.size());
    }
  }
}

TEST(SendQueue, SharedFrameIsNotCopied) {
  SendQueue a, b;
  SharedFrame f = frame("payload");
  a.push(f);
  b.push(f);
  std::array<iovec, 1> ia, ib;
  a.gather(ia);
  b.gather(ib);
  EXPECT_EQ(ia[0].iov_base, ib[0].iov_base);
  EXPECT_EQ(ia[0].iov_base, f->data());
}

TEST(SendQueue, GatherStopsAtTheArraySize) {
  SendQueue q;
  for (int i = 0; i < 5; ++i)
    q.push(frame("x"));
  std::array<iovec, 3> iov;
  EXPECT_EQ(q.gather(iov), 3u);
}

// A slow consumer's backlog goes, but never half a frame.
TEST(SendQueue, DropUnstartedKeepsAStartedFront) {
  SendQueue q;
  q.push(frame("abc"));
  q.push(frame("def"));
  q.consume(1);
  q.drop_unstarted();
  EXPECT_EQ(gathered(q), "bc");
  EXPECT_EQ(q.bytes(), 2u);
  q.push(frame("close"));
  EXPECT_EQ(gathered(q), "bcclose");
}

TEST(SendQueue, DropUnstartedWithNothingStartedEmpties) {
  SendQueue q;
  q.push(frame("abc"));
  q.push(frame("def"));
  q.drop_unstarted();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

}  // namespace
}  // namespace gale::websocket
